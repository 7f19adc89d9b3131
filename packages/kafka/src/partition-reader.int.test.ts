import { createCleanup, createTestKafka, uniqueName } from '@auditseal/testkit';
import { silentLogger as silent } from './client';
import { fetchPartitionOffsets, readPartition, type PartitionRecord } from './partition-reader';



describe('readPartition (real Kafka, read_committed)', () => {
  const cleanup = createCleanup();
  afterAll(() => cleanup.run());
  let kafka: ReturnType<typeof createTestKafka>;
  let topic: string;
  /** Values of the committed records of partition 0, in order. */
  const committed: string[] = [];

  const read = async (options: Partial<Parameters<typeof readPartition>[0]> = {}) => {
    const admin = await kafka.admin();
    const range = (await fetchPartitionOffsets(admin, topic)).get(0)!;
    const out: PartitionRecord[] = [];
    for await (const r of readPartition({ kafka: kafka.kafka, topic, partition: 0, fromOffset: range.logStartOffset, endOffset: range.endOffset, logger: silent, groupIdPrefix: 'reader-it', ...options })) out.push(r);
    return { out, range };
  };

  beforeAll(async () => {
    kafka = createTestKafka({ cleanup });
    topic = await kafka.createTopic({ prefix: 'partition-reader', partitions: 2 });
    const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const tx = kafka.producer({ transactionalId: uniqueName('reader-tx'), idempotent: true, maxInFlightRequests: 1 });
    await plain.connect();
    await tx.connect();
    const send = async (values: string[], partition = 0) => {
      await plain.send({ topic, acks: -1, messages: values.map((value) => ({ partition, key: `k-${value}`, value, timestamp: '1700000000000' })) });
    };
    /** Returns the offset of the transaction's first record. */
    const transaction = async (values: string[], commit: boolean) => {
      const t = await tx.transaction();
      const [sent] = await t.send({ topic, acks: -1, messages: values.map((value) => ({ partition: 0, value })) });
      if (commit) await t.commit();
      else await t.abort();
      return Number(sent!.baseOffset);
    };
    const plainValues = Array.from({ length: 3_000 }, (_, i) => `p${i}`);
    await send(plainValues);
    committed.push(...plainValues);
    await transaction(['c1', 'c2', 'c3'], true);
    committed.push('c1', 'c2', 'c3');
    await transaction(['a1', 'a2', 'a3', 'a4'], false);
    await send(['q1', 'q2']);
    committed.push('q1', 'q2');
    await send(['other-partition'], 1);
    // The tail of the partition is an aborted transaction: only its records and marker follow q2.
    const tail = await transaction(['a5', 'a6'], false);
    // The broker writes the abort marker after abort() returns; until then the end offset a
    // read_committed reader sees stops before the open transaction (at `tail`), not after its marker.
    const admin = await kafka.admin();
    for (const deadline = Date.now() + 30_000; (await fetchPartitionOffsets(admin, topic)).get(0)!.endOffset < tail + 3; ) {
      if (Date.now() > deadline) throw new Error('the abort marker of the last transaction was not written within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await plain.disconnect();
    await tx.disconnect();
  }, 60_000);

  describe('when the range holds committed, aborted and control records', () => {
    it('yields exactly the committed records, in offset order, and ends at the end offset', async () => {
      const { out, range } = await read();
      expect(out.map((r) => r.value!.toString())).toEqual(committed);
      expect(out.every((r, i) => i === 0 || r.offset > out[i - 1]!.offset)).toBe(true);
      expect(out[out.length - 1]!.offset).toBeLessThan(range.endOffset - 3);
      expect(out[0]).toMatchObject({ offset: 0, timestamp: 1700000000000 });
      expect(out[0]!.key!.toString()).toBe('k-p0');
    });
  });

  it('starts at fromOffset and stops before endOffset', async () => {
    const { out } = await read({ fromOffset: 2_990, endOffset: 2_995 });
    expect(out.map((r) => r.offset)).toEqual([2_990, 2_991, 2_992, 2_993, 2_994]);
  });

  it('holds at most about maxBuffered records while the caller is slow, and loses none', async () => {
    let seen = 0;
    const admin = await kafka.admin();
    const range = (await fetchPartitionOffsets(admin, topic)).get(0)!;
    for await (const r of readPartition({ kafka: kafka.kafka, topic, partition: 0, fromOffset: 0, endOffset: range.endOffset, logger: silent, groupIdPrefix: 'reader-it', maxBuffered: 100 })) {
      expect(r.value!.toString()).toBe(committed[seen]);
      seen++;
      if (seen % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toBe(committed.length);
  });

  describe('when the caller is slower than the idle timeout', () => {
    it('does not time out: waiting for the caller is not waiting for Kafka', async () => {
      // 4 MiB of records: several fetches (1 MiB per partition each), so the reader blocks on back-pressure.
      const big = await kafka.createTopic({ prefix: 'partition-reader-big' });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (let i = 0; i < 4; i++) await producer.send({ topic: big, acks: -1, messages: Array.from({ length: 100 }, () => ({ partition: 0, value: Buffer.alloc(10_240, 1) })) });
      await producer.disconnect();
      let n = 0;
      for await (const _ of readPartition({ kafka: kafka.kafka, topic: big, partition: 0, fromOffset: 0, endOffset: 400, logger: silent, groupIdPrefix: 'reader-it', maxBuffered: 10, idleTimeoutMs: 300 })) {
        if (++n === 50) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      expect(n).toBe(400);
    });
  });

  describe('when the caller stops early', () => {
    it('disconnects its consumer and returns', async () => {
      const admin = await kafka.admin();
      const range = (await fetchPartitionOffsets(admin, topic)).get(0)!;
      let n = 0;
      for await (const _ of readPartition({ kafka: kafka.kafka, topic, partition: 0, fromOffset: 0, endOffset: range.endOffset, logger: silent, groupIdPrefix: 'reader-it', maxBuffered: 10 })) {
        if (++n === 50) break;
      }
      expect(n).toBe(50);
    });
  });

  it('yields nothing for an empty range, without a consumer', async () => {
    const { out } = await read({ fromOffset: 7, endOffset: 7 });
    expect(out).toEqual([]);
  });

  describe('when aborted', () => {
    it('rejects with a KafkaError', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(read({ signal: controller.signal, fromOffset: 0, endOffset: 10_000_000 })).rejects.toMatchObject({ code: 'kafka_error' });
    });
  });
});
