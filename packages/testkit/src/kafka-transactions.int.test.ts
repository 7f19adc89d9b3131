import type { Consumer, KafkaMessage } from 'kafkajs';
import { createCleanup } from './cleanup';
import { createTestKafka, type TestKafka } from './test-kafka';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

// Smoke test of the local Kafka 4.4 with kafkajs 2.2.4: the chainer relies on
// transactions (DESIGN.md, "Chains and hashes") and readers on read_committed.

interface Received {
  values: string[];
  offsets: string[];
}

async function consumeAll(kafka: TestKafka, topic: string, readUncommitted: boolean): Promise<{ consumer: Consumer; received: Received }> {
  const consumer = kafka.consumer({ readUncommitted });
  const received: Received = { values: [], offsets: [] };
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }: { message: KafkaMessage }) => {
      received.values.push(message.value?.toString() ?? '<null>');
      received.offsets.push(message.offset);
    },
  });
  return { consumer, received };
}

describe('local Kafka with kafkajs', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when a transaction commits', () => {
    it('a read_committed consumer receives its records, in order', async () => {
      const kafka = createTestKafka({ cleanup });
      const topic = await kafka.createTopic({ prefix: 'tx-commit' });
      const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();

      const transaction = await producer.transaction();
      await transaction.send({ topic, acks: -1, messages: ['e0', 'e1', 'e2'].map((value) => ({ key: 'tenant-a', value })) });
      await transaction.commit();

      const { received } = await consumeAll(kafka, topic, false);
      await waitFor(() => received.values.length, { description: `3 committed records on ${topic}`, until: (n) => n >= 3, timeoutMs: 30_000 });
      expect(received.values).toEqual(['e0', 'e1', 'e2']);
    });
  });

  describe('when a transaction aborts between two committed ones', () => {
    it('a read_committed consumer never sees the aborted records, a read_uncommitted one does', async () => {
      const kafka = createTestKafka({ cleanup });
      const topic = await kafka.createTopic({ prefix: 'tx-abort' });
      const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();

      const send = async (values: string[], outcome: 'commit' | 'abort') => {
        const transaction = await producer.transaction();
        await transaction.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'tenant-a', value })) });
        await (outcome === 'commit' ? transaction.commit() : transaction.abort());
      };
      await send(['committed-1'], 'commit');
      await send(['aborted-1', 'aborted-2'], 'abort');
      await send(['committed-2'], 'commit');

      // committed-2 lies after the aborted records: once it is seen, they were skipped.
      const committed = await consumeAll(kafka, topic, false);
      await waitFor(() => committed.received.values, { description: `committed-2 on ${topic}`, until: (values) => values.includes('committed-2'), timeoutMs: 30_000 });
      expect(committed.received.values).toEqual(['committed-1', 'committed-2']);

      // The aborted records were really written (the test above is not vacuous).
      const uncommitted = await consumeAll(kafka, topic, true);
      await waitFor(() => uncommitted.received.values, { description: `committed-2 read uncommitted on ${topic}`, until: (values) => values.includes('committed-2'), timeoutMs: 30_000 });
      expect(uncommitted.received.values).toEqual(['committed-1', 'aborted-1', 'aborted-2', 'committed-2']);
      // Transaction markers take offsets too: the committed records are not adjacent.
      expect(committed.received.offsets.map(Number)).toEqual([0, 5]);
    });
  });
});
