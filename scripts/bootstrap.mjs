#!/usr/bin/env node
// Installs what is missing for a fresh clone: pnpm (pinned by package.json's
// packageManager) and the workspace's node_modules. Only Node builtins here,
// because it runs before anything is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = packageManager.split('@')[1];

export function pnpmCommand() {
  try {
    const v = execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (v === pnpmVersion) return ['pnpm'];
  } catch {
    /* not installed: fall through */
  }
  return ['npx', '--yes', `pnpm@${pnpmVersion}`];
}

export function bootstrap() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    console.error(`auditseal: Node ${process.versions.node} is too old; Node 20 or newer is required.`);
    process.exit(2);
  }
  // pnpm rewrites node_modules/.modules.yaml on every install, so an install
  // older than the lockfile (or none at all) means dependencies are missing.
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  const [cmd, ...args] = pnpmCommand();
  console.error('auditseal: installing workspace dependencies with pnpm…');
  execFileSync(cmd, [...args, 'install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit' });
}

if (import.meta.url === `file://${process.argv[1]}`) bootstrap();
