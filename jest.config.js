// One jest run for the whole workspace: unit tests (*.test.ts) and integration
// tests (*.int.test.ts, against the real Kafka and S3 started by infra/local).
const shared = {
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: { '^@auditseal/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' },
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{packages,services,bench,infra,faults}/**/src/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.fault\\.test\\.ts$', '/node_modules/'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services}/**/src/**/*.int.test.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/jest-global-setup.js',
      setupFilesAfterEnv: ['<rootDir>/packages/testkit/src/jest-int-setup.js'],
    },
  ],
};
