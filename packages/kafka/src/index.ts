export * from './errors';
export * from './retry';
export * from './client';
export * from './security';
export * from './topic-policy';
export * from './topic-admin';
export * from './partition-reader';
