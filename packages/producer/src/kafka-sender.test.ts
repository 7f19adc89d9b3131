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

type Answer = number[] | Error;

/**
 * Just enough of a kafkajs client to drive createKafkaSender: `send` runs the
 * configured partitioner over the messages the way kafkajs does (with
 * partition metadata naming each partition's leader) and answers with one base
 * offset per partition, or throws what the test asks for. `answer` sees the
 * partitions of each request and returns those to answer (kafkajs can resolve
 * without some) or an error to throw. Each partition is a log: answered
 * records advance its end offset.
 */
function fakeKafka(
  options: {
    partitions?: number;
    leaders?: number[];
    baseOffsets?: Record<number, string>;
    fail?: () => Error | undefined;
    answer?: (partitions: number[]) => Answer | Promise<Answer>;
  } = {},
) {
  const count = options.partitions ?? 3;
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: options.leaders?.[partitionId] ?? 1 }));
  const logEnd = new Map<number, number>();
  const created: { config: ProducerConfig; disconnected: boolean; requests: ProducerRecord[] }[] = [];
  const concurrency = { now: 0, max: 0 };
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
          concurrency.max = Math.max(concurrency.max, ++concurrency.now);
          try {
            // Let every request of the same round start before any answers.
            await new Promise((resolve) => setImmediate(resolve));
            const error = options.fail?.();
            if (error) throw error;
            const perPartition = new Map<number, number>();
            for (const message of request.messages) {
              const partition = partitioner({ topic: request.topic, partitionMetadata, message });
              perPartition.set(partition, (perPartition.get(partition) ?? 0) + 1);
            }
            const answer = options.answer ? await options.answer([...perPartition.keys()]) : [...perPartition.keys()];
            if (answer instanceof Error) throw answer;
            return answer.map((partition) => {
              const base = logEnd.get(partition) ?? Number(options.baseOffsets?.[partition] ?? '100');
              logEnd.set(partition, base + perPartition.get(partition)!);
              return { topicName: request.topic, partition, errorCode: 0, baseOffset: String(base) };
            });
          } finally {
            concurrency.now--;
          }
        },
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, created, concurrency };
}

const records = (keys: string[]) => keys.map((key, i) => ({ key, value: Buffer.from(`v${i}`) }));

