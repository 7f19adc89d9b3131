import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// core and verify are pure (CONVENTIONS.md): no Kafka, no S3, no disk, no network, no process.env.
const ioModules = ['fs', 'fs/promises', 'node:fs', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http',
  'https', 'node:https', 'child_process', 'node:child_process', 'dgram', 'node:dgram', 'kafkajs', 'avsc',
  '@aws-sdk/*', '@auditseal/kafka', '@auditseal/archive', '@auditseal/testkit'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts', 'packages/verify/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.filter((m) => !m.includes('*')), patterns: ioModules.filter((m) => m.includes('*')) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core and verify are pure: take configuration as arguments.' }],
    },
  },
);
