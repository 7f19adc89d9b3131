import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeEvent, uuidv7 } from '@auditseal/codec';
import { ensureTopics, topicNames, type TopicNames } from '@auditseal/kafka';
import { Kafka, logLevel, Partitioners, type Admin, type Message } from 'kafkajs';
import { BenchSkipped, round, type Benchmark, type BenchResult } from '../harness';

/*
 * The archiver (services/archiver) as deployed — `node services/archiver/dist/main.js`
 * — against the Kafka and S3 of `npm run infra:env`, next to the chainer
 * (`services/chainer/dist/main.js`) in the same run, at default segment settings.
 *
 * 1. Throughput: EVENTS events pre-produced to a fresh audit.events; the
 *    chainer seals them (timed from its heads recovered until its group has
 *    committed every partition's end), then the archiver archives the
 *    resulting audit.sealed (timed from its partitions recovered from S3
 *    until its group has committed every partition's last entry, i.e. every
 *    segment and manifest is in S3). archiver_vs_chainer = chainer time /
 *    archiver time (≥ 0.95 means the archiver keeps up). EVENTS / 4 = 50,000
 *    per partition = one default segment, so no cut waits for the max age.
 *    PUTs per million events = the archiver's put-once calls (segments,
 *    manifests, checkpoints, its key file; from /metrics) / EVENTS × 10^6.
 * 2. Latency: chainer and archiver both running, events produced at RATE/s
 *    for LATENCY_SECONDS (low traffic: segments are cut by age, default 30 s);
 *    p99 of sealed→archived = the archiver's `sealed_to_archived_seconds`
 *    histogram (per entry, sealedAt → segment committed), read as the upper
 *    bound of the bucket that holds the 99th percentile.
 *
 * Segments go to the bucket S3_BUCKET (the demo bucket, Object Lock) under a
 * fresh prefix `bench-archive/<run>` with 1-day retention.
 */

export const PARTITIONS = 4;
const EVENTS = Number(process.env.BENCH_ARCHIVER_EVENTS ?? 200_000);
const LATENCY_SECONDS = Number(process.env.BENCH_ARCHIVER_LATENCY_SECONDS ?? 45);
const LATENCY_RATE = Number(process.env.BENCH_ARCHIVER_LATENCY_RATE ?? 500);
export const ROOT = resolve(__dirname, '..', '..', '..');
const ARCHIVER_JS = join(ROOT, 'services', 'archiver', 'dist', 'main.js');
const CHAINER_JS = join(ROOT, 'services', 'chainer', 'dist', 'main.js');
export const CLUSTER = 'bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

interface Service {
  lines: string[];
  /** Time (ms, from the log) the last of PARTITIONS partitions was ready. */
  ready: Promise<number>;
  port: Promise<number>;
  stop(): Promise<void>;
}

