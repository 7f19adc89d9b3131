import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TestkitError } from './errors';

const run = promisify(execFile);

// src/ when jest runs the sources, dist/ when built: the repository is three levels up.
const repositoryRoot = resolve(__dirname, '..', '..', '..');
const infraScript = resolve(repositoryRoot, 'infra', 'local', 'infra.sh');

/** A single-node Kafka that only one test file uses, so it may stop and restart the broker. */
export interface DedicatedKafka {
  /** Bootstrap brokers (`127.0.0.1:<port>`). */
  readonly brokers: string[];
  /** Where its data, logs and pid files live. */
  readonly dir: string;
  /**
   * Stops the broker and waits until its process is gone; the data stays.
   * SIGTERM (default) is a clean shutdown (SIGKILL after 30 s if it hangs),
   * about 2 s. SIGKILL simulates a crash; a restart after it takes some 10 s
   * longer, because the KRaft controller refuses the broker's registration
   * until the old session expires (broker.session.timeout.ms).
   */
  stop(options?: { signal?: 'SIGKILL' | 'SIGTERM' }): Promise<void>;
  /** Starts the broker again on the same port and data; resolves once it answers. */
  start(): Promise<void>;
  /** Stops the broker and deletes its folder. */
  destroy(): Promise<void>;
}

export interface DedicatedKafkaOptions {
  /** JVM heap (`-Xms`/`-Xmx`). Default 256m: it runs beside the shared Kafka. */
  heap?: string;
}

/**
 * Starts a Kafka of its own (KRaft, one node) with `infra/local/infra.sh up
 * --kafka-only` in a fresh folder on free ports, so that a test can stop and
 * restart the broker without disturbing the shared Kafka other tests use.
 * The Kafka jars are linked from the shared `.local/kafka/libs` (fetched with
 * Maven only if that does not exist). Takes a few seconds: start one per test
 * file (beforeAll) and `destroy()` it in afterAll. If the test process exits
 * without `destroy()`, the broker is killed on exit.
 */
export async function startDedicatedKafka(options: DedicatedKafkaOptions = {}): Promise<DedicatedKafka> {
  const dir = mkdtempSync(join(tmpdir(), 'auditseal-kafka-'));
  const sharedLibs = join(process.env.AUDITSEAL_LOCAL_DIR ?? join(repositoryRoot, '.local'), 'kafka', 'libs');
  if (existsSync(join(sharedLibs, '.stamp'))) {
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    symlinkSync(sharedLibs, join(dir, 'kafka', 'libs'), 'dir');
  }
  const [kafkaPort, controllerPort, saslPort, sslPort, s3Port] = await freePorts(5);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUDITSEAL_LOCAL_DIR: dir,
    AUDITSEAL_KAFKA_PORT: String(kafkaPort),
    AUDITSEAL_KAFKA_CONTROLLER_PORT: String(controllerPort),
    AUDITSEAL_KAFKA_SASL_PORT: String(saslPort),
    AUDITSEAL_KAFKA_SSL_PORT: String(sslPort),
    // Unused with --kafka-only; set so nothing can collide with the shared gateway.
    AUDITSEAL_S3_PORT: String(s3Port),
    AUDITSEAL_KAFKA_HEAP: options.heap ?? '256m',
  };
  const pidFile = join(dir, 'run', 'kafka-1.pid');

  const infra = async (...args: string[]): Promise<void> => {
    try {
      await run('bash', [infraScript, ...args], { cwd: repositoryRoot, env, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new TestkitError('infra_unavailable', `infra.sh ${args.join(' ')} failed for the dedicated Kafka in ${dir}:\n${stderr.trim().split('\n').slice(-20).join('\n')}`, {
        cause: error,
      });
    }
  };

  const brokerPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  // infra.sh starts the broker in its own session: signalling -pid reaches the JVM.
  const killOnExit = () => {
    const pid = brokerPid();
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  };
  process.on('exit', killOnExit);

  try {
    await infra('up', '--kafka-only');
  } catch (error) {
    process.off('exit', killOnExit);
    await infra('down').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const stop = async ({ signal = 'SIGTERM' }: { signal?: 'SIGKILL' | 'SIGTERM' } = {}): Promise<void> => {
    const pid = brokerPid();
    if (pid === undefined || !isAlive(pid)) return;
    signalGroup(pid, signal);
    const deadline = Date.now() + (signal === 'SIGKILL' ? 10_000 : 30_000);
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        if (signal === 'SIGKILL') throw new TestkitError('infra_unavailable', `dedicated Kafka (pid ${pid}) survived SIGKILL for 10 s`);
        signalGroup(pid, 'SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return {
    brokers: [`127.0.0.1:${kafkaPort}`],
    dir,
    stop,
    start: () => infra('up', '--kafka-only'),
    async destroy() {
      // The data goes too, so there is nothing to shut down cleanly for.
      try {
        await stop({ signal: 'SIGKILL' });
      } finally {
        process.off('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ports the OS reports free right now (bound to port 0, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port assigned');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((r) => server.close(() => r()))));
  return ports;
}
