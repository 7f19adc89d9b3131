import { performance } from 'node:perf_hooks';
import { ChainLinker, toHex, type ChainHead } from '@auditseal/core';
import { findCause, type Logger } from '@auditseal/kafka';
import { Partitioners, type Kafka, type PartitionOffset, type Producer, type RecordMetadata } from 'kafkajs';
import type { Classification } from './classify-record';
import { transactionalIdFor, type ChainerConfig } from './config';
import type { ChainerMetrics } from './metrics';
import { formatCommitMetadata, type Reconciled, type StopReason } from './reconcile-head';
import { sealBatch, type SealedOutput, type SourceRecord } from './seal-batch';

/**
 * One chain: the transactional producer of partition p and what is known of
 * the chain's head. The head is adopted only after a transaction commits; on
 * any failure it becomes unknown and the chainer recovers it from Kafka again.
 *
 * States:
 *   recovering  head unknown; the partition is paused until recovery seeks and resumes it
 *   active      head known; batches are sealed
 *   fenced      a newer producer with our transactional id exists (the partition
 *               moved to another instance); paused until the group says who owns it
 *   stopped     the sealed chain and the committed offset disagree, or the tail
 *               does not verify: paused for an operator (docs/OPERATIONS.md)
 */
export type PartitionState = 'recovering' | 'active' | 'fenced' | 'stopped';

export interface PartitionSealerOptions {
  kafka: Kafka;
  config: Pick<ChainerConfig, 'delivery' | 'groupId' | 'topics' | 'transactionalIdPrefix'>;
  chainId: string;
  partition: number;
  classify: (value: Uint8Array | null) => Classification;
  nowMicros: () => number;
  logger: Logger;
  metrics: ChainerMetrics;
  /** at-least-once only: commits the group offset (and metadata) of this partition outside any transaction. */
  commitOffset: (offset: string, metadata: string | null) => Promise<void>;
}

export type SealOutcome =
  | { readonly status: 'sealed'; readonly count: number }
  /** The partition is not active (recovering, fenced, stopped): nothing was done. */
  | { readonly status: 'inactive' }
  | { readonly status: 'failed'; readonly fenced: boolean; readonly error: unknown };

export interface StopInfo {
  reason: StopReason;
  message: string;
  evidence: Record<string, unknown>;
}

/**
 * Largest sum of entry sizes per produce call. kafkajs puts everything one
 * `send` holds for a partition into ONE record batch, and the broker refuses a
 * batch over the topic's max.message.bytes (1 MiB + 64 KiB by the topic
 * policy), so a transaction of many entries is sent in several calls.
 */
export const MAX_SEND_BYTES = 768 * 1024;

