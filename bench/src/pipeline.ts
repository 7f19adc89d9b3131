import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeEvent, uuidv7 } from '@auditseal/codec';
import { ensureTopics, topicNames, type TopicNames } from '@auditseal/kafka';
import { Kafka, logLevel, Partitioners, type Admin, type Message } from 'kafkajs';
import { BenchSkipped } from './harness';
import { readProcessMemory, type ProcessMemory } from './proc-status';

/*
 * What the Kafka- and S3-backed benchmarks share: the built services as
 * deployed (`node services/<svc>/dist/main.js`, configured by env as in
 * docs/OPERATIONS.md) started as child processes, fresh audit topics per run,
 * pre-produced input, and waiting for a consumer group's commits.
 */

export const PARTITIONS = 4;
export const ROOT = resolve(__dirname, '..', '..');
export const CLUSTER = 'bench';
export const CHAINER_JS = join(ROOT, 'services', 'chainer', 'dist', 'main.js');
export const ARCHIVER_JS = join(ROOT, 'services', 'archiver', 'dist', 'main.js');
export const VERIFIER_JS = join(ROOT, 'services', 'verifier', 'dist', 'main.js');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Event i of the pre-produced input of the chainer, archiver and verifier benchmarks (~300 bytes encoded). */
export function sampleEvent(i: number): Buffer {
  return encodeEvent({
    eventId: uuidv7(),
    eventTime: Date.now() * 1000,
    tenant: `tenant-${i % 7}`,
    actor: { type: 'user', id: `user-${i % 101}`, ip: '10.1.2.3' },
    action: 'invoice.approve',
    target: { type: 'invoice', id: `inv-${i}` },
    outcome: 'SUCCESS',
    source: { service: 'billing', instance: 'billing-1', region: 'eu-west-1' },
    correlationId: `req-${i}`,
    attributes: { amount: String(i * 3), currency: 'EUR' },
  });
}

/** One JSON log line of a service (packages/runtime logger). */
export interface LogRecord {
  time: string;
  msg: string;
  [field: string]: unknown;
}

export interface Service {
  readonly pid: number | undefined;
  lines: string[];
  /** Time (ms, from the log) the last of PARTITIONS partitions logged the ready message. */
  ready: Promise<number>;
  port: Promise<number>;
  /** Calls `listener` with every JSON log line from now on. */
  onRecord(listener: (record: LogRecord) => void): void;
  /** Peak and current RSS from /proc (undefined where there is no /proc or the process is gone). */
  memory(): ProcessMemory | undefined;
  stop(): Promise<void>;
}

/**
 * Node options for one service from `BENCH_<SERVICE>_NODE_ARGS` (e.g.
 * `BENCH_CHAINER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`), the service
 * named by the directory under services/ that holds `js`.
 */
