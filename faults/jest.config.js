// The fault suite's own jest configuration (`npm run test:faults` runs it
// through scripts/test-faults.mjs, which starts the cluster first). Kept out of
// the root jest.config.js so `npm test` never runs it.
const { resolve } = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: resolve(__dirname, '..'),
  displayName: 'faults',
  testMatch: ['<rootDir>/faults/src/**/*.fault.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: { '^@auditseal/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' },
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testEnvironment: 'node',
  // Scenarios break a shared cluster: the runner starts jest once per scenario, in order.
  maxWorkers: 1,
  testTimeout: 600_000,
};
