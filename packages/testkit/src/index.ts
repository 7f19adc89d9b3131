export * from './errors';
export * from './unique-name';
export * from './wait-for';
export * from './cleanup';
export * from './integration-env';
export * from './test-kafka';
export * from './test-s3';
export * from './dedicated-kafka';