export function serviceNodeArgs(js: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const service = /services[/\\]([a-z]+)[/\\]/.exec(js)?.[1];
  if (service === undefined) return [];
  return (env[`BENCH_${service.toUpperCase()}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);
}

/**
 * Starts `node <js>` with only PATH and `env` (nothing else leaks in from the
 * benchmark's environment), and the node options of `serviceNodeArgs`. `ready`
 * resolves when PARTITIONS log lines start with `readyMessage`; it rejects if
 * the process exits first. With `nice`, the process (and so every thread it
 * starts) runs at that niceness (`nice -n`): it gets what CPU the others leave.
 */
export function startService(js: string, env: Record<string, string>, readyMessage: string, options: { nice?: number } = {}): Service {
  const command = [process.execPath, ...serviceNodeArgs(js), js];
  if (options.nice !== undefined) command.unshift('nice', '-n', String(options.nice));
  const child = spawn(command[0]!, command.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners: ((record: LogRecord) => void)[] = [];
  let buffered = '';
  const readyAt: number[] = [];
  let onReady: (t: number) => void = () => {};
  let onPort: (p: number) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => {
    onReady = res;
    fail = rej;
  });
  // A benchmark that never awaits `ready` must not die of an unhandled rejection when the service stops.
  ready.catch(() => undefined);
  const port = new Promise<number>((res) => (onPort = res));
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (!line.startsWith('{')) continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        continue; // a line that only looks like JSON (e.g. a Node warning): kept in `lines`, not parsed
      }
      if (record.msg.startsWith('serving /healthz') && typeof record.port === 'number') onPort(record.port);
      if (record.msg.startsWith(readyMessage)) {
        readyAt.push(Date.parse(record.time));
        if (readyAt.length === PARTITIONS) onReady(Math.max(...readyAt));
      }
      for (const listener of listeners) listener(record);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  void exited.then((code) => fail(new Error(`${js} exited with ${code} before it was ready: ${lines.slice(-5).join(' | ')}`)));
  return {
    pid: child.pid,
    lines,
    ready,
    port,
    onRecord: (listener) => listeners.push(listener),
    memory: () => (child.pid === undefined || child.exitCode !== null ? undefined : readProcessMemory(child.pid)),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The chainer's environment (`extra` adds or overrides, e.g. CHAINER_DELIVERY). */
export function chainerEnv(brokers: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return { KAFKA_BROKERS: brokers, AUDITSEAL_CLUSTER: CLUSTER, AUDITSEAL_TOPIC_PREFIX: prefix, AUDITSEAL_MIN_INSYNC_REPLICAS: '1', HTTP_PORT: '0', ...extra };
}

/** The archiver's environment: S3 from `npm run infra:env`, objects under `bench-archive/<run>` with 1-day retention, a fresh dev key. */
export function archiverEnv(brokers: string, prefix: string, run: string): Record<string, string> {
  const s3 = ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_BUCKET'];
  return {
    ...Object.fromEntries(s3.filter((n) => process.env[n]).map((n) => [n, process.env[n]!])),
    KAFKA_BROKERS: brokers,
    AUDITSEAL_CLUSTER: CLUSTER,
    AUDITSEAL_TOPIC_PREFIX: prefix,
    AUDITSEAL_MIN_INSYNC_REPLICAS: '1',
    ARCHIVE_PREFIX: `bench-archive/${run}`,
    ARCHIVER_RETENTION_DAYS: '1',
    ARCHIVER_DEV_KEY: 'true',
    ARCHIVER_SIGNING_KEY: join(mkdtempSync(join(tmpdir(), 'bench-archiver-')), 'key.json'),
    ARCHIVER_DELETE_PROBE: 'warn',
    HTTP_PORT: '0',
  };
}

/** The verifier's environment over the archive `archiveEnv` (an `archiverEnv`) describes, with the same 1-day retention policy. */
export function verifierEnv(archiveEnv: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...archiveEnv, VERIFIER_RETENTION_DAYS: archiveEnv.ARCHIVER_RETENTION_DAYS ?? '1', HTTP_PORT: '0', ...extra };
}

/** KAFKA_BROKERS, or BenchSkipped. */
export function requireKafka(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new BenchSkipped('KAFKA_BROKERS is not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
  return brokers;
}

/** KAFKA_BROKERS with S3_ENDPOINT and S3_BUCKET set, or BenchSkipped. */
export function requireKafkaAndS3(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers || !process.env.S3_ENDPOINT || !process.env.S3_BUCKET) throw new BenchSkipped('KAFKA_BROKERS / S3_ENDPOINT / S3_BUCKET are not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
  return brokers;
}

export function benchKafka(clientId: string, brokers: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** UNKNOWN_TOPIC_OR_PARTITION (from kafkajs, or as the cause of a wrapped error): what a loaded KRaft broker answers for a moment about a topic just created. */
export function isUnknownTopicError(error: unknown): boolean {
  const typeOf = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { type?: unknown }).type : undefined);
  return typeOf(error) === 'UNKNOWN_TOPIC_OR_PARTITION' || (error instanceof Error && typeOf(error.cause) === 'UNKNOWN_TOPIC_OR_PARTITION');
}

/** Runs `operation` again (after `pauseMs`) while it fails with UNKNOWN_TOPIC_OR_PARTITION, until `timeoutMs` has passed; any other error at once. */
export async function retryWhileTopicUnknown<T>(operation: () => Promise<T>, timeoutMs = 60_000, pauseMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isUnknownTopicError(error) || Date.now() >= deadline) throw error;
      await sleep(pauseMs);
    }
  }
}

/**
 * Fresh audit topics under `prefix`: PARTITIONS partitions, RF 1 (the local
 * single broker). kafkajs's wait for the new topics' leaders gives up at the
 * first UNKNOWN_TOPIC_OR_PARTITION, so that error is retried for up to a
 * minute; `ensureTopics` only creates what is missing, so a retry is safe.
 */
export async function createTopics(admin: Admin, prefix: string): Promise<TopicNames> {
  const names = topicNames(prefix);
  await retryWhileTopicUnknown(() => ensureTopics(admin, names, { partitions: PARTITIONS, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 }));
  return names;
}

/**
 * Creates a plain topic (no audit configs) and waits until every partition
 * has a leader. kafkajs's own `waitForLeaders` gives up at the first
 * UNKNOWN_TOPIC_OR_PARTITION, which a loaded KRaft broker answers for a
 * moment after the creation; here that is retried until `timeoutMs`.
 */
export async function createPlainTopic(admin: Admin, topic: string, partitions = PARTITIONS, timeoutMs = 60_000): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false });
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const meta = topics.find((t) => t.name === topic);
      if (meta && meta.partitions.length === partitions && meta.partitions.every((p) => p.leader >= 0)) return;
    } catch (error) {
      last = error; // not known to this broker yet: try again
    }
    await sleep(100);
  }
  throw new Error(`topic ${topic} has no leader on every partition after ${timeoutMs} ms${last instanceof Error ? ` (${last.message})` : ''}`);
}

export async function deleteTopics(admin: Admin, names: TopicNames) {
  await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
}

/** Pre-produces `values` round-robin over the partitions, 2,000 per idempotent acks=all request. */
export async function produce(kafka: Kafka, topic: string, values: readonly Buffer[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 2_000) {
      const messages: Message[] = values.slice(i, i + 2_000).map((value, k) => ({ partition: (i + k) % PARTITIONS, value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Polls until `groupId` has committed at least `end - slack` on every partition of `topic`; returns when it saw that (ms). */
export async function waitForCommits(admin: Admin, topic: string, groupId: string, slack: number, timeoutMs: number): Promise<number> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if ((committed?.partitions ?? []).every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0) - slack)) return Date.now();
    await sleep(20);
  }
  throw new Error(`${groupId} did not reach the end of ${topic} within ${timeoutMs} ms`);
}

export function fetchMetrics(port: number): Promise<string> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
      let text = '';
      response.on('data', (d: Buffer) => (text += d.toString()));
      response.on('end', () => res(text));
    }).on('error', rej);
  });
}

/** Sum of every series of a Prometheus metric in a /metrics text. */
export function sumMetric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Upper bound of the histogram bucket holding quantile q. */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}_bucket{`))
    .map((l) => ({ le: l.match(/le="([^"]+)"/)![1]!, count: Number(l.slice(l.lastIndexOf(' ') + 1)) }));
  const total = buckets.find((b) => b.le === '+Inf')?.count ?? 0;
  const hit = buckets.find((b) => b.count >= q * total);
  return hit ? (hit.le === '+Inf' ? Infinity : Number(hit.le)) : NaN;
}

export interface SealedAndArchived {
  chainerRate: number;
  archiverRate: number;
  /** The archiver's environment (its archive prefix and key): what a verifier of this archive needs. */
  archiveEnv: Record<string, string>;
}

/**
 * The throughput phase the archiver and verifier benchmarks share: `events`
 * events pre-produced to `names.events`, the chainer seals them (timed from
 * its heads recovered until its group committed everything), then the
 * archiver archives them (timed the same way), one service at a time.
 * `whileArchiving` runs while the archiver is still up (e.g. to read its metrics).
 */
export async function sealThenArchive(options: {
  kafka: Kafka;
  admin: Admin;
  brokers: string;
  prefix: string;
  names: TopicNames;
  events: number;
  archiveRun: string;
  whileArchiving?: (archiver: Service) => Promise<void>;
}): Promise<SealedAndArchived> {
  const { kafka, admin, brokers, prefix, names, events } = options;
  await produce(kafka, names.events, Array.from({ length: events }, (_, i) => sampleEvent(i)));
  const chainer = startService(CHAINER_JS, chainerEnv(brokers, prefix), 'chain head recovered');
  let chainerRate: number;
  try {
    const start = await chainer.ready;
    const end = await waitForCommits(admin, names.events, `${prefix}chainer`, 0, 600_000);
    chainerRate = events / ((end - start) / 1000);
  } finally {
    await chainer.stop();
  }
  const archiveEnv = archiverEnv(brokers, prefix, options.archiveRun);
  const archiver = startService(ARCHIVER_JS, archiveEnv, 'partition recovered from S3');
  let archiverRate: number;
  try {
    const start = await archiver.ready;
    // The last transaction's commit marker follows the last entry: slack 1.
    const end = await waitForCommits(admin, names.sealed, `${prefix}archiver`, 1, 600_000);
    archiverRate = events / ((end - start) / 1000);
    await options.whileArchiving?.(archiver);
  } finally {
    await archiver.stop();
  }
  return { chainerRate, archiverRate, archiveEnv };
}

