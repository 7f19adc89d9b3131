import { KafkaError, readPartition, type Logger } from '@auditseal/kafka';
import type { Kafka } from 'kafkajs';
import type { TailRecord } from './reconcile-head';

/**
 * Reads the last committed records of some audit.sealed partitions, with
 * @auditseal/kafka's `readPartition` (a throwaway read_committed consumer per
 * window, in a group of its own that never commits), one partition per
 * reader, in parallel. Transaction markers and aborted records take offsets
 * too, and a crash can leave a whole aborted batch at the tail: when a window
 * holds no committed record the reader widens it (×8) until it finds one or
 * reaches the start of the partition.
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
  /** Group id prefix of the readers; a random suffix is appended. */
  groupIdPrefix: string;
  timeoutMs?: number;
  /** Size of the first window (offsets). */
  initialWindow?: number;
  signal?: AbortSignal;
}

const DEFAULT_WINDOW = 16;

/** Committed data records in the final window of each partition, in offset order (empty: none in the partition). */
export async function readSealedTails(options: ReadTailsOptions): Promise<Map<number, TailRecord[]>> {
  const { kafka, topic, logger } = options;
  const window = options.initialWindow ?? DEFAULT_WINDOW;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One deadline for the whole read; the caller's signal (shutdown) ends it too.
  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    deadline.abort();
  }, timeoutMs);
  const onAbort = () => deadline.abort();
  if (options.signal?.aborted) deadline.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const readTail = async (request: TailRequest): Promise<TailRecord[]> => {
    if (request.high <= request.low) return [];
    const defaultFrom = Math.max(request.low, request.high - window);
    const hinted = request.hintOffset !== undefined && request.hintOffset >= request.low && request.hintOffset < request.high;
    let from = hinted ? Math.min(request.hintOffset!, defaultFrom) : defaultFrom;
    for (;;) {
      const records: TailRecord[] = [];
      for await (const r of readPartition({ kafka, topic, partition: request.partition, fromOffset: from, endOffset: request.high, logger, groupIdPrefix: options.groupIdPrefix, signal: deadline.signal, idleTimeoutMs: timeoutMs })) {
        records.push({ offset: r.offset, value: r.value });
      }
      if (records.length > 0 || from <= request.low) return records;
      from = Math.max(request.low, request.high - (request.high - from) * 8);
      logger.debug('no committed entry in the tail window; widening it', { partition: request.partition, from, high: request.high });
    }
  };

  try {
    const tails = await Promise.all(options.requests.map(async (request) => [request.partition, await readTail(request)] as const));
    return new Map(tails);
  } catch (error) {
    if (timedOut) throw new KafkaError('kafka_error', `timed out after ${timeoutMs} ms reading the tail of ${topic}`, { retriable: true, cause: error });
    if (options.signal?.aborted) throw new KafkaError('kafka_error', 'tail read aborted (shutting down)', { retriable: false, cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
