import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TestkitError } from './errors';

const run = promisify(execFile);

// src/ when jest runs the sources, dist/ when built: the repository is three levels up.
const repositoryRoot = resolve(__dirname, '..', '..', '..');
const infraScript = resolve(repositoryRoot, 'infra', 'local', 'infra.sh');

/**
 * Fault injection on a local infrastructure that `infra/local/infra.sh up`
 * started in `dir` (its AUDITSEAL_LOCAL_DIR): kill a Kafka node or the S3
 * gateway by the pid file infra.sh wrote, and start what is missing again.
 * Only for a folder the caller owns — never the shared `.local/` other tests use.
 */
export interface LocalCluster {
  readonly dir: string;
  /** Pid of Kafka node `node` (1-based) or of the gateway, from infra.sh's pid file; undefined when not running. */
  pid(process: `kafka-${number}` | 'versitygw'): number | undefined;
  /** Signals the process group (infra.sh starts each in its own session) and waits until the process is gone. */
  kill(process: `kafka-${number}` | 'versitygw', signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** `infra.sh up --brokers <n>`: starts what is not running; resolves once Kafka and S3 answer. */
  up(): Promise<void>;
}

export function localCluster(dir: string, brokers: 1 | 3, env: NodeJS.ProcessEnv = process.env): LocalCluster {
  const pid = (name: string): number | undefined => {
    try {
      const value = Number(readFileSync(join(dir, 'run', `${name}.pid`), 'utf8').trim());
      return Number.isSafeInteger(value) && value > 0 && isAlive(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    dir,
    pid,
    async kill(name, signal = 'SIGKILL') {
      const target = pid(name);
      if (target === undefined) return;
      try {
        process.kill(-target, signal);
      } catch {
        process.kill(target, signal);
      }
      const deadline = Date.now() + 60_000;
      while (isAlive(target)) {
        if (Date.now() > deadline) throw new TestkitError('infra_unavailable', `${name} (pid ${target}) is still running 60 s after ${signal}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async up() {
      try {
        await run('bash', [infraScript, 'up', '--brokers', String(brokers)], {
          cwd: repositoryRoot,
          env: { ...env, AUDITSEAL_LOCAL_DIR: dir },
          maxBuffer: 16 * 1024 * 1024,
        });
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? '';
        throw new TestkitError('infra_unavailable', `infra.sh up --brokers ${brokers} failed in ${dir}:\n${stderr.trim().split('\n').slice(-20).join('\n')}`, { cause: error });
      }
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
