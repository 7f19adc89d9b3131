import { hostname } from 'node:os';
import type { Classification } from './classify-record';
import { chainId, type PublicKeyring } from '@auditseal/core';
import { assertTopicsSafe, connectExplained, createKafkaClient, ensureTopics, sleep, type Logger } from '@auditseal/kafka';
import type { HealthState } from '@auditseal/runtime';
import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import { classifyRecord } from './classify-record';
import type { ChainerConfig } from './config';
import { recoverHeads } from './head-recovery';
import type { ChainerMetrics } from './metrics';
import { PartitionSealer, type PartitionState, type SealOutcome } from './partition-sealer';
import type { SourceRecord } from './seal-batch';

/**
 * The chainer (DESIGN.md "Data flow"): a consumer group on audit.events whose
 * members seal every record of their partitions into chain p on audit.sealed
 * partition p, one Kafka transaction per batch (entries + the group offset).
 *
 * Assignment: every partition is paused the moment it is assigned (the
 * GROUP_JOIN listener runs inside the join, before the first fetch), its
 * producer is re-created — which fences any zombie holding the same
 * transactional id — its head is recovered from Kafka, and only then is the
 * consumer seeked to the next offset to seal and the partition resumed.
 */

export interface ChainerDeps {
  logger: Logger;
  metrics: ChainerMetrics;
  /** Producer keyring (CHAINER_PRODUCER_KEYRING), already parsed. */
  keyring?: PublicKeyring;
  /** Sealing time, µs since the epoch. */
  nowMicros?: () => number;
  /** The consumer crashed and kafkajs will not restart it: the process should exit. */
  onFatal?: (error: unknown) => void;
  clientId?: string;
}

export interface PartitionSnapshot {
  partition: number;
  state: PartitionState;
  nextOffset: number;
  headSeq: number | null;
  stop?: { reason: string; message: string };
}

export interface ChainerSnapshot {
  started: boolean;
  joined: boolean;
  crashed: boolean;
  generation: number;
  partitions: PartitionSnapshot[];
}

export interface Chainer {
  /** Checks the topics (exit code 2 territory when unsafe), joins the group and starts sealing. */
  start(): Promise<void>;
  /** Stops fetching, lets the transaction in progress finish, disconnects producers, leaves the group. */
  stop(): Promise<void>;
  readonly health: HealthState;
  snapshot(): ChainerSnapshot;
}

/** kafkajs's Batch carries the offset it fetched from; its types leave it out. */
function fetchedOffsetOf(batch: Batch): number {
  const value = (batch as unknown as { fetchedOffset?: string }).fetchedOffset;
  return value === undefined ? Number.NaN : Number(value);
}