/** One key per partition: keyOf[p] goes to partition p of a topic with `count` partitions (kafkajs' default partitioner). */
function keysPerPartition(count: number): string[] {
  const partition = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  const keyOf: string[] = [];
  for (let i = 0; keyOf.filter(Boolean).length < count; i++) {
    const key = `tenant-${i}`;
    const p = partition({ topic: 't', partitionMetadata, message: { key, value: null } });
    keyOf[p] ??= key;
  }
  return keyOf;
}

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

  describe('when partitions have different leaders', () => {
    // Partitions 0 and 1 are led by broker 1, partition 2 by broker 2.
    const leaders = [1, 1, 2];
    const keyOf = keysPerPartition(3);
    // Record values v0..v4 go to partitions 0, 2, 1, 2, 0.
    const batch = () => records([keyOf[0]!, keyOf[2]!, keyOf[1]!, keyOf[2]!, keyOf[0]!]);
    const values = (request: ProducerRecord | undefined) => request?.messages.map((message) => String(message.value));

    it('sends one request per leader, concurrently, once the leaders are known', async () => {
      const { kafka, created, concurrency } = fakeKafka({ leaders });
      const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
      await sender.send(records([keyOf[0]!])); // the first send learns the leaders
      concurrency.max = 0;
      await sender.send(batch());
      expect(created[0]!.requests.slice(1).map(values)).toEqual([
        ['v0', 'v2', 'v4'],
        ['v1', 'v3'],
      ]);
      expect(concurrency.max).toBe(2);
    });

    describe('when the request of one leader fails and the other succeeds', () => {
      it('rejects retriably; the exact resend sends only the failed records and answers the others from memory, in order', async () => {
        let broker2Down = true;
        const { kafka, created } = fakeKafka({
          leaders,
          answer: (partitions) => (broker2Down && partitions.includes(2) ? new KafkaJSConnectionError('connect ECONNREFUSED broker 2') : partitions),
        });
        const warnings: [string, Record<string, unknown> | undefined][] = [];
        const logger = { debug() {}, info() {}, error() {}, warn: (message: string, fields?: Record<string, unknown>) => warnings.push([message, fields]), child: () => logger };
        const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000, logger });
        await sender.send(records([keyOf[0]!])); // partition 0 now ends at 101
        const sent = batch();

        const thrown = await sender.send(sent).catch((e: unknown) => e);
        expect(thrown).toMatchObject({ code: 'broker_unreachable', retriable: true });
        expect(created[0]!.requests).toHaveLength(3);
        expect(warnings).toEqual([[expect.stringContaining('partly acknowledged'), { acknowledged: 3, unacknowledged: 2 }]]);

        broker2Down = false;
        const positions = await sender.send(sent);
        expect(created[0]!.requests).toHaveLength(4);
        expect(values(created[0]!.requests[3])).toEqual(['v1', 'v3']);
        expect(positions).toEqual([
          { partition: 0, offset: '101' },
          { partition: 2, offset: '100' },
          { partition: 1, offset: '100' },
          { partition: 2, offset: '101' },
          { partition: 0, offset: '102' },
        ]);
        expect(created).toHaveLength(1); // same idempotence session: the broker deduplicates the resend
      });

      it('prefers a non-retriable error of one request to a retriable one of another', async () => {
        const { kafka } = fakeKafka({
          leaders,
          answer: (partitions) =>
            partitions.includes(2)
              ? new KafkaJSConnectionError('connect ECONNREFUSED broker 2')
              : new KafkaJSProtocolError({ message: 'too large', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } as unknown as Error),
        });
        const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
        await sender.send(records([keyOf[2]!])).catch(() => undefined);
        const thrown = await sender.send(batch()).catch((e: unknown) => e);
        expect(thrown).toMatchObject({ retriable: false, details: { kafkaErrorType: 'MESSAGE_TOO_LARGE' } });
      });

      it('keeps what was acknowledged when the failed request broke the idempotence session', async () => {
        let broken = true;
        const { kafka, created } = fakeKafka({
          leaders,
          answer: (partitions) =>
            broken && partitions.includes(2)
              ? new KafkaJSProtocolError({ message: 'unknown producer', type: 'UNKNOWN_PRODUCER_ID', code: 59, retriable: false } as unknown as Error)
              : partitions,
        });
        const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
        await sender.send(records([keyOf[0]!]));
        const sent = batch();
        expect(await sender.send(sent).catch((e: unknown) => e)).toMatchObject({ retriable: true, details: { sessionBroken: true } });
        expect(created[0]!.disconnected).toBe(true);

        broken = false;
        const positions = await sender.send(sent);
        expect(created).toHaveLength(2);
        expect(created[1]!.requests.map(values)).toEqual([['v1', 'v3']]);
        expect(positions.map((p) => p.partition)).toEqual([0, 2, 1, 2, 0]);
      });
    });
  });

  describe('when kafkajs resolves without an answer for a partition', () => {
    const keyOf = keysPerPartition(3);
    const batch = () => records([keyOf[0]!, keyOf[2]!, keyOf[1]!, keyOf[2]!, keyOf[0]!]);

    it('rejects retriably naming the partition; the exact resend sends only that partition\'s records', async () => {
      let leaderMoved = true;
      const { kafka, created } = fakeKafka({ answer: (partitions) => (leaderMoved ? partitions.filter((p) => p !== 2) : partitions) });
      const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
      const sent = batch();

      const thrown = (await sender.send(sent).catch((e: unknown) => e)) as KafkaError;
      expect(thrown).toBeInstanceOf(KafkaError);
      expect(thrown).toMatchObject({ code: 'kafka_error', retriable: true, details: { partitions: [2] } });
      expect(thrown.message).toContain('no base offset for partition 2');

      leaderMoved = false;
      const positions = await sender.send(sent);
      expect(created[0]!.requests.map((r) => r.messages.map((m) => String(m.value)))).toEqual([
        ['v0', 'v1', 'v2', 'v3', 'v4'],
        ['v1', 'v3'],
      ]);
      expect(positions).toEqual([
        { partition: 0, offset: '100' },
        { partition: 2, offset: '100' },
        { partition: 1, offset: '100' },
        { partition: 2, offset: '101' },
        { partition: 0, offset: '101' },
      ]);
    });

    describe('when the next call is not the exact resend', () => {
      const partialFirst = () => {
        let calls = 0;
        return fakeKafka({ answer: (partitions) => (calls++ === 0 ? partitions.filter((p) => p !== 2) : partitions) });
      };

      it('forgets the answered records for a different record list (fewer records, or equal but new objects)', async () => {
        const { kafka, created } = partialFirst();
        const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
        const sent = batch();
        await sender.send(sent).catch(() => undefined);
        await sender.send(sent.slice(1));
        expect(created[0]!.requests[1]!.messages).toHaveLength(4);
        // The memory is gone: the original list is sent whole again.
        await sender.send(sent);
        expect(created[0]!.requests[2]!.messages).toHaveLength(5);
        const copy = sent.map((record) => ({ ...record }));
        await sender.send(copy);
        expect(created[0]!.requests[3]!.messages).toHaveLength(5);
      });

      it('forgets them after reset()', async () => {
        const { kafka, created } = partialFirst();
        const sender = createKafkaSender({ kafka, topic: 't', ackTimeoutMs: 1_000 });
        const sent = batch();
        await sender.send(sent).catch(() => undefined);
        await sender.reset();
        const positions = await sender.send(sent);
        expect(created).toHaveLength(2);
        expect(created[1]!.requests[0]!.messages).toHaveLength(5);
        expect(positions).toHaveLength(5);
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
