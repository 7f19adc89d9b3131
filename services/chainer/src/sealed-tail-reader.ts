import { randomUUID } from 'node:crypto';
import { KafkaError, type Logger } from '@auditseal/kafka';
import type { Kafka } from 'kafkajs';
import type { TailRecord } from './reconcile-head';

/**
 * Reads the last committed records of some audit.sealed partitions.
 *
 * kafkajs has no `assign()`: a consumer can only read through a group. The
 * reader is a short-lived consumer in a group of its own (a unique id; it
 * never commits, so the group leaves nothing behind), seeks each wanted
 * partition near its end and reads up to the end with read_committed, so only
 * committed entries are seen. Transaction markers and aborted records take
 * offsets too, and a crash can leave a whole aborted batch at the tail: when a
 * window holds no committed record the reader widens it (×8) until it finds
 * one or reaches the start of the partition.
 */

export interface TailRequest {
  partition: number;
  /** Earliest offset of the partition. */
  low: number;
  /** End offset (read_committed: the last stable offset): everything below it is decided. */
  high: number;
  /** Where the last entry probably is (from the commit metadata); the first window starts there. */
  hintOffset?: number;
}

export interface ReadTailsOptions {
  kafka: Kafka;
  topic: string;
  requests: readonly TailRequest[];
  logger: Logger;
  /** Group id prefix of the reader; a random suffix is appended. */
  groupIdPrefix: string;
  timeoutMs?: number;
  /** Size of the first window (offsets). */
  initialWindow?: number;
  signal?: AbortSignal;
}

interface WindowState {
  request: TailRequest;
  from: number;
  /** Highest offset known read in this window (from - 1 before the first batch). */
  progress: number;
  records: TailRecord[];
  done: boolean;
}

const DEFAULT_WINDOW = 16;

/** Committed data records in the final window of each partition, in offset order (empty: none in the partition). */
export async function readSealedTails(options: ReadTailsOptions): Promise<Map<number, TailRecord[]>> {
  const { kafka, topic, logger } = options;
  const results = new Map<number, TailRecord[]>();
  const states = new Map<number, WindowState>();
  const window = options.initialWindow ?? DEFAULT_WINDOW;
  for (const request of options.requests) {
    if (request.high <= request.low) {
      results.set(request.partition, []);
      continue;
    }
    const defaultFrom = Math.max(request.low, request.high - window);
    const hinted = request.hintOffset !== undefined && request.hintOffset >= request.low && request.hintOffset < request.high;
    const from = hinted ? Math.min(request.hintOffset!, defaultFrom) : defaultFrom;
    states.set(request.partition, { request, from, progress: from - 1, records: [], done: false });
  }
  if (states.size === 0) return results;

  const consumer = kafka.consumer({
    groupId: `${options.groupIdPrefix}-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    allowAutoTopicCreation: false,
    retry: { retries: 3 },
  });

  let settle: (error?: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  // Awaited below; this keeps a rejection that comes before that from being "unhandled".
  finished.catch(() => {});

  const seekWindow = (partition: number, state: WindowState) => {
    state.progress = state.from - 1;
    state.records = [];
    consumer.seek({ topic, partition, offset: String(state.from) });
  };

  /** Takes a run of offsets [first, last] that starts no later than the next unread offset. */
  const advance = (partition: number, firstOffset: number, lastOffset: number, messages?: readonly { offset: string; value: Buffer | null }[]) => {
    const state = states.get(partition);
    if (!state || state.done) return;
    // A batch fetched before the latest seek starts past the unread offset: ignore it.
    if (!(firstOffset <= state.progress + 1)) return;
    for (const message of messages ?? []) {
      const offset = Number(message.offset);
      if (offset > state.progress && offset >= state.from && offset < state.request.high) state.records.push({ offset, value: message.value });
    }
    state.progress = Math.max(state.progress, lastOffset);
    if (state.progress < state.request.high - 1) return;
    if (state.records.length === 0 && state.from > state.request.low) {
      const size = state.request.high - state.from;
      state.from = Math.max(state.request.low, state.request.high - size * 8);
      logger.debug('no committed entry in the tail window; widening it', { partition, from: state.from, high: state.request.high });
      seekWindow(partition, state);
      return;
    }
    state.done = true;
    results.set(partition, state.records);
    consumer.pause([{ topic, partitions: [partition] }]);
    if ([...states.values()].every((s) => s.done)) settle();
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // Runs synchronously inside the join, before the first fetch of the generation.
    const assigned = payload.memberAssignment[topic] ?? [];
    const idle = assigned.filter((p) => !states.has(p) || states.get(p)!.done);
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    for (const [partition, state] of states) if (!state.done) seekWindow(partition, state);
  });
  // Batches emptied by filtering (only markers or aborted records) never reach eachBatch.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic === topic && payload.batchSize === 0) advance(payload.partition, Number(payload.firstOffset), Number(payload.lastOffset));
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => settle(payload.error ?? new Error('tail reader crashed')));

  const timeoutMs = options.timeoutMs ?? 30_000;
  const timer = setTimeout(() => {
    const pending = [...states.entries()].filter(([, s]) => !s.done).map(([p, s]) => ({ partition: p, from: s.from, progress: s.progress, high: s.request.high }));
    settle(new KafkaError('kafka_error', `timed out after ${timeoutMs} ms reading the tail of ${topic}`, { retriable: true, details: { pending } }));
  }, timeoutMs);
  const onAbort = () => settle(new KafkaError('kafka_error', 'tail read aborted (shutting down)', { retriable: false }));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale() || batch.topic !== topic) return;
        const first = batch.firstOffset();
        if (first === null) return;
        advance(batch.partition, Number(first), Number(batch.lastOffset()), batch.messages);
      },
    });
    await finished;
    return results;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch((error: unknown) => logger.warn('tail reader did not disconnect cleanly', { error }));
  }
}
