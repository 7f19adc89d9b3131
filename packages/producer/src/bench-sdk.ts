import { encodeEvent, uuidv7, type AuditEvent } from '@auditseal/codec';
import { generateSigningKey } from '@auditseal/core';
import { Kafka, Partitioners, logLevel, type Message, type Producer } from 'kafkajs';
import { createAuditProducer, type AuditProducer } from './audit-producer';
import { PRODUCER_DEFAULTS } from './options';
import type { AuditEventInput } from './prepare-event';

export interface SdkVsRawOptions {
  brokers: string[];
  /** Events per round and side. Default 20,000. */
  events?: number;
  /** Interleaved rounds (the starting side alternates). Default 5. */
  rounds?: number;
  log?: (line: string) => void;
}

export interface SdkVsRawResult {
  /** `sdk_vs_raw_produce`: median over rounds of SDK events/s ÷ raw events/s measured in the same round. */
  ratios: Record<string, number>;
  /** Medians: `sdk_emit_events_per_s`, `raw_produce_events_per_s`, `sdk_signed_emit_events_per_s`. */
  figures: Record<string, number>;
}

const TENANTS = 16;

/** The `source` the benchmarks' events carry. */
export const BENCH_SOURCE = Object.freeze({ service: 'bench', instance: 'bench-1', region: null });

/** Event i of the benchmarks' workload: a typical audit event, ~350 bytes encoded (16 tenants). */
export function benchEventInput(i: number): AuditEventInput {
  return {
    tenant: `tenant-${i % TENANTS}`,
    actor: { type: 'user', id: `user-${i % 1000}`, displayName: 'Ada Lovelace', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
    action: 'invoice.approve',
    target: { type: 'invoice', id: `inv-${i}`, name: `Invoice ${i}` },
    outcome: 'SUCCESS',
    correlationId: `req-${i}`,
    attributes: { amount: '1250.00', currency: 'EUR', approver_role: 'finance-lead' },
  };
}

/**
 * The same events as the SDK would write them, encoded once up front (fresh
 * event ids, `BENCH_SOURCE`), keyed by tenant: what a raw producer sends.
 */
export function encodeBenchEvents(inputs: readonly AuditEventInput[]): Message[] {
  return inputs.map((input) => {
    const event: AuditEvent = { ...input, eventId: uuidv7(), eventTime: Date.now() * 1000, source: BENCH_SOURCE };
    return { key: event.tenant, value: encodeEvent(event) };
  });
}

/**
 * How the benchmarks emit: as fast as the SDK takes events, with at most
 * `outstanding` receipts pending (default: the SDK's `maxBufferedEvents`), as
 * the `emit` docs advise. Emitting everything in one synchronous loop would
 * prepare and encode every event before the first batch could be sent (for
 * 200,000 events, about a second in which nothing downstream has work).
 */
export async function emitBounded(sdk: Pick<AuditProducer, 'emit'>, inputs: readonly AuditEventInput[], outstanding: number = PRODUCER_DEFAULTS.maxBufferedEvents): Promise<void> {
  const receipts: Promise<unknown>[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    if (i >= outstanding) await receipts[i - outstanding];
    receipts[i] = sdk.emit(inputs[i]!);
  }
  await Promise.all(receipts);
}

/**
 * The raw baseline: `messages` sent with acks=all by a kafkajs producer (make
 * it idempotent), in batches of the SDK's default `maxBatchEvents`, one
 * request at a time — what a careful hand-written producer does.
 */
export async function sendRawBatched(producer: Producer, topic: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += PRODUCER_DEFAULTS.maxBatchEvents) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + PRODUCER_DEFAULTS.maxBatchEvents) });
  }
}

/** The raw baseline's producer: kafkajs, idempotent, one request in flight. */
export function createRawBenchProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
}

/**
 * `sdk_vs_raw_produce` (DESIGN.md "The contract", bench/README.md): the
 * throughput of `emit` (fill, validate, encode, queue, batch, acks=all
 * idempotent send, receipt per event) against a raw kafkajs idempotent
 * producer sending the same events, already encoded, with acks=all in
 * batches of the SDK's default `maxBatchEvents`, one request at a time —
 * what a careful hand-written producer does. Both sides write to the same
 * fresh 4-partition topic; rounds interleave and alternate which side goes
 * first; the ratio is the median of the per-round ratios. Target ≥ 0.7.
 */
export async function benchSdkVsRaw(options: SdkVsRawOptions): Promise<SdkVsRawResult> {
  const events = options.events ?? 20_000;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? (() => undefined);
  const kafka = new Kafka({ clientId: 'auditseal-bench-sdk', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench-sdk-vs-raw-${Date.now().toString(36)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });

  const inputs = Array.from({ length: events }, (_, i) => benchEventInput(i));
  const encoded = encodeBenchEvents(inputs);

  const raw = createRawBenchProducer(kafka);
  await raw.connect();
  const sdk = createAuditProducer({ kafka, topic, source: BENCH_SOURCE });
  // Not in the ratio: the same emits signed (FORMAT.md 8.5), Ed25519 per event.
  const signingSdk = createAuditProducer({ kafka, topic, source: BENCH_SOURCE, signingKey: generateSigningKey() });
  try {
    const runSdk = async () => {
      await emitBounded(sdk, inputs);
    };
    const runSigned = async () => {
      await emitBounded(signingSdk, inputs);
    };
    const runRaw = () => sendRawBatched(raw, topic, encoded);
    const rate = async (fn: () => Promise<void>) => {
      const start = process.hrtime.bigint();
      await fn();
      return events / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    // Warm-up: connections, metadata, JIT.
    await runSdk();
    await runRaw();
    await runSigned();

    const sdkRates: number[] = [];
    const rawRates: number[] = [];
    const signedRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        sdkRates.push(await rate(runSdk));
        rawRates.push(await rate(runRaw));
      } else {
        rawRates.push(await rate(runRaw));
        sdkRates.push(await rate(runSdk));
      }
      signedRates.push(await rate(runSigned));
      log(`  round ${round + 1}: sdk ${Math.round(sdkRates[round]!)} events/s, raw ${Math.round(rawRates[round]!)} events/s, sdk signing ${Math.round(signedRates[round]!)} events/s`);
    }
    const ratio = median(sdkRates.map((s, i) => s / rawRates[i]!));
    return {
      ratios: { sdk_vs_raw_produce: Math.round(ratio * 1000) / 1000 },
      figures: { sdk_emit_events_per_s: Math.round(median(sdkRates)), raw_produce_events_per_s: Math.round(median(rawRates)), sdk_signed_emit_events_per_s: Math.round(median(signedRates)) },
    };
  } finally {
    await sdk.close();
    await signingSdk.close();
    await raw.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
