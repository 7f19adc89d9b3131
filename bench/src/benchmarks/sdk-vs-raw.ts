import { benchSdkVsRaw } from '@auditseal/producer';
import { Kafka, logLevel } from 'kafkajs';
import { BenchSkipped, type Benchmark, type BenchResult } from '../harness';

/*
 * The SDK against the Kafka of KAFKA_BROKERS (`eval "$(npm run -s infra:env)"`):
 * `emit` of @auditseal/producer (fill, validate, encode, queue, batch, acks=all
 * idempotent send, a receipt per event) against a raw kafkajs idempotent
 * producer sending the same events, already encoded, acks=all, in batches of
 * the SDK's default size — benchSdkVsRaw in packages/producer, which owns the
 * method (fresh 4-partition topic, interleaved rounds alternating the first
 * side, median of the per-round ratios).
 */

const EVENTS = Number(process.env.BENCH_SDK_EVENTS ?? 20_000);

/** Throws BenchSkipped unless a Kafka client connects within a few seconds. */
async function ensureReachable(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench-sdk-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 1, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new BenchSkipped(`Kafka at ${brokers.join(',')} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const sdkVsRawBenchmark: Benchmark = {
  name: 'sdk-vs-raw',
  description: `@auditseal/producer emit vs a raw kafkajs idempotent producer (acks=all) sending the same ${EVENTS.toLocaleString('en-US')} events pre-encoded, same topic, same run`,
  ratios: ['sdk_vs_raw_produce'],
  async run(ctx): Promise<BenchResult> {
    const list = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
    if (list.length === 0) throw new BenchSkipped('KAFKA_BROKERS is not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
    await ensureReachable(list);
    const result = await benchSdkVsRaw({ brokers: list, events: EVENTS, rounds: ctx.rounds, log: ctx.log });
    ctx.log(
      `  sdk ${result.figures.sdk_emit_events_per_s?.toLocaleString('en-US')}/s   raw ${result.figures.raw_produce_events_per_s?.toLocaleString('en-US')}/s   ratio ${result.ratios.sdk_vs_raw_produce}  (sdk_vs_raw_produce)   sdk signing ${result.figures.sdk_signed_emit_events_per_s?.toLocaleString('en-US')}/s`,
    );
    return result;
  },
};
