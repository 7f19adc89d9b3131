import { decodeEventDetailed, type AuditEvent } from '@auditseal/codec';
import { createKeyring, generateSigningKey, publicKeyEntry, verifySignature } from '@auditseal/core';
import { topicConfigs } from '@auditseal/kafka';
import { createCleanup, createTestKafka, waitFor, type TestKafka } from '@auditseal/testkit';
import type { KafkaMessage } from 'kafkajs';
import { createAuditProducer, type AuditProducer } from './audit-producer';
import type { EmitReceipt } from './event-batcher';
import type { AuditEventInput } from './prepare-event';

// Round trips through the real local Kafka (never a mock): what the SDK
// acknowledges is what a consumer reads, where the receipt says it is.

const PARTITIONS = 4;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

interface Consumed {
  partition: number;
  offset: string;
  key: string;
  event: AuditEvent;
  signedBytes: Buffer | null;
}

/** Creates a topic with the audit policy's configs (min ISR 1: the local Kafka may have one broker). */
async function createAuditTopic(kafka: TestKafka): Promise<string> {
  return kafka.createTopic({
    prefix: 'producer-rt',
    partitions: PARTITIONS,
    config: topicConfigs('events', { partitions: PARTITIONS, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 }),
  });
}

/** Reads `count` records of `topic` from the beginning and decodes each with the codec. */
async function consume(kafka: TestKafka, topic: string, count: number): Promise<Consumed[]> {
  const consumer = kafka.consumer();
  const consumed: Consumed[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      const { event, signedBytes } = decodeEventDetailed(message.value!);
      consumed.push({ partition, offset: message.offset, key: message.key!.toString(), event, signedBytes });
    },
  });
  await waitFor(() => consumed.length, { description: `${count} records on ${topic}`, until: (n) => n >= count, timeoutMs: 60_000 });
  await consumer.disconnect();
  return consumed;
}

const sampleEvent = (i: number): AuditEventInput => ({
  tenant: `tenant-${i % 7}`,
  actor: { type: 'user', id: `user-${i}`, ip: '198.51.100.4' },
  action: 'document.read',
  target: { type: 'document', id: `doc-${i}` },
  outcome: i % 5 === 0 ? 'DENIED' : 'SUCCESS',
  attributes: { n: String(i) },
});

describe('AuditProducer against Kafka', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  const setUp = async (options: Partial<Parameters<typeof createAuditProducer>[0]> = {}) => {
    const kafka = createTestKafka({ cleanup });
    const topic = await createAuditTopic(kafka);
    const producer: AuditProducer = createAuditProducer({ brokers: kafka.brokers, topic, source: { service: 'producer-int-test', instance: 'jest' }, logger: quiet, ...options });
    cleanup.add('producer', () => producer.close());
    return { kafka, topic, producer };
  };

  describe('emit and emitMany', () => {
    it('deliver every event of several tenants, keyed by tenant, where the receipts say', async () => {
      const { kafka, topic, producer } = await setUp({ maxBatchEvents: 200 });
      const inputs = Array.from({ length: 2_000 }, (_, i) => sampleEvent(i));
      // Half through emit (concurrently), half through emitMany in chunks.
      const single = Promise.all(inputs.slice(0, 1_000).map((input) => producer.emit(input)));
      const many: Promise<EmitReceipt[]>[] = [];
      for (let i = 1_000; i < 2_000; i += 250) many.push(producer.emitMany(inputs.slice(i, i + 250)));
      const receipts = [...(await single), ...(await Promise.all(many)).flat()];
      expect(new Set(receipts.map((r) => r.eventId)).size).toBe(inputs.length);

      const consumed = await consume(kafka, topic, inputs.length);
      expect(consumed).toHaveLength(inputs.length);
      const byId = new Map(consumed.map((c) => [c.event.eventId, c]));
      receipts.forEach((receipt, i) => {
        const record = byId.get(receipt.eventId);
        expect(record).toBeDefined();
        // The receipt's (partition, offset) is where a consumer finds the event.
        expect({ partition: record!.partition, offset: record!.offset }).toEqual({ partition: receipt.partition, offset: receipt.offset });
        const input = inputs[i]!;
        expect(record!.key).toBe(input.tenant);
        expect(record!.event).toMatchObject({ tenant: input.tenant, action: input.action, outcome: input.outcome, actor: input.actor, target: input.target, attributes: input.attributes });
        expect(record!.event.source).toEqual({ service: 'producer-int-test', instance: 'jest', region: null });
      });

      // Per-tenant order: one tenant lives in one partition, in emit order.
      const tenants = new Map<string, { partition: number; offsets: number[] }>();
      receipts.forEach((receipt, i) => {
        const tenant = inputs[i]!.tenant;
        const entry = tenants.get(tenant) ?? { partition: receipt.partition, offsets: [] };
        expect(receipt.partition).toBe(entry.partition);
        entry.offsets.push(Number(receipt.offset));
        tenants.set(tenant, entry);
      });
      for (const { offsets } of tenants.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set([...tenants.values()].map((t) => t.partition)).size).toBeGreaterThan(1);
    });
  });

  describe('with a signingKey', () => {
    it('writes events whose signature verifies over the bytes the chainer will check', async () => {
      const key = generateSigningKey();
      const { kafka, topic, producer } = await setUp({ signingKey: key });
      const receipts = await producer.emitMany([sampleEvent(1), sampleEvent(2), sampleEvent(3)]);
      const consumed = await consume(kafka, topic, receipts.length);
      const keyring = createKeyring([publicKeyEntry(key, new Date(0))]);
      for (const record of consumed) {
        expect(record.event.signature?.keyId).toBe(key.keyId);
        expect(verifySignature(record.signedBytes!, record.event.signature!.value, key.keyId, keyring, new Date()).ok).toBe(true);
      }
    });
  });
});
