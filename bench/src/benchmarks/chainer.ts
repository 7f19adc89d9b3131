import { existsSync } from 'node:fs';
import { decodeSealedEntry } from '@auditseal/codec';
import { Partitioners, type Admin, type Kafka, type Message } from 'kafkajs';
import { BenchSkipped, median, round, type Benchmark, type BenchResult } from '../harness';
import { percentile } from '../latency';
import { benchKafka, CHAINER_JS, chainerEnv, createTopics, deleteTopics, PARTITIONS, produce, requireKafka, sampleEvent, sleep, startService, waitForCommits } from '../pipeline';

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

const EVENTS = Number(process.env.BENCH_CHAINER_EVENTS ?? 100_000);
const LATENCY_SECONDS = 10;

type Delivery = 'exactly-once' | 'at-least-once';

const startChainer = (brokers: string, prefix: string, delivery: Delivery) => startService(CHAINER_JS, chainerEnv(brokers, prefix, { CHAINER_DELIVERY: delivery }), 'chain head recovered');

async function throughputRun(kafka: Kafka, admin: Admin, brokers: string, values: readonly Buffer[], delivery: Delivery, tag: string): Promise<number> {
  const prefix = `bench-${tag}-${Date.now().toString(36)}.`;
  const names = await createTopics(admin, prefix);
  try {
    await produce(kafka, names.events, values);
    const chainer = startChainer(brokers, prefix, delivery);
    try {
      const start = await chainer.ready;
      const end = await waitForCommits(admin, names.events, `${prefix}chainer`, 0, 300_000);
      return values.length / ((end - start) / 1000);
    } finally {
      await chainer.stop();
    }
  } finally {
    await deleteTopics(admin, names);
  }
}

async function latencyRun(kafka: Kafka, admin: Admin, brokers: string, rate: number): Promise<{ p50: number; p99: number; count: number }> {
  const prefix = `bench-lat-${Date.now().toString(36)}.`;
  const names = await createTopics(admin, prefix);
  const chainer = startChainer(brokers, prefix, 'exactly-once');
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId: `${prefix}latency-reader`, readUncommitted: false, maxWaitTimeInMs: 100 });
  try {
    await chainer.ready;
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
    await deleteTopics(admin, names);
  }
}

export const chainerBenchmark: Benchmark = {
  name: 'chainer',
  description: `chainer throughput exactly-once vs at-least-once (${EVENTS.toLocaleString('en-US')} events, ${PARTITIONS} partitions, same input), produce→sealed latency at half the maximum rate`,
  ratios: ['chainer_eos_vs_alo'],
  async run(ctx): Promise<BenchResult> {
    const brokers = requireKafka();
    if (!existsSync(CHAINER_JS)) throw new BenchSkipped(`${CHAINER_JS} is missing (npx turbo run build)`);
    const kafka = benchKafka('bench-chainer', brokers);
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
