#!/usr/bin/env node
// `npm test`: install what is missing, start the local Kafka and S3 (unless
// KAFKA_BROKERS and S3_ENDPOINT point elsewhere), build, lint, then run every
// unit and integration test with jest. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './bootstrap.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A failed step ends the run with its exit code and one line saying which step,
// not with a Node stack trace.
const run = (cmd, args) => {
  const { status, signal } = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (status === 0) return;
  console.error(`auditseal: \`${basename(cmd)} ${args.join(' ')}\` failed (${signal ?? `exit ${status}`})`);
  process.exit(status || 1);
};

bootstrap();
if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) run('bash', ['infra/local/infra.sh', 'up']);
run(join(root, 'node_modules/.bin/turbo'), ['run', 'build', 'typecheck', '--output-logs=errors-only']);
run(join(root, 'node_modules/.bin/eslint'), ['.']);
const jest = spawnSync(join(root, 'node_modules/.bin/jest'), ['--maxWorkers=2', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(jest.status ?? 1);
