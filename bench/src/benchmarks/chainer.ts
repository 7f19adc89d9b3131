import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeSealedEntry, encodeEvent, uuidv7 } from '@auditseal/codec';
import { ensureTopics, topicNames, type TopicNames } from '@auditseal/kafka';
import { Kafka, logLevel, Partitioners, type Admin, type Message } from 'kafkajs';
import { BenchSkipped, median, round, type Benchmark, type BenchResult } from '../harness';

/*
 * The chainer (services/chainer) as deployed: `node services/chainer/dist/main.js`
 * against the Kafka of KAFKA_BROKERS (`eval "$(npm run -s infra:env)"`).
 *
 * 1. Throughput, exactly-once (a Kafka transaction per batch) vs at-least-once
 *    (the same code with an idempotent producer and a plain offset commit after
 *    the send) on the same input: EVENTS events pre-produced into a fresh set
 *    of topics per run, runs interleaved EOS/ALO with the starting side
 *    rotating. A run is timed from the moment the chainer has recovered its
 *    heads (its log line) until the group's committed offsets reach the end of
 *    every partition. Ratio chainer_eos_vs_alo = median of per-round EOS/ALO.
 * 2. Produce→sealed latency at half the measured EOS maximum: events produced
 *    at that rate for LATENCY_SECONDS; latency = the moment a read_committed
 *    consumer of audit.sealed receives the entry - the input record's Kafka
 *    timestamp (set by the producing client at send time).
 */

const PARTITIONS = 4;
const EVENTS = Number(process.env.BENCH_CHAINER_EVENTS ?? 100_000);
const LATENCY_SECONDS = 10;
const MAIN_JS = resolve(__dirname, '..', '..', '..', 'services', 'chainer', 'dist', 'main.js');

type Delivery = 'exactly-once' | 'at-least-once';

function sampleEvent(i: number): Buffer {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTopics(admin: Admin, prefix: string): Promise<TopicNames> {
  const names = topicNames(prefix);
  await ensureTopics(admin, names, { partitions: PARTITIONS, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
  return names;
}

async function produce(kafka: Kafka, topic: string, values: readonly Buffer[]): Promise<void> {
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

interface RunningChainer {
  lines: string[];
  /** Resolves with the time (ms since the epoch, from the log) the last of the PARTITIONS heads was recovered. */
  recovered: Promise<number>;
  stop(): Promise<void>;
}

function startChainer(brokers: string, prefix: string, delivery: Delivery): RunningChainer {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: brokers,
      AUDITSEAL_CLUSTER: 'bench',
      AUDITSEAL_TOPIC_PREFIX: prefix,
      AUDITSEAL_MIN_INSYNC_REPLICAS: '1',
      CHAINER_DELIVERY: delivery,
      HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let onRecovered: (t: number) => void = () => {};
  let failRecovery: (e: Error) => void = () => {};
  const recovered = new Promise<number>((res, rej) => {
    onRecovered = res;
    failRecovery = rej;
  });
  const recoveredAt: number[] = [];
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line.includes('chain head recovered')) {
        recoveredAt.push(Date.parse((JSON.parse(line) as { time: string }).time));
        if (recoveredAt.length === PARTITIONS) onRecovered(Math.max(...recoveredAt));
      }
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  void exited.then((code) => failRecovery(new Error(`chainer exited with ${code} before recovering: ${lines.slice(-5).join(' | ')}`)));
  return {
    lines,
    recovered,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls until the group has committed the end offset of every partition; returns when it saw that. */
async function waitUntilSealed(admin: Admin, names: TopicNames, groupId: string, timeoutMs: number): Promise<number> {
  const ends = new Map((await admin.fetchTopicOffsets(names.events)).map((o) => [o.partition, Number(o.high)]));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [names.events] });
    if ((committed?.partitions ?? []).every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0))) return Date.now();
    await sleep(20);
  }
  throw new Error(`the chainer did not seal ${names.events} within ${timeoutMs} ms`);
}

