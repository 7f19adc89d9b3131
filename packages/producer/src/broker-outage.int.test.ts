import { decodeEvent } from '@auditseal/codec';
import { startDedicatedKafka, uniqueName, waitFor, type DedicatedKafka } from '@auditseal/testkit';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { createAuditProducer, type AuditProducer } from './audit-producer';
import { ProducerError } from './errors';
import type { EmitReceipt } from './event-batcher';
import type { AuditEventInput } from './prepare-event';

// The broker goes away under the producer. These tests stop and restart a
// Kafka of their own (startDedicatedKafka), never the shared one other tests use.

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

const sampleEvent = (i: number): AuditEventInput => ({
  tenant: `tenant-${i % 5}`,
  actor: { type: 'service', id: 'outage-test' },
  action: 'record.write',
  target: { type: 'record', id: `r-${i}` },
  outcome: 'SUCCESS',
});

interface Outcome {
  promise: Promise<EmitReceipt>;
  emittedAt: number;
  settledAt?: number;
  receipt?: EmitReceipt;
  error?: ProducerError;
}

/**
 * Calls `emit` and tracks its outcome. The time is taken before the call: the
 * deadline starts inside it, and a pause after it returns (a GC in a busy test
 * run) must not make the emit look settled early.
 */
function track(emit: () => Promise<EmitReceipt>): Outcome {
  const emittedAt = performance.now();
  const outcome: Outcome = { promise: emit(), emittedAt };
  outcome.promise.then(
    (receipt) => Object.assign(outcome, { receipt, settledAt: performance.now() }),
    (error: ProducerError) => Object.assign(outcome, { error, settledAt: performance.now() }),
  );
  return outcome;
}

