import { KafkaError, isRetriable, type Logger } from '@auditseal/kafka';
import { Partitioners, type Kafka, type Message, type PartitionMetadata, type Producer, type ProducerRecord, type RecordMetadata, type RetryOptions } from 'kafkajs';
import { groupByLeader } from './leader-groups';

/** One record for audit.events: key = tenant (per-tenant order, DESIGN.md "Data flow"), value = the encoded event. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer;
}

/** Where Kafka stored a record. Offsets are decimal strings, as kafkajs gives them (int64). */
export interface RecordPosition {
  readonly partition: number;
  readonly offset: string;
}

/**
 * The transport the producer's batcher sends through. Its contract:
 *
 * - `send(records)` writes all records in one produce round (acks=all,
 *   idempotent) and resolves with their positions, in the order of `records`.
 *   It rejects with an error whose `retriable` says whether sending the SAME
 *   records again may succeed. After a rejection the records may or may not
 *   have been written.
 * - Resending exactly the records of a failed `send` (the same record
 *   objects, in the same order) writes none of them twice: records the failed
 *   call got acknowledged are answered from memory without being sent again,
 *   and the others are sent with the same idempotence sequence numbers, which
 *   the broker deduplicates. Sending anything else after a failure requires
 *   `reset()` first, which starts a new idempotence session (and forgets what
 *   the failed call got acknowledged); otherwise the broker could take
 *   different records for a duplicate of the failed ones and acknowledge them
 *   without writing them.
 * - `close()` releases connections; no `send` follows it.
 */
export interface KafkaSender {
  send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaSenderOptions {
  kafka: Kafka;
  topic: string;
  /** How long the broker may wait for the in-sync replicas before answering (produce `timeout`). */
  ackTimeoutMs: number;
  /**
   * kafkajs' own retries of one `send`. Kept low: the producer's deadline
   * rules, not kafkajs (CONVENTIONS.md, kafkajs: one retry helper owns deadlines).
   */
  kafkaRetry?: RetryOptions;
  logger?: Logger;
}

/**
 * Broker errors after which the idempotence session (producer id and
 * sequence numbers) is unusable: a fresh session is needed before anything is
 * sent again. kafkajs marks them non-retriable; with a new session they are.
 */
const SESSION_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

/** A kafkajs message that remembers the partition the partitioner chose for it. */
interface TrackedMessage extends Message {
  chosenPartition: number;
  /**
   * kafkajs encodes each message as `Record({ ...message, offsetDelta, timestampDelta })`
   * (protocol/requests/produce/v3/request.js) and ignores these two values of
   * ours. They are here for speed: on Node 20 a spread followed by properties
   * the source lacks costs about 1.2 µs per message, against some 20 ns when it
   * has them — as much as encoding the event (measured in the SDK benchmark).
   */
  offsetDelta: number;
  timestampDelta: number;
}

const DEFAULT_KAFKA_RETRY: RetryOptions = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };

/**
 * A KafkaSender on a kafkajs idempotent producer (acks=-1). kafkajs groups the
 * messages of one `sendBatch` per partition preserving their order
 * (producer/groupMessagesPerPartition.js) and numbers the records of each
 * partition's batch with offsetDelta = index (protocol/requests/produce/v3/request.js),
 * so record i of partition p is at baseOffset(p) + (its index among p's
 * messages). The partition of each message is recorded by wrapping kafkajs'
 * default (Java-compatible murmur2) partitioner (memoizedDefaultPartitioner);
 * the last choice counts, as kafkajs regroups the messages on each of its retries.
 *
 * Exact resends without duplicates. kafkajs (producer/sendMessages.js)
 * advances a partition's sequence number before its produce request and
 * takes the advance back when that request throws (a connection error, a
 * timeout, or any error code in the broker's answer), so the sequence stays
 * advanced only for partitions whose leader answered. A kafkajs `send`
 * spanning several brokers can therefore fail after some of them answered;
 * resending it whole would give their records new sequence numbers and the
 * broker would append them again. So a `send` goes out as one kafkajs `send`
 * per partition leader (groupByLeader; the leaders come from the partition
 * metadata kafkajs last gave the partitioner, which kafkajs refreshes after
 * failures; unknown or single leader: one request), concurrently, since they
 * go to different brokers. When a call fails in part, the positions of the
 * records that were answered are kept for that exact record list; its exact
 * resend sends only the others — whose partitions' sequence numbers were
 * taken back, so the broker deduplicates them if they had been written after
 * all. The same holds when kafkajs resolves without an answer for a partition
 * (its leader moved to a broker that had already answered in that `send`):
 * that partition's records are unaccounted for, retriably.
 */