/** Error types that mean another producer with our transactional id has a newer epoch. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

export function isFencedError(error: unknown): boolean {
  return findCause(error, (e) => typeof e.type === 'string' && FENCED_TYPES.has(e.type)) !== undefined;
}

/** Splits entries into produce calls of at most MAX_SEND_BYTES (a larger entry goes alone). */
export function chunkBySize(entries: readonly SealedOutput[], maxBytes = MAX_SEND_BYTES): SealedOutput[][] {
  const chunks: SealedOutput[][] = [];
  let current: SealedOutput[] = [];
  let size = 0;
  for (const entry of entries) {
    if (current.length > 0 && size + entry.bytes.length > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.bytes.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A promise chain: one holder at a time, in call order. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export class PartitionSealer {
  readonly partition: number;
  readonly chainId: string;
  private readonly options: PartitionSealerOptions;
  private readonly linker: ChainLinker;
  private readonly lock = new Mutex();
  private readonly logger: Logger;
  private producer: Producer | undefined;

  state: PartitionState = 'recovering';
  /** Bumped by every markRecovering(): a recovery applies its result only if the token is still current. */
  recoveryToken = 0;
  head: ChainHead | undefined;
  /** First events offset not yet sealed. */
  nextOffset = -1;
  /** Every events offset below this is sealed or known to hold no data record (markers, aborted records). */
  scannedOffset = -1;
  /** Offset on audit.sealed of the last committed entry (-1: none). */
  lastSealedOffset = -1;
  stopInfo: StopInfo | undefined;

  constructor(options: PartitionSealerOptions) {
    this.options = options;
    this.partition = options.partition;
    this.chainId = options.chainId;
    this.linker = new ChainLinker(options.chainId);
    this.logger = options.logger.child(`partition-${options.partition}`);
  }

  get transactionalId(): string {
    return transactionalIdFor(this.options.config, this.partition);
  }

  markRecovering(): number {
    this.state = 'recovering';
    this.head = undefined;
    this.stopInfo = undefined;
    return ++this.recoveryToken;
  }

  markFenced(): void {
    this.state = 'fenced';
    this.head = undefined;
  }

  markStopped(info: StopInfo): void {
    this.state = 'stopped';
    this.head = undefined;
    this.stopInfo = info;
  }

  activate(result: Extract<Reconciled, { ok: true }>): void {
    this.head = result.head;
    this.nextOffset = result.nextOffset;
    this.scannedOffset = result.nextOffset;
    this.lastSealedOffset = result.lastSealedOffset;
    this.stopInfo = undefined;
    this.state = 'active';
  }

  /**
   * A fresh producer for this partition. Exactly-once: initializing a producer
   * with our transactional id bumps its epoch, which fences any older producer
   * with the same id (a zombie instance) and makes the coordinator abort that
   * producer's open transaction. kafkajs does InitProducerId for the
   * transactional id lazily, at the first `transaction()` (connect() only
   * initializes the idempotent, non-transactional id), so an empty
   * transaction is begun and aborted to force it before the head is read.
   */
  prepareProducer(): Promise<void> {
    return this.lock.run(async () => {
      await this.disposeProducer();
      const { kafka, config } = this.options;
      const exactlyOnce = config.delivery === 'exactly-once';
      const producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // kafkajs's default for idempotent producers: retry retriable errors without
        // limit (it warns that a limit may break idempotence). A stuck transaction ends
        // anyway: the broker aborts it after transactionTimeout, or a new owner fences it.
        ...(exactlyOnce ? { transactionalId: this.transactionalId, transactionTimeout: 60_000 } : {}),
      });
      this.producer = producer;
      await producer.connect();
      if (exactlyOnce) {
        const fence = await producer.transaction();
        await fence.abort();
      }
    });
  }

  /** Disconnects the producer (after any seal in progress). */
  release(): Promise<void> {
    return this.lock.run(() => this.disposeProducer());
  }

  /**
   * Seals `records` (offsets ≥ nextOffset, increasing) in one transaction:
   * entries to audit.sealed partition p and the group offset of audit.events
   * partition p, committed together (DESIGN.md "Data flow").
   */
  seal(records: readonly SourceRecord[]): Promise<SealOutcome> {
    return this.lock.run(async () => {
      const producer = this.producer;
      const head = this.head;
      const last = records[records.length - 1];
      if (this.state !== 'active' || !producer || !head || !last) return { status: 'inactive' };
      const { metrics, config } = this.options;
      const { entries, head: newHead } = sealBatch({
        linker: this.linker,
        partition: this.partition,
        head,
        records,
        classify: this.options.classify,
        nowMicros: this.options.nowMicros,
      });
      const started = performance.now();
      const nextOffset = String(last.offset + 1);
      let lastSealedOffset = -1;
      const exactlyOnce = config.delivery === 'exactly-once';
      const transaction = exactlyOnce ? await producer.transaction().catch((error: unknown) => error as Error) : undefined;
      try {
        if (transaction instanceof Error) throw transaction;
        const sender = transaction ?? producer;
        for (const chunk of chunkBySize(entries)) {
          const metadata = await sender.send({
            topic: config.topics.sealed,
            acks: -1,
            messages: chunk.map((output) => ({ partition: this.partition, key: null, value: output.bytes })),
          });
          lastSealedOffset = lastOffsetOf(metadata, this.partition, chunk.length);
        }
        const commitMetadata = lastSealedOffset < 0 ? null : formatCommitMetadata({ seq: newHead.seq, hashHex: toHex(newHead.hash), sealedOffset: lastSealedOffset });
        if (transaction) {
          // kafkajs sends per-partition metadata with TxnOffsetCommit, though its types omit it.
          const offset: PartitionOffset & { metadata: string | null } = { partition: this.partition, offset: nextOffset, metadata: commitMetadata };
          await transaction.sendOffsets({ consumerGroupId: config.groupId, topics: [{ topic: config.topics.events, partitions: [offset] }] });
          await transaction.commit();
        } else {
          await this.options.commitOffset(nextOffset, commitMetadata);
        }
      } catch (error) {
        const fenced = isFencedError(error);
        if (transaction && !(transaction instanceof Error) && transaction.isActive()) {
          await transaction.abort().catch((abortError: unknown) => this.logger.debug('abort failed', { error: abortError }));
        }
        // A failed or fenced kafkajs transactional producer cannot begin another
        // transaction (its state machine stays in ABORTING): recovery makes a new one.
        await this.disposeProducer();
        metrics.transactionFailures.inc({ partition: String(this.partition), cause: fenced ? 'fenced' : 'error' });
        return { status: 'failed', fenced, error };
      }
      metrics.transactionSeconds.observe((performance.now() - started) / 1000);
      metrics.batchSize.observe(entries.length);
      for (const { classification } of entries) {
        metrics.entriesSealed.inc({ kind: classification.kind });
        if (classification.kind === 'rejected') metrics.rejected.inc({ reason: classification.reason });
      }
      this.head = newHead;
      this.nextOffset = last.offset + 1;
      this.scannedOffset = Math.max(this.scannedOffset, this.nextOffset);
      if (lastSealedOffset >= 0) this.lastSealedOffset = lastSealedOffset;
      metrics.chainHeadSeq.set({ partition: String(this.partition) }, newHead.seq);
      return { status: 'sealed', count: entries.length };
    });
  }

  private async disposeProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await producer.disconnect().catch((error: unknown) => this.logger.debug('producer did not disconnect cleanly', { error }));
  }
}

/** Offset on audit.sealed of the last record of a send, from the broker's base offset; -1 when not reported. */
function lastOffsetOf(metadata: RecordMetadata[], partition: number, count: number): number {
  const record = metadata.find((m) => m.partition === partition);
  const base = record?.baseOffset ?? record?.offset;
  if (base === undefined) return -1;
  const value = Number(base);
  return Number.isSafeInteger(value) && value >= 0 ? value + count - 1 : -1;
}