export function startService(js: string, env: Record<string, string>, readyMessage: string): Service {
  const child = spawn(process.execPath, [js], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  const readyAt: number[] = [];
  let onReady: (t: number) => void = () => {};
  let onPort: (p: number) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => {
    onReady = res;
    fail = rej;
  });
  const port = new Promise<number>((res) => (onPort = res));
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (!line.startsWith('{')) continue;
      const record = JSON.parse(line) as { time: string; msg: string; port?: number };
      if (record.msg.startsWith('serving /healthz') && record.port !== undefined) onPort(record.port);
      if (record.msg.startsWith(readyMessage)) {
        readyAt.push(Date.parse(record.time));
        if (readyAt.length === PARTITIONS) onReady(Math.max(...readyAt));
      }
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  void exited.then((code) => fail(new Error(`${js} exited with ${code} before it was ready: ${lines.slice(-5).join(' | ')}`)));
  return {
    lines,
    ready,
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function chainerEnv(brokers: string, prefix: string): Record<string, string> {
  return { KAFKA_BROKERS: brokers, AUDITSEAL_CLUSTER: CLUSTER, AUDITSEAL_TOPIC_PREFIX: prefix, AUDITSEAL_MIN_INSYNC_REPLICAS: '1', HTTP_PORT: '0' };
}

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

export async function createTopics(admin: Admin, prefix: string): Promise<TopicNames> {
  const names = topicNames(prefix);
  await ensureTopics(admin, names, { partitions: PARTITIONS, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
  return names;
}

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

/** Polls until `groupId` has committed at least `end - slack` on every partition of `topic`. */
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

export function sumMetric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Upper bound of the histogram bucket holding quantile q. */
function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}_bucket{`))
    .map((l) => ({ le: l.match(/le="([^"]+)"/)![1]!, count: Number(l.slice(l.lastIndexOf(' ') + 1)) }));
  const total = buckets.find((b) => b.le === '+Inf')?.count ?? 0;
  const hit = buckets.find((b) => b.count >= q * total);
  return hit ? (hit.le === '+Inf' ? Infinity : Number(hit.le)) : NaN;
}

export async function deleteTopics(admin: Admin, names: TopicNames) {
  await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
}

export const archiverBenchmark: Benchmark = {
  name: 'archiver',
  description: `archiver vs chainer throughput on the same ${EVENTS.toLocaleString('en-US')} events (${PARTITIONS} partitions, default segments), PUTs per million events, sealed→archived p99 at ${LATENCY_RATE} events/s`,
  ratios: ['archiver_vs_chainer'],
  async run(ctx): Promise<BenchResult> {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers || !process.env.S3_ENDPOINT || !process.env.S3_BUCKET) throw new BenchSkipped('KAFKA_BROKERS / S3_ENDPOINT / S3_BUCKET are not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
    for (const js of [ARCHIVER_JS, CHAINER_JS]) if (!existsSync(js)) throw new BenchSkipped(`${js} is missing (npx turbo run build)`);
    const kafka = new Kafka({ clientId: 'bench-archiver', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    try {
      // 1. Throughput, chainer then archiver on the same data.
      const prefix = `bench-arch-${run}.`;
      const names = await createTopics(admin, prefix);
      let chainerRate: number;
      let archiverRate: number;
      let puts: number;
      try {
        await produce(kafka, names.events, Array.from({ length: EVENTS }, (_, i) => sampleEvent(i)));
        const chainer = startService(CHAINER_JS, chainerEnv(brokers, prefix), 'chain head recovered');
        try {
          const start = await chainer.ready;
          const end = await waitForCommits(admin, names.events, `${prefix}chainer`, 0, 600_000);
          chainerRate = EVENTS / ((end - start) / 1000);
        } finally {
          await chainer.stop();
        }
        const archiver = startService(ARCHIVER_JS, archiverEnv(brokers, prefix, `${run}-t`), 'partition recovered from S3');
        try {
          const start = await archiver.ready;
          // The last transaction's commit marker follows the last entry: slack 1.
          const end = await waitForCommits(admin, names.sealed, `${prefix}archiver`, 1, 600_000);
          archiverRate = EVENTS / ((end - start) / 1000);
          puts = sumMetric(await fetchMetrics(await archiver.port), 'auditseal_archiver_objects_written_total');
        } finally {
          await archiver.stop();
        }
      } finally {
        await deleteTopics(admin, names);
      }
      const ratio = archiverRate / chainerRate;
      const putsPerMillion = (puts / EVENTS) * 1_000_000;
      ctx.log(`  chainer ${Math.round(chainerRate).toLocaleString('en-US')} entries/s   archiver ${Math.round(archiverRate).toLocaleString('en-US')} entries/s   ratio ${ratio.toFixed(3)} (archiver_vs_chainer)`);
      ctx.log(`  ${puts} PUTs for ${EVENTS.toLocaleString('en-US')} events = ${putsPerMillion.toFixed(1)} per million`);

      // 2. Latency at low traffic, both services live.
      const latPrefix = `bench-arch-lat-${run}.`;
      const latNames = await createTopics(admin, latPrefix);
      let p99: number;
      let archived: number;
      try {
        const chainer = startService(CHAINER_JS, chainerEnv(brokers, latPrefix), 'chain head recovered');
        const archiver = startService(ARCHIVER_JS, archiverEnv(brokers, latPrefix, `${run}-l`), 'partition recovered from S3');
        try {
          await Promise.all([chainer.ready, archiver.ready]);
          const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
          await producer.connect();
          const total = Math.round(LATENCY_RATE * LATENCY_SECONDS);
          const started = Date.now();
          let sent = 0;
          while (sent < total) {
            const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * LATENCY_RATE));
            if (due > sent) {
              const messages: Message[] = [];
              for (; sent < due; sent++) messages.push({ partition: sent % PARTITIONS, value: sampleEvent(sent) });
              await producer.send({ topic: latNames.events, acks: -1, messages });
            }
            await sleep(20);
          }
          await producer.disconnect();
          await waitForCommits(admin, latNames.events, `${latPrefix}chainer`, 0, 120_000);
          await waitForCommits(admin, latNames.sealed, `${latPrefix}archiver`, 1, 120_000);
          const text = await fetchMetrics(await archiver.port);
          p99 = histogramQuantile(text, 'auditseal_archiver_sealed_to_archived_seconds', 0.99);
          archived = sumMetric(text, 'auditseal_archiver_sealed_to_archived_seconds_count');
        } finally {
          await Promise.all([archiver.stop(), chainer.stop()]);
        }
      } finally {
        await deleteTopics(admin, latNames);
      }
      ctx.log(`  sealed→archived at ${LATENCY_RATE} events/s for ${LATENCY_SECONDS} s (default max age 30 s): p99 ≤ ${p99} s (${archived} entries)`);
      return {
        ratios: { archiver_vs_chainer: round(ratio) },
        figures: {
          archiver_entries_per_s: Math.round(archiverRate),
          archiver_chainer_entries_per_s: Math.round(chainerRate),
          archiver_puts_per_million_events: round(putsPerMillion, 1),
          archiver_sealed_to_archived_p99_seconds: p99,
        },
      };
    } finally {
      await admin.disconnect();
    }
  },
};
