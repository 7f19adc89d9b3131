import { benchEventInput, createRawBenchProducer, encodeBenchEvents, sendRawBatched } from '@auditseal/producer';
import type { Message } from 'kafkajs';
import { median, round, type Benchmark, type BenchResult } from '../harness';
import { benchKafka, createPlainTopic, requireKafka } from '../pipeline';
import { kafkaLibsDir, runProducerPerformance } from '../producer-perf';

/*
 * Raw Kafka produce, the floor of everything the pipeline does: Kafka's own
 * ProducerPerformance (kafka-producer-perf-test, Java client) against the raw
 * batched kafkajs producer that is the baseline of sdk_vs_raw_produce and
 * e2e_vs_raw_produce (packages/producer `sendRawBatched`: idempotent, acks=all,
 * batches of the SDK's default 1,000 events, one request at a time). Same
 * number of records, same mean record size (the SDK benchmark's events,
 * encoded), acks=all, idempotent; each side to its own fresh 4-partition
 * topic. Rounds alternate which side goes first; both sides are warmed up
 * (kafkajs: one unmeasured send of all records; Java: --warmup-records, a
 * fifth of the records, left out of its steady-state figures).
 * kafkajs_vs_producer_perf = median over rounds of kafkajs / Java events/s.
 */

const EVENTS = Number(process.env.BENCH_PRODUCE_EVENTS ?? 100_000);

/** Mean encoded size of `messages`' values, bytes (the record size ProducerPerformance is given). */
export function meanValueBytes(messages: readonly Message[]): number {
  const total = messages.reduce((sum, m) => sum + (Buffer.isBuffer(m.value) ? m.value.length : Buffer.byteLength(String(m.value ?? ''))), 0);
  return messages.length === 0 ? 0 : Math.round(total / messages.length);
}

export const rawProduceBenchmark: Benchmark = {
  name: 'raw-produce',
  description: `raw Kafka produce: kafkajs batched (the SDK's baseline) vs Kafka's ProducerPerformance (Java), ${EVENTS.toLocaleString('en-US')} records of the SDK events' size, acks=all, idempotent`,
  ratios: ['kafkajs_vs_producer_perf'],
  async run(ctx): Promise<BenchResult> {
    const brokers = requireKafka();
    const libsDir = kafkaLibsDir();
    const kafka = benchKafka('bench-raw-produce', brokers);
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    const topics = { kafkajs: `bench-raw-kafkajs-${run}`, java: `bench-raw-java-${run}` };
    const producer = createRawBenchProducer(kafka);
    try {
      for (const topic of Object.values(topics)) await createPlainTopic(admin, topic);
      const messages = encodeBenchEvents(Array.from({ length: EVENTS }, (_, i) => benchEventInput(i)));
      const recordBytes = meanValueBytes(messages);
      await producer.connect();
      await sendRawBatched(producer, topics.kafkajs, messages); // warm-up: connections, metadata, JIT
      const kafkajs: number[] = [];
      const java: number[] = [];
      const javaP50: number[] = [];
      const javaP99: number[] = [];
      const runKafkajs = async () => {
        const start = process.hrtime.bigint();
        await sendRawBatched(producer, topics.kafkajs, messages);
        kafkajs.push(EVENTS / (Number(process.hrtime.bigint() - start) / 1e9));
      };
      const runJava = async () => {
        const summary = await runProducerPerformance({ libsDir, brokers, topic: topics.java, records: EVENTS, warmupRecords: Math.round(EVENTS / 5), recordBytes });
        java.push(summary.recordsPerSecond);
        javaP50.push(summary.p50Ms);
        javaP99.push(summary.p99Ms);
      };
      for (let r = 0; r < ctx.rounds; r++) {
        for (const side of r % 2 === 0 ? [runKafkajs, runJava] : [runJava, runKafkajs]) await side();
        ctx.log(`  round ${r + 1}/${ctx.rounds}: kafkajs ${Math.round(kafkajs[r]!).toLocaleString('en-US')}/s   ProducerPerformance ${Math.round(java[r]!).toLocaleString('en-US')}/s`);
      }
      const ratio = median(kafkajs.map((k, i) => k / java[i]!));
      ctx.log(`  kafkajs ${Math.round(median(kafkajs)).toLocaleString('en-US')}/s   ProducerPerformance ${Math.round(median(java)).toLocaleString('en-US')}/s (p99 ${median(javaP99)} ms)   ${recordBytes} B records   ratio ${ratio.toFixed(3)} (kafkajs_vs_producer_perf)`);
      return {
        ratios: { kafkajs_vs_producer_perf: round(ratio) },
        figures: {
          raw_kafkajs_events_per_s: Math.round(median(kafkajs)),
          producer_perf_events_per_s: Math.round(median(java)),
          producer_perf_p50_ms: median(javaP50),
          producer_perf_p99_ms: median(javaP99),
          produce_record_bytes: recordBytes,
        },
      };
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
