export * from './logger';
export * from './config';
export * from './service-server';
export * from './shutdown';
export * from './kafka-security';