export function createKafkaSender(options: KafkaSenderOptions): KafkaSender {
  const { kafka, topic, ackTimeoutMs, logger } = options;
  /** The partition metadata kafkajs used last (its own view of the leaders). */
  let knownMetadata: readonly PartitionMetadata[] | undefined;
  const createPartitioner = () => {
    const partition = memoizedDefaultPartitioner();
    return (args: PartitionerArgs): number => {
      if (args.topic === topic) knownMetadata = args.partitionMetadata;
      const chosen = partition(args);
      (args.message as TrackedMessage).chosenPartition = chosen;
      return chosen;
    };
  };
  // The same choice as the producer's partitioner, to group records by leader before sending.
  const predictPartition = memoizedDefaultPartitioner();

  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let closed = false;
  /** The last call, when it failed in part: its records and the positions of those that were acknowledged. */
  let unfinished: { records: readonly OutgoingRecord[]; positions: (RecordPosition | undefined)[] } | undefined;

  const connected = (): Promise<Producer> => {
    if (closed) return Promise.reject(new KafkaError('kafka_error', 'the Kafka sender is closed'));
    if (!connecting) {
      const candidate =
        producer ??
        kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner,
          retry: options.kafkaRetry ?? DEFAULT_KAFKA_RETRY,
        });
      producer = candidate;
      connecting = candidate.connect().then(
        () => candidate,
        (error: unknown) => {
          connecting = undefined;
          throw normalizeError(error, 'connecting the producer');
        },
      );
    }
    return connecting;
  };

  const dropSession = async (): Promise<void> => {
    const old = producer;
    producer = undefined;
    connecting = undefined;
    if (old) {
      await old.disconnect().catch((error: unknown) => logger?.debug('disconnecting the old producer failed', { error: String(error) }));
    }
  };

  /**
   * Sends records[i] for i in `indices` as one kafkajs `send`; fills
   * `positions` for the partitions that were answered and adds the others to `unanswered`.
   */
  const sendGroup = async (
    client: Producer,
    records: readonly OutgoingRecord[],
    indices: readonly number[],
    positions: (RecordPosition | undefined)[],
    unanswered: Set<number>,
  ): Promise<void> => {
    // chosenPartition is set by the partitioner (kafkajs ignores properties it does not know).
    const messages: TrackedMessage[] = indices.map((i) => ({
      key: records[i]!.key,
      value: records[i]!.value,
      chosenPartition: -1,
      offsetDelta: 0,
      timestampDelta: 0,
    }));
    const request: ProducerRecord = { topic, messages, acks: -1, timeout: ackTimeoutMs };
    let response: RecordMetadata[];
    try {
      response = await client.send(request);
    } catch (error) {
      throw normalizeError(error, `sending ${messages.length} records to ${topic}`);
    }
    // Per partition: its base offset and how many of our records it has had so far.
    const partitions = new Map<number, { base: string; baseNumber: number; next: number }>();
    for (const entry of response) {
      if (entry.topicName === topic && entry.baseOffset !== undefined) {
        partitions.set(entry.partition, { base: entry.baseOffset, baseNumber: Number(entry.baseOffset), next: 0 });
      }
    }
    for (let m = 0; m < messages.length; m++) {
      const partition = messages[m]!.chosenPartition;
      const answer = partitions.get(partition);
      if (partition < 0 || answer === undefined) {
        // No answer for this record's partition: where (or whether) it was written is unknown.
        unanswered.add(partition);
        continue;
      }
      const index = answer.next++;
      const offset = answer.baseNumber + index;
      positions[indices[m]!] = { partition, offset: Number.isSafeInteger(offset) ? String(offset) : addOffset(answer.base, index) };
    }
  };

  return {
    async send(records) {
      const resend = unfinished !== undefined && sameRecords(unfinished.records, records);
      if (!resend) unfinished = undefined;
      const client = await connected();
      const positions: (RecordPosition | undefined)[] = resend ? unfinished!.positions : new Array<RecordPosition | undefined>(records.length);
      const missing: number[] = [];
      for (let i = 0; i < records.length; i++) if (positions[i] === undefined) missing.push(i);

      const groups = groupByLeader(missing, knownMetadata, (i, metadata) =>
        predictPartition({ topic, partitionMetadata: metadata as PartitionMetadata[], message: { key: records[i]!.key, value: null } }),
      );
      const unansweredPartitions = new Set<number>();
      const outcomes = await Promise.all(groups.map((group) => settle(sendGroup(client, records, group, positions, unansweredPartitions))));

      const errors = outcomes.filter((outcome): outcome is KafkaError => outcome !== undefined);
      if (errors.some((error) => error.details.sessionBroken === true)) {
        logger?.warn('idempotent producer session broken; starting a new one', { error: errors.find((e) => e.details.sessionBroken === true)!.message });
        await dropSession();
      }
      let unanswered = 0;
      for (let i = 0; i < records.length; i++) if (positions[i] === undefined) unanswered++;
      if (unanswered === 0) {
        unfinished = undefined;
        return positions as RecordPosition[];
      }
      unfinished = { records, positions };
      if (unanswered < records.length) {
        logger?.warn('produce partly acknowledged; the retry resends only the unacknowledged records', {
          acknowledged: records.length - unanswered,
          unacknowledged: unanswered,
        });
      }
      if (errors.length > 0) throw errors.find((error) => !error.retriable) ?? errors[0]!;
      // kafkajs resolved without an answer for some partitions (their leader
      // moved); their sequence numbers were taken back, so the exact resend
      // is deduplicated if they were written after all.
      const partitions = [...unansweredPartitions].sort((a, b) => a - b);
      throw new KafkaError('kafka_error', `produce response has no base offset for partition ${partitions.join(', ')} of ${topic} (${unanswered} of ${records.length} records unanswered)`, {
        retriable: true,
        details: { partitions, unanswered },
      });
    },
    async reset() {
      unfinished = undefined;
      await dropSession();
    },
    async close() {
      closed = true;
      unfinished = undefined;
      await dropSession();
    },
  };
}

