import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from './client';
import { KafkaError } from './errors';

/**
 * Reads one partition of a topic, read_committed, from an offset up to an end
 * offset, as an async iterable — the Kafka side of the verifier's
 * SealedSource/EventSource (packages/verify/src/sources.ts) and of any tool
 * that must see exactly the committed records of a range.
 *
 * kafkajs has no `assign()`: a consumer reads only through a group. The reader
 * is a throwaway consumer in a group of its own (unique id; it never commits,
 * so the group leaves no offsets behind), which seeks the wanted partition in
 * GROUP_JOIN (before the first fetch of the generation) and pauses every other
 * partition. Transaction markers and aborted records take offsets but are
 * never delivered: batches emptied by that filtering are seen through
 * END_BATCH_PROCESS so the reader still knows it has passed them.
 */

export interface PartitionRecord {
  offset: number;
  /** Kafka record timestamp, ms since the epoch. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface PartitionOffsetRange {
  /** First offset still in the log. */
  logStartOffset: number;
  /** Offset of the next record; with the admin's read_committed isolation, the last stable offset. */
  endOffset: number;
}

/** Log start and end (last stable) offsets of every partition of `topic`. */
export async function fetchPartitionOffsets(admin: Admin, topic: string): Promise<Map<number, PartitionOffsetRange>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { logStartOffset: Number(o.low), endOffset: Number(o.high) }]));
}

export interface ReadPartitionOptions {
  kafka: Kafka;
  topic: string;
  partition: number;
  /** First offset to read (offsets below the log start are simply not there). */
  fromOffset: number;
  /** Exclusive end: the reader stops once every offset below it has been passed. */
  endOffset: number;
  logger: Logger;
  /** Group id prefix of the throwaway consumer; a random suffix is appended (ACLs: prefixed Read on groups). */
  groupIdPrefix: string;
  /** Fail when Kafka delivers nothing new for this long while the reader wants more (default 30 s; time spent waiting for a slow caller does not count). */
  idleTimeoutMs?: number;
  /** Records held in memory before fetching pauses until the caller catches up (default 10,000). */
  maxBuffered?: number;
  signal?: AbortSignal;
}

/** The committed records of `[fromOffset, endOffset)` of one partition, in offset order. */
export async function* readPartition(options: ReadPartitionOptions): AsyncGenerator<PartitionRecord> {
  const { kafka, topic, partition, fromOffset, endOffset, logger } = options;
  if (options.signal?.aborted) throw new KafkaError('kafka_error', `reading ${topic}/${partition} aborted`, { retriable: false });
  if (fromOffset >= endOffset) return;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;

  const queue: PartitionRecord[] = [];
  let progress = fromOffset - 1;
  let done = false;
  let closed = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const release = () => {
    const s = space;
    space = undefined;
    s?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    notify();
  };

  let timer: NodeJS.Timeout | undefined;
  const armTimer = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => fail(new KafkaError('kafka_error', `no progress for ${idleTimeoutMs} ms reading ${topic}/${partition} (at offset ${progress + 1}, end ${endOffset})`, { retriable: true })),
      idleTimeoutMs,
    );
  };

  const consumer = kafka.consumer({
    groupId: `${options.groupIdPrefix}-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    allowAutoTopicCreation: false,
    // Joining waits out a group coordinator that is still loading (a fresh cluster creates and
    // loads __consumer_offsets on first use): ~9 s in all, where 3 retries from 300 ms gave ~2 s.
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
  });

  /** Takes a run of offsets ending at `lastOffset` (messages: the committed ones among them). */
  const advance = (lastOffset: number, messages: readonly { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null }[]) => {
    if (done || closed) return;
    for (const m of messages) {
      const offset = Number(m.offset);
      if (offset > progress && offset >= fromOffset && offset < endOffset) queue.push({ offset, timestamp: Number(m.timestamp), key: m.key, value: m.value });
    }
    if (lastOffset > progress) {
      progress = lastOffset;
      armTimer();
    }
    if (progress >= endOffset - 1) {
      done = true;
      if (timer) clearTimeout(timer);
      consumer.pause([{ topic, partitions: [partition] }]);
    }
    notify();
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[topic] ?? [];
    const others = assigned.filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    if (!done) consumer.seek({ topic, partition, offset: String(progress + 1) });
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic && payload.partition === partition && payload.batchSize === 0) advance(Number(payload.lastOffset), []);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error ?? new KafkaError('kafka_error', `reader of ${topic}/${partition} crashed`, { retriable: true })));
  const onAbort = () => fail(new KafkaError('kafka_error', `reading ${topic}/${partition} aborted`, { retriable: false }));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    armTimer();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale() || batch.topic !== topic || batch.partition !== partition) return;
        advance(Number(batch.lastOffset()), batch.messages);
        // Back-pressure: the next fetch waits until the caller has taken what is queued. A slow
        // caller is not a stuck broker: the idle timeout does not run meanwhile.
        if (!closed && !done && queue.length > maxBuffered) {
          if (timer) clearTimeout(timer);
          while (!closed && !done && queue.length > maxBuffered) await new Promise<void>((resolve) => (space = resolve));
          if (!closed && !done) armTimer();
        }
      },
    });
    for (;;) {
      if (failure !== undefined) throw failure;
      if (queue.length > 0) {
        const batch = queue.splice(0, queue.length);
        release();
        for (const record of batch) yield record;
        continue;
      }
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    closed = true;
    release();
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch((error: unknown) => logger.warn('partition reader did not disconnect cleanly', { topic, partition, error }));
  }
}
