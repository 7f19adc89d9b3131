import { KafkaError } from '@auditseal/kafka';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type ProducerConfig,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { addOffset, createKafkaSender, memoizedDefaultPartitioner } from './kafka-sender';

type Partitioner = (args: { topic: string; partitionMetadata: { partitionId: number; leader: number }[]; message: Message }) => number;

/**
 * Just enough of a kafkajs client to drive createKafkaSender: `send` runs the
 * configured partitioner over the messages the way kafkajs does and answers
 * with one base offset per partition, or throws what the test asks for.
 */
function fakeKafka(options: { partitions?: number; baseOffsets?: Record<number, string>; fail?: () => Error | undefined } = {}) {
  const partitionMetadata = Array.from({ length: options.partitions ?? 3 }, (_, partitionId) => ({ partitionId, leader: 1 }));
  const created: { config: ProducerConfig; disconnected: boolean; requests: ProducerRecord[] }[] = [];
  const kafka = {
    producer(config: ProducerConfig) {
      const partitioner = (config.createPartitioner as unknown as () => Partitioner)();
      const state = { config, disconnected: false, requests: [] as ProducerRecord[] };
      created.push(state);
      return {
        connect: async () => undefined,
        disconnect: async () => {
          state.disconnected = true;
        },
        send: async (request: ProducerRecord): Promise<RecordMetadata[]> => {
          state.requests.push(request);
          const error = options.fail?.();
          if (error) throw error;
          const partitions = new Set(request.messages.map((message) => partitioner({ topic: request.topic, partitionMetadata, message })));
          return [...partitions].map((partition) => ({ topicName: request.topic, partition, errorCode: 0, baseOffset: options.baseOffsets?.[partition] ?? '100' }));
        },
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, created };
}

const records = (keys: string[]) => keys.map((key, i) => ({ key, value: Buffer.from(`v${i}`) }));

describe('createKafkaSender', () => {
  describe('send', () => {
    it('produces with acks=all through an idempotent producer and answers baseOffset + index within each partition', async () => {
      const { kafka, created } = fakeKafka({ partitions: 2, baseOffsets: { 0: '40', 1: '7' } });
      const sender = createKafkaSender({ kafka, topic: 'audit.events', ackTimeoutMs: 1_000 });
      const keys = ['a', 'b', 'c', 'a', 'b', 'c', 'a'];
      const positions = await sender.send(records(keys));

      expect(created[0]!.config).toMatchObject({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      expect(created[0]!.requests[0]).toMatchObject({ topic: 'audit.events', acks: -1, timeout: 1_000 });
      // Same key, same partition; offsets count up from the partition's base in request order.
      const next: Record<number, number> = { 0: 40, 1: 7 };
      const partitionOfKey = new Map<string, number>();
      positions.forEach((position, i) => {
        const key = keys[i]!;
        expect(position.partition).toBe(partitionOfKey.get(key) ?? position.partition);
        partitionOfKey.set(key, position.partition);
        expect(position.offset).toBe(String(next[position.partition]!++));
      });
    });
  });

  describe('when kafkajs fails', () => {
    const sendWith = async (error: Error) => {
      const { kafka, created } = fakeKafka({ fail: () => error });
      const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
      const thrown = (await sender.send(records(['a'])).catch((e: unknown) => e)) as KafkaError;
      return { thrown, created };
    };

    it('treats "retries exhausted" around a retriable cause as retriable, even when wrapped again', async () => {
      const connection = new KafkaJSConnectionError('connect ECONNREFUSED');
      const exhausted = new KafkaJSNumberOfRetriesExceeded(connection, { retryCount: 2, retryTime: 100 });
      // As kafkajs' retrier does when a reconnect inside a send gives up: new KafkaJSNonRetriableError(e, { cause: e.cause || e }).
      const { thrown } = await sendWith(Object.assign(new KafkaJSNonRetriableError(exhausted), { cause: connection }));
      expect(thrown).toBeInstanceOf(KafkaError);
      expect(thrown).toMatchObject({ code: 'broker_unreachable', retriable: true });
      expect(thrown.message).toContain('ECONNREFUSED');
    });

    it('keeps a broker refusal non-retriable', async () => {
      const { thrown } = await sendWith(new KafkaJSProtocolError({ message: 'too large', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } as unknown as Error));
      expect(thrown).toMatchObject({ code: 'kafka_error', retriable: false, details: { kafkaErrorType: 'MESSAGE_TOO_LARGE' } });
    });

    it('replaces the idempotence session after OUT_OF_ORDER_SEQUENCE_NUMBER and calls it retriable', async () => {
      const { thrown, created } = await sendWith(
        new KafkaJSProtocolError({ message: 'out of order', type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', code: 45, retriable: false } as unknown as Error),
      );
      expect(thrown).toMatchObject({ retriable: true, details: { sessionBroken: true } });
      expect(created[0]!.disconnected).toBe(true);
    });
  });

  describe('reset', () => {
    it('disconnects the producer; the next send uses a new one (a new producer id)', async () => {
      const { kafka, created } = fakeKafka();
      const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
      await sender.send(records(['a']));
      await sender.reset();
      await sender.send(records(['b']));
      expect(created).toHaveLength(2);
      expect(created[0]!.disconnected).toBe(true);
      expect(created[1]!.disconnected).toBe(false);
    });
  });
});

describe('addOffset', () => {
  it('adds exactly, beyond 2^53 too', () => {
    expect(addOffset('41', 2)).toBe('43');
    expect(addOffset('9007199254740991', 2)).toBe('9007199254740993');
  });
});

describe('memoizedDefaultPartitioner', () => {
  const metadata = (count: number): PartitionMetadata[] =>
    Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: partitionId % 3 === 2 ? -1 : 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

  it('answers what the DefaultPartitioner answers for keyed messages, asked again and again and as the partition count changes', () => {
    const memoized = memoizedDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const disagreements: string[] = [];
    for (const count of [4, 1, 3, 12, 4, 7]) {
      const partitionMetadata = metadata(count);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 500; i++) {
          const key = i % 5 === 0 ? `tenant-é-${i}` : `tenant-${i % 97}`;
          const got = memoized({ topic: 't', partitionMetadata, message: { key, value: null } });
          const want = reference({ topic: 't', partitionMetadata, message: { key, value: null } });
          if (got !== want) disagreements.push(`${key} over ${count}: ${got} vs ${want}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('keeps an explicit partition and leaves messages without a string key to the DefaultPartitioner', () => {
    const memoized = memoizedDefaultPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(5);
    expect(memoized({ topic: 't', partitionMetadata, message: { key: 'acme', partition: 3, value: null } })).toBe(3);
    const bufferKey = Buffer.from('acme');
    expect(memoized({ topic: 't', partitionMetadata, message: { key: bufferKey, value: null } })).toBe(
      reference({ topic: 't', partitionMetadata, message: { key: bufferKey, value: null } }),
    );
    for (let i = 0; i < 20; i++) expect(memoized({ topic: 't', partitionMetadata, message: { key: null, value: null } })).toBeLessThan(5);
  });
});
