#!/usr/bin/env node
// `npm test`: install what is missing, start the local Kafka and S3 (unless
// KAFKA_BROKERS and S3_ENDPOINT point elsewhere), build, lint, then run every
// unit and integration test with jest. Extra arguments go to jest.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './bootstrap.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });

bootstrap();
if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) run('bash', ['infra/local/infra.sh', 'up']);
run(join(root, 'node_modules/.bin/turbo'), ['run', 'build', 'typecheck', '--output-logs=errors-only']);
run(join(root, 'node_modules/.bin/eslint'), ['.']);
const jest = spawnSync(join(root, 'node_modules/.bin/jest'), ['--maxWorkers=2', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(jest.status ?? 1);
