import { encodeEvent, uuidv7, type AuditEvent } from '@auditseal/codec';
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { createAuditProducer } from './audit-producer';
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
  /** Medians: `sdk_emit_events_per_s`, `raw_produce_events_per_s`. */
  figures: Record<string, number>;
}

const TENANTS = 16;

/** A typical audit event: ~350 bytes encoded. */
function sampleEvent(i: number): AuditEventInput {
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

  const inputs = Array.from({ length: events }, (_, i) => sampleEvent(i));
  const source = { service: 'bench', instance: 'bench-1', region: null };
  const encoded: Message[] = inputs.map((input) => {
    const event: AuditEvent = { ...input, eventId: uuidv7(), eventTime: Date.now() * 1000, source };
    return { key: event.tenant, value: encodeEvent(event) };
  });

  const raw = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await raw.connect();
  const sdk = createAuditProducer({ kafka, topic, source });
  try {
    const runSdk = async () => {
      await Promise.all(inputs.map((input) => sdk.emit(input)));
    };
    const runRaw = async () => {
      for (let i = 0; i < encoded.length; i += PRODUCER_DEFAULTS.maxBatchEvents) {
        await raw.send({ topic, acks: -1, messages: encoded.slice(i, i + PRODUCER_DEFAULTS.maxBatchEvents) });
      }
    };
    const rate = async (fn: () => Promise<void>) => {
      const start = process.hrtime.bigint();
      await fn();
      return events / (Number(process.hrtime.bigint() - start) / 1e9);
    };
    // Warm-up: connections, metadata, JIT.
    await runSdk();
    await runRaw();

    const sdkRates: number[] = [];
    const rawRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        sdkRates.push(await rate(runSdk));
        rawRates.push(await rate(runRaw));
      } else {
        rawRates.push(await rate(runRaw));
        sdkRates.push(await rate(runSdk));
      }
      log(`  round ${round + 1}: sdk ${Math.round(sdkRates[round]!)} events/s, raw ${Math.round(rawRates[round]!)} events/s`);
    }
    const ratio = median(sdkRates.map((s, i) => s / rawRates[i]!));
    return {
      ratios: { sdk_vs_raw_produce: Math.round(ratio * 1000) / 1000 },
      figures: { sdk_emit_events_per_s: Math.round(median(sdkRates)), raw_produce_events_per_s: Math.round(median(rawRates)) },
    };
  } finally {
    await sdk.close();
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