async function throughputRun(kafka: Kafka, admin: Admin, brokers: string, values: readonly Buffer[], delivery: Delivery, tag: string): Promise<number> {
  const prefix = `bench-${tag}-${Date.now().toString(36)}.`;
  const names = await createTopics(admin, prefix);
  try {
    await produce(kafka, names.events, values);
    const chainer = startChainer(brokers, prefix, delivery);
    try {
      const start = await chainer.recovered;
      const end = await waitUntilSealed(admin, names, `${prefix}chainer`, 300_000);
      return values.length / ((end - start) / 1000);
    } finally {
      await chainer.stop();
    }
  } finally {
    await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function latencyRun(kafka: Kafka, admin: Admin, brokers: string, rate: number): Promise<{ p50: number; p99: number; count: number }> {
  const prefix = `bench-lat-${Date.now().toString(36)}.`;
  const names = await createTopics(admin, prefix);
  const chainer = startChainer(brokers, prefix, 'exactly-once');
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `${prefix}latency-reader`, readUncommitted: false, maxWaitTimeInMs: 100 });
  try {
    await chainer.recovered;
    await consumer.connect();
    await consumer.subscribe({ topic: names.sealed, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) latencies.push(now - decodeSealedEntry(message.value!).sourceTimestamp);
      },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const tickMs = 20;
    const total = Math.round(rate * LATENCY_SECONDS);
    const started = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * rate));
      if (due > sent) {
        const messages: Message[] = [];
        for (; sent < due; sent++) messages.push({ partition: sent % PARTITIONS, value: sampleEvent(sent) });
        await producer.send({ topic: names.events, acks: -1, messages });
      }
      await sleep(tickMs);
    }
    await producer.disconnect();
    const deadline = Date.now() + 60_000;
    while (latencies.length < total && Date.now() < deadline) await sleep(50);
    const sorted = [...latencies].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await chainer.stop();
    await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
  }
}

export const chainerBenchmark: Benchmark = {
  name: 'chainer',
  description: `chainer throughput exactly-once vs at-least-once (${EVENTS.toLocaleString('en-US')} events, ${PARTITIONS} partitions, same input), produce→sealed latency at half the maximum rate`,
  ratios: ['chainer_eos_vs_alo'],
  async run(ctx): Promise<BenchResult> {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new BenchSkipped('KAFKA_BROKERS is not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
    if (!existsSync(MAIN_JS)) throw new BenchSkipped(`${MAIN_JS} is missing (npx turbo run build)`);
    const kafka = new Kafka({ clientId: 'bench-chainer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const values = Array.from({ length: EVENTS }, (_, i) => sampleEvent(i));
      const rounds = Math.max(2, Math.ceil(ctx.rounds / 2));
      const eos: number[] = [];
      const alo: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const order: Delivery[] = r % 2 === 0 ? ['exactly-once', 'at-least-once'] : ['at-least-once', 'exactly-once'];
        for (const delivery of order) {
          const rate = await throughputRun(kafka, admin, brokers, values, delivery, `${r}${delivery === 'exactly-once' ? 'e' : 'a'}`);
          (delivery === 'exactly-once' ? eos : alo).push(rate);
          ctx.log(`  round ${r + 1}/${rounds}  ${delivery.padEnd(13)} ${Math.round(rate).toLocaleString('en-US')} events/s`);
        }
      }
      const ratio = median(eos.map((v, i) => v / alo[i]!));
      const maxRate = median(eos);
      ctx.log(`  exactly-once ${Math.round(maxRate).toLocaleString('en-US')}/s   at-least-once ${Math.round(median(alo)).toLocaleString('en-US')}/s   ratio ${ratio.toFixed(3)}  (chainer_eos_vs_alo)`);
      const rate = Math.max(1, Math.round(maxRate / 2));
      const latency = await latencyRun(kafka, admin, brokers, rate);
      ctx.log(`  produce→sealed at ${rate.toLocaleString('en-US')} events/s for ${LATENCY_SECONDS} s: p50 ${latency.p50} ms  p99 ${latency.p99} ms  (${latency.count} events)`);
      return {
        ratios: { chainer_eos_vs_alo: round(ratio) },
        figures: {
          chainer_eos_events_per_s: Math.round(maxRate),
          chainer_alo_events_per_s: Math.round(median(alo)),
          chainer_latency_rate_events_per_s: rate,
          chainer_latency_p50_ms: latency.p50,
          chainer_latency_p99_ms: latency.p99,
        },
      };
    } finally {
      await admin.disconnect();
    }
  },
};