describe('AuditProducer when the broker stops', () => {
  let broker: DedicatedKafka;
  let kafka: Kafka;
  const producers: AuditProducer[] = [];

  beforeAll(async () => {
    broker = await startDedicatedKafka();
    kafka = new Kafka({ clientId: 'outage-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  });
  afterEach(async () => {
    await Promise.all(producers.splice(0).map((p) => p.close({ timeoutMs: 5_000 })));
  });
  afterAll(async () => {
    await broker?.destroy();
  });

  const createTopic = async (): Promise<string> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = uniqueName('outage');
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      return topic;
    } finally {
      await admin.disconnect();
    }
  };

  const createProducer = (topic: string, options: Partial<Parameters<typeof createAuditProducer>[0]>) => {
    const producer = createAuditProducer({ brokers: broker.brokers, topic, source: { service: 'outage-test', instance: 'jest' }, logger: quiet, lingerMs: 5, ...options });
    producers.push(producer);
    return producer;
  };

  // Small caps so that the buffer fills at once; events are ~130 bytes, so the byte cap binds first.
  const CAPS = { maxBufferedEvents: 200, maxBufferedBytes: 16_384, maxBatchEvents: 50, maxEventBytes: 4_096 };

  describe('and stays down past the delivery deadline', () => {
    it('blocks emits once the buffer is full, keeps memory within the caps, then rejects every emit with delivery_timeout', async () => {
      const deliveryTimeoutMs = 3_000;
      const topic = await createTopic();
      const producer = createProducer(topic, { ...CAPS, deliveryTimeoutMs });
      await producer.emit(sampleEvent(-1)); // connected, metadata known
      await broker.stop();

      const outcomes = Array.from({ length: 2_000 }, (_, i) => track(() => producer.emit(sampleEvent(i))));
      const stats = producer.stats();
      // Backpressure: the buffer is full and the rest of the emits wait for room.
      expect(stats.waitingEmits).toBeGreaterThan(0);
      expect(stats.bufferedEvents).toBeLessThanOrEqual(CAPS.maxBufferedEvents);
      expect(stats.bufferedBytes).toBeLessThanOrEqual(CAPS.maxBufferedBytes);
      expect(stats.bufferedEvents + stats.waitingEmits).toBe(outcomes.length);

      await waitFor(() => outcomes.every((o) => o.settledAt !== undefined), { description: 'every emit settled', timeoutMs: deliveryTimeoutMs + 10_000 });
      const after = producer.stats();
      expect(after.peakBufferedEvents).toBeLessThanOrEqual(CAPS.maxBufferedEvents);
      expect(after.peakBufferedBytes).toBeLessThanOrEqual(CAPS.maxBufferedBytes);

      // No receipt while the broker was down; every emit failed with a typed, retriable timeout, not before its deadline.
      expect(outcomes.filter((o) => o.receipt !== undefined)).toHaveLength(0);
      for (const outcome of outcomes) {
        expect(outcome.error).toBeInstanceOf(ProducerError);
        expect(outcome.error).toMatchObject({ code: 'delivery_timeout', retriable: true });
        expect(outcome.settledAt! - outcome.emittedAt).toBeGreaterThanOrEqual(deliveryTimeoutMs - 5);
      }
      const outcomesByKind = new Map<unknown, number>();
      for (const o of outcomes) outcomesByKind.set(o.error!.details.outcome, (outcomesByKind.get(o.error!.details.outcome) ?? 0) + 1);
      // The batch that was being sent may have been written; the rest was never sent.
      expect(outcomesByKind.get('unknown') ?? 0).toBeLessThanOrEqual(CAPS.maxBatchEvents);
      expect(outcomesByKind.get('not_sent')).toBeGreaterThanOrEqual(outcomes.length - CAPS.maxBatchEvents);

      await broker.start();
    });
  });

  describe('and comes back within the delivery deadline', () => {
    it('delivers every event exactly as emitted: none lost, none duplicated', async () => {
      await broker.start(); // a no-op unless an earlier test left it stopped
      const topic = await createTopic();
      const producer = createProducer(topic, { ...CAPS, deliveryTimeoutMs: 60_000 });
      const first = await producer.emit(sampleEvent(-1));
      await broker.stop();

      const inputs = Array.from({ length: 1_000 }, (_, i) => sampleEvent(i));
      const outcomes = inputs.map((input) => track(() => producer.emit(input)));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(producer.stats().waitingEmits).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.settledAt !== undefined)).toHaveLength(0);

      await broker.start();
      const receipts = await Promise.all(outcomes.map((o) => o.promise));
      expect(producer.stats().peakBufferedEvents).toBeLessThanOrEqual(CAPS.maxBufferedEvents);

      const consumer = kafka.consumer({ groupId: uniqueName('outage-check'), maxWaitTimeInMs: 250 });
      const consumed: { eventId: string; tenant: string; target: string; key: string; partition: number; offset: string }[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
            const event = decodeEvent(message.value!);
            consumed.push({ eventId: event.eventId, tenant: event.tenant, target: event.target.id, key: message.key!.toString(), partition, offset: message.offset });
          },
        });
        await waitFor(() => consumed.length, { description: `${inputs.length + 1} records on ${topic}`, until: (n) => n >= inputs.length + 1, timeoutMs: 60_000 });
        // Anything beyond the expected count would be a duplicate: give it a moment to show up.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await consumer.disconnect();
      }

      const emittedIds = [first.eventId, ...receipts.map((r) => r.eventId)];
      const seen = new Map<string, number>();
      for (const c of consumed) seen.set(c.eventId, (seen.get(c.eventId) ?? 0) + 1);
      const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      const lost = emittedIds.filter((id) => !seen.has(id));
      expect({ lost, duplicates, unexpected: consumed.length - emittedIds.length }).toEqual({ lost: [], duplicates: [], unexpected: 0 });

      const byId = new Map(consumed.map((c) => [c.eventId, c]));
      receipts.forEach((receipt, i) => {
        const record = byId.get(receipt.eventId)!;
        expect(record).toMatchObject({ tenant: inputs[i]!.tenant, key: inputs[i]!.tenant, target: inputs[i]!.target.id, partition: receipt.partition, offset: receipt.offset });
      });
    });
  });
});