/** Resolves with the KafkaError a send rejected with, or undefined when it succeeded. */
function settle(sending: Promise<void>): Promise<KafkaError | undefined> {
  return sending.then(
    () => undefined,
    (error: unknown) => (error instanceof KafkaError ? error : normalizeError(error, `sending to Kafka`)),
  );
}

/** The same record objects in the same order (what the batcher's exact resend passes). */
function sameRecords(a: readonly OutgoingRecord[], b: readonly OutgoingRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type PartitionerArgs = Parameters<ReturnType<typeof Partitioners.DefaultPartitioner>>[0];

/** Keys whose partition is remembered, at most; then the memory starts over. */
const MEMOIZED_KEYS = 10_000;

/**
 * kafkajs' DefaultPartitioner with its answers for keyed messages remembered.
 * For a message with a key and no explicit partition it answers
 * murmur2(key) mod the topic's partition count (like the Java client), a
 * function of the key and the count only — and it filters the partition list
 * for every message. The producer keys every record by tenant, a small set of
 * keys repeated over and over, so the answer per (key, count) is kept.
 * Anything else goes to the DefaultPartitioner as it is.
 */
export function memoizedDefaultPartitioner(): (args: PartitionerArgs) => number {
  const partition = Partitioners.DefaultPartitioner();
  const known = new Map<string, number>();
  let knownForCount = -1;
  return (args) => {
    const { key, partition: explicit } = args.message;
    if (typeof key !== 'string' || (explicit !== undefined && explicit !== null)) return partition(args);
    const count = args.partitionMetadata.length;
    if (count !== knownForCount || known.size >= MEMOIZED_KEYS) {
      known.clear();
      knownForCount = count;
    }
    let chosen = known.get(key);
    if (chosen === undefined) {
      chosen = partition(args);
      known.set(key, chosen);
    }
    return chosen;
  };
}

/** base + index for int64 decimal strings, exact beyond 2^53. */
export function addOffset(base: string, index: number): string {
  const n = Number(base);
  if (Number.isSafeInteger(n) && Number.isSafeInteger(n + index)) return String(n + index);
  return (BigInt(base) + BigInt(index)).toString();
}

/**
 * kafkajs hides retriable causes behind non-retriable wrappers: "retries
 * exhausted" (KafkaJSNumberOfRetriesExceeded) wraps the last retriable error,
 * and when that happens inside another retry loop (a reconnect during a send)
 * the outer loop wraps it again in a KafkaJSNonRetriableError. For our own
 * retry loop the innermost cause decides. Errors that break the idempotence
 * session become retriable once the session is replaced.
 */
function normalizeError(error: unknown, what: string): KafkaError {
  if (error instanceof KafkaError) return error;
  const root = unwrapRetriesExceeded(error);
  const type = typeof root === 'object' && root !== null && 'type' in root ? String((root as { type: unknown }).type) : undefined;
  const name = root instanceof Error ? root.name : 'Error';
  const sessionBroken = type !== undefined && SESSION_ERRORS.has(type);
  const retriable = sessionBroken || isRetriable(root);
  const code = name.startsWith('KafkaJSConnection') ? 'broker_unreachable' : 'kafka_error';
  const message = root instanceof Error ? root.message : String(root);
  return new KafkaError(code, `${what}: ${name}${type ? ` ${type}` : ''}: ${message}`, {
    cause: error,
    retriable,
    details: { kafkaErrorName: name, ...(type ? { kafkaErrorType: type } : {}), sessionBroken },
  });
}

const WRAPPERS = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

function unwrapRetriesExceeded(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof Error && WRAPPERS.has(current.name) && current.cause instanceof Error && current.cause !== current) current = current.cause;
    else break;
  }
  return current;
}