export function createChainer(config: ChainerConfig, deps: ChainerDeps): Chainer {
  const { logger, metrics } = deps;
  const nowMicros = deps.nowMicros ?? (() => Date.now() * 1000);
  const { events } = config.topics;
  const sealers = new Map<number, PartitionSealer>();
  const recoveries = new Set<Promise<void>>();
  const fencedTimers = new Set<NodeJS.Timeout>();
  const abort = new AbortController();
  const classifyOptions = { maxEventBytes: config.maxEventBytes, requireSignaturesFrom: config.requireSignaturesFrom, ...(deps.keyring ? { keyring: deps.keyring } : {}) };
  const classify = (value: Uint8Array | null): Classification => classifyRecord(value, classifyOptions);

  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let started = false;
  let joined = false;
  let crashed = false;
  let stopping = false;
  let generation = 0;
  let assigned: number[] = [];

  const partitionLabel = (partition: number) => ({ partition: String(partition) });

  function sealerFor(partition: number): PartitionSealer {
    let sealer = sealers.get(partition);
    if (!sealer) {
      sealer = new PartitionSealer({
        kafka: kafka!,
        config,
        chainId: chainId({ cluster: config.cluster, topic: events, partition }),
        partition,
        classify,
        nowMicros,
        logger,
        metrics,
        commitOffset: (offset, metadata) => consumer!.commitOffsets([{ topic: events, partition, offset, ...(metadata === null ? {} : { metadata }) }]),
      });
      sealers.set(partition, sealer);
    }
    return sealer;
  }

  function pause(partition: number): void {
    consumer?.pause([{ topic: events, partitions: [partition] }]);
  }

  /** Recovers the heads of `partitions` for generation `gen`, retrying Kafka errors until it succeeds or is superseded. */
  function recover(partitions: readonly number[], gen: number): void {
    const tokens = new Map(partitions.map((p) => [p, sealerFor(p).markRecovering()]));
    for (const p of partitions) pause(p);
    const current = (p: number) => !stopping && gen === generation && sealers.get(p)?.recoveryToken === tokens.get(p);
    const task = (async () => {
      for (let attempt = 1; ; attempt++) {
        const pending = partitions.filter(current);
        if (pending.length === 0) return;
        try {
          await Promise.all(pending.map((p) => sealerFor(p).prepareProducer()));
          const recovered = await recoverHeads({ kafka: kafka!, admin: admin!, config, partitions: pending, logger, signal: abort.signal });
          for (const [partition, { result, eventsHigh }] of recovered) {
            if (!current(partition)) continue;
            const sealer = sealerFor(partition);
            if (result.ok) {
              sealer.activate(result);
              consumer!.seek({ topic: events, partition, offset: String(result.nextOffset) });
              consumer!.resume([{ topic: events, partitions: [partition] }]);
              metrics.recoveries.inc({ outcome: 'ok' });
              metrics.partitionStopped.set(partitionLabel(partition), 0);
              metrics.chainHeadSeq.set(partitionLabel(partition), result.head.seq);
              metrics.consumerLag.set(partitionLabel(partition), Math.max(0, eventsHigh - result.nextOffset));
              logger.info('chain head recovered; sealing', {
                partition,
                chainId: sealer.chainId,
                headSeq: result.head.seq,
                nextOffset: result.nextOffset,
                lastSealedOffset: result.lastSealedOffset,
                transactionalId: config.delivery === 'exactly-once' ? sealer.transactionalId : undefined,
                ...(result.note ? { note: result.note } : {}),
              });
            } else {
              sealer.markStopped({ reason: result.reason, message: result.message, evidence: result.evidence });
              metrics.recoveries.inc({ outcome: 'stopped' });
              metrics.partitionStopped.set(partitionLabel(partition), 1);
              logger.error(`PARTITION STOPPED: ${result.reason}: ${result.message}. Sealing of this partition is paused until an operator acts (docs/OPERATIONS.md, Chainer stop conditions).`, {
                partition,
                reason: result.reason,
                evidence: result.evidence,
              });
              await sealer.release();
            }
          }
          return;
        } catch (error) {
          if (stopping) return;
          metrics.recoveries.inc({ outcome: 'retry' });
          const waitMs = Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 6));
          logger.warn('chain head recovery failed; retrying', { partitions: pending, attempt, waitMs, error });
          await sleep(waitMs, abort.signal).catch(() => undefined);
        }
      }
    })();
    recoveries.add(task);
    void task.finally(() => recoveries.delete(task));
  }

  function onAssignment(partitions: number[]): void {
    const gen = ++generation;
    joined = true;
    assigned = [...partitions].sort((a, b) => a - b);
    metrics.partitionsAssigned.set(assigned.length);
    for (const [partition, sealer] of sealers) {
      if (assigned.includes(partition)) continue;
      sealers.delete(partition);
      sealer.markRecovering();
      void sealer.release();
      metrics.forgetPartition(partition);
    }
    logger.info('partitions assigned', { generation: gen, partitions: assigned });
    if (assigned.length > 0) recover(assigned, gen);
  }

  function onSealFailure(sealer: PartitionSealer, outcome: Extract<SealOutcome, { status: 'failed' }>): void {
    const { partition } = sealer;
    if (outcome.fenced) {
      sealer.markFenced();
      pause(partition);
      logger.warn('producer fenced: another instance owns this partition now; waiting for the group to reassign it', {
        partition,
        transactionalId: sealer.transactionalId,
        error: outcome.error,
      });
      // Normally a rebalance follows and recovers every assigned partition. If
      // none comes (someone else fenced us), recover anyway after a session timeout.
      const gen = generation;
      const timer = setTimeout(() => {
        fencedTimers.delete(timer);
        if (!stopping && gen === generation && sealers.get(partition) === sealer && sealer.state === 'fenced') recover([partition], gen);
      }, config.sessionTimeoutMs + 1_000);
      fencedTimers.add(timer);
      return;
    }
    logger.error('transaction failed and was aborted; recovering the chain head', { partition, error: outcome.error });
    recover([partition], generation);
  }

  /** Trailing transaction markers or aborted records never reach eachBatch; they are safe to skip. */
  function onFilteredBatch(partition: number, firstOffset: number, lastOffset: number): void {
    const sealer = sealers.get(partition);
    if (!sealer || sealer.state !== 'active') return;
    if (firstOffset <= sealer.scannedOffset) sealer.scannedOffset = Math.max(sealer.scannedOffset, lastOffset + 1);
  }

  async function eachBatch(payload: {
    batch: Batch;
    resolveOffset: (offset: string) => void;
    heartbeat: () => Promise<void>;
    isRunning: () => boolean;
    isStale: () => boolean;
  }): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const sealer = sealers.get(batch.partition);
    if (!sealer || sealer.state !== 'active' || isStale()) return;
    const fetchedOffset = fetchedOffsetOf(batch);
    if (fetchedOffset > sealer.scannedOffset) {
      // The consumer's position passed records the chainer never saw: never seal across a hole.
      logger.error('consumer position is past the next offset to seal; recovering the partition', {
        partition: sealer.partition,
        fetchedOffset,
        nextOffset: sealer.nextOffset,
        scannedOffset: sealer.scannedOffset,
      });
      recover([sealer.partition], generation);
      return;
    }
    const records: SourceRecord[] = [];
    let skipped = 0;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < sealer.nextOffset) {
        skipped++;
        continue;
      }
      records.push({ offset, timestampMs: Number(message.timestamp), key: message.key ?? null, value: message.value ?? null });
    }
    if (skipped > 0) logger.debug('skipped records already sealed', { partition: sealer.partition, skipped, nextOffset: sealer.nextOffset });
    for (let i = 0; i < records.length; i += config.maxBatch) {
      if (!isRunning() || isStale()) return;
      const chunk = records.slice(i, i + config.maxBatch);
      const outcome = await sealer.seal(chunk);
      if (outcome.status === 'inactive') return;
      if (outcome.status === 'failed') {
        onSealFailure(sealer, outcome);
        return;
      }
      resolveOffset(String(chunk[chunk.length - 1]!.offset));
      await heartbeat();
    }
    // Everything up to the batch's last offset (markers included) is sealed or holds no data.
    const lastOffset = Number(batch.lastOffset());
    sealer.scannedOffset = Math.max(sealer.scannedOffset, lastOffset + 1);
    resolveOffset(batch.lastOffset());
    metrics.consumerLag.set(partitionLabel(sealer.partition), Math.max(0, Number(batch.highWatermark) - sealer.nextOffset));
  }

  function snapshot(): ChainerSnapshot {
    return {
      started,
      joined,
      crashed,
      generation,
      partitions: assigned.map((partition) => {
        const sealer = sealers.get(partition);
        const base: PartitionSnapshot = {
          partition,
          state: sealer?.state ?? 'recovering',
          nextOffset: sealer?.nextOffset ?? -1,
          headSeq: sealer?.head?.seq ?? null,
        };
        return sealer?.stopInfo ? { ...base, stop: { reason: sealer.stopInfo.reason, message: sealer.stopInfo.message } } : base;
      }),
    };
  }

  const health: HealthState = {
    live: () => !crashed,
    ready: () => {
      const s = snapshot();
      const allStopped = s.partitions.length > 0 && s.partitions.every((p) => p.state === 'stopped');
      return { ready: s.started && s.joined && !s.crashed && !stopping && !allStopped, detail: { ...s, stopping } };
    },
  };

  async function startUp(): Promise<void> {
    kafka = createKafkaClient({
      brokers: config.brokers,
      security: config.kafkaSecurity,
      clientId: deps.clientId ?? `auditseal-chainer-${hostname()}`,
      logger: quietProtocolErrors(logger.child('kafka')),
    });
    admin = kafka.admin();
    await connectExplained(admin, config.kafkaSecurity, config.brokers);
    if (stopping) return;
    if (config.ensureTopics) {
      const { created } = await ensureTopics(admin, config.topics, {
        partitions: config.partitions,
        replicationFactor: config.replicationFactor,
        minInsyncReplicas: config.minInsyncReplicas,
        maxEventMessageBytes: Math.max(1024 * 1024, config.maxEventBytes),
      });
      if (created.length > 0) logger.info('created topics', { created });
    } else {
      await assertTopicsSafe(admin, config.topics, { minInsyncReplicas: config.minInsyncReplicas });
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [events] });
    const partitionCount = metadata.topics[0]?.partitions.length ?? 1;
    if (!deps.keyring && config.producerKeyringPath === undefined) logger.warn('CHAINER_PRODUCER_KEYRING is not set: producer signatures are not verified');
    if (config.delivery === 'at-least-once') logger.warn('CHAINER_DELIVERY=at-least-once: benchmark baseline only, NOT for production (no zombie fencing)');

    consumer = kafka.consumer({
      groupId: config.groupId,
      readUncommitted: false,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(300, Math.floor(config.sessionTimeoutMs / 10)),
      // Also how long kafkajs sleeps when every assigned partition is paused (during recovery).
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    const c = consumer;
    c.on(c.events.GROUP_JOIN, ({ payload }) => onAssignment(payload.memberAssignment[events] ?? []));
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
      // firstOffset is null when kafkajs saw no record at or after the fetch offset: nothing is known then.
      if (payload.topic === events && payload.batchSize === 0 && payload.firstOffset !== null) {
        onFilteredBatch(payload.partition, Number(payload.firstOffset), Number(payload.lastOffset));
      }
    });
    c.on(c.events.REBALANCING, () => logger.info('group rebalancing'));
    c.on(c.events.CRASH, ({ payload }) => {
      logger.error('consumer crashed', { error: payload.error, restart: payload.restart });
      if (!payload.restart && !stopping) {
        crashed = true;
        deps.onFatal?.(payload.error);
      }
    });
    if (stopping) return;
    await c.connect();
    await c.subscribe({ topic: events, fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.min(64, Math.max(1, partitionCount)),
      eachBatch,
    });
    started = true;
    logger.info('chainer started', {
      cluster: config.cluster,
      events,
      sealed: config.topics.sealed,
      groupId: config.groupId,
      delivery: config.delivery,
      maxBatch: config.maxBatch,
      partitions: partitionCount,
    });
  }

  let starting: Promise<void> | undefined;

  return {
    health,
    snapshot,
    start() {
      starting ??= startUp().catch(async (error: unknown) => {
        // A chainer that failed to start holds no connection (tests run it in-process).
        await consumer?.disconnect().catch(() => undefined);
        await admin?.disconnect().catch(() => undefined);
        throw error;
      });
      return starting;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      abort.abort();
      for (const timer of fencedTimers) clearTimeout(timer);
      await starting?.catch(() => undefined);
      // Stops fetching, waits for the batches in progress (each finishes its
      // current transaction: eachBatch checks isRunning between transactions), leaves the group.
      await consumer?.disconnect().catch((error: unknown) => logger.warn('consumer did not disconnect cleanly', { error }));
      await Promise.allSettled([...recoveries]);
      await Promise.all([...sealers.values()].map((s) => s.release()));
      await admin?.disconnect().catch((error: unknown) => logger.warn('admin did not disconnect cleanly', { error }));
      logger.info('chainer stopped');
    },
  };
}

/**
 * kafkajs logs every protocol error response at ERROR, including the ones it
 * retries (CONCURRENT_TRANSACTIONS while a fenced transaction is aborted,
 * coordinator loading…). Failures that matter reach the chainer as thrown
 * errors and are logged there, so those lines are kept at debug.
 */
function quietProtocolErrors(logger: Logger): Logger {
  return {
    ...logger,
    child(namespace: string) {
      const child = logger.child(namespace);
      return namespace.startsWith('kafkajs.Connection') ? { ...child, error: child.debug } : quietProtocolErrors(child);
    },
  };
}
