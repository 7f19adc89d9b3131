import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { archiveLayout, createS3ArchiveStore, createS3Client, type ArchiveLayout, type ArchiveStore } from '@auditseal/archive';
import { chainId, type PublicKeyring, type SigningKey } from '@auditseal/core';
import { assertTopicsSafe, connectExplained, createKafkaClient, sleep, type Logger } from '@auditseal/kafka';
import type { HealthState } from '@auditseal/runtime';
import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import { ageTickMs, type ArchiverConfig, type CrashPoint } from './config';
import type { ArchiverMetrics } from './metrics';
import { PartitionArchiver } from './partition-archiver';
import { assertObjectLock, loadArchiveKeyring, probeDelete, publishKey, StartupRefusal } from './startup-checks';

/**
 * The archiver (DESIGN.md "Archive layout"): a consumer group on audit.sealed
 * (read_committed, manual commits) whose members archive the chains of their
 * partitions to S3. On assignment every partition is paused inside the join
 * (before the first fetch), recovered from what S3 holds, seeked to after the
 * last archived entry and resumed — the group's committed offsets may lag S3
 * after a crash, so S3 decides.
 */

export interface ArchiverDeps {
  logger: Logger;
  metrics: ArchiverMetrics;
  signingKey: SigningKey;
  keyNotBefore: Date;
  /** FAULT INJECTION ONLY: called after each archiving step (ARCHIVER_CRASH_AFTER). */
  afterStep?: (point: CrashPoint) => void;
  onFatal?: (error: unknown) => void;
  s3Client?: S3Client;
  now?: () => number;
  /** Interval of the age and checkpoint tick; default ageTickMs(segmentMaxAgeMs). */
  tickMs?: number;
}


export interface PartitionSnapshot {
  partition: number;
  state: string;
  archivedHeadSeq: number;
  pendingEntries: number;
  stop?: { kind: string; message: string };
}

export interface Archiver {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly health: HealthState;
  snapshot(): { started: boolean; crashed: boolean; partitions: PartitionSnapshot[] };
}

export function createS3ClientFor(config: ArchiverConfig): S3Client {
  return createS3Client(config.s3);
}

export function createArchiver(config: ArchiverConfig, deps: ArchiverDeps): Archiver {
  const { logger, metrics } = deps;
  const sealed = config.topics.sealed;
  const layout: ArchiveLayout = archiveLayout(config.archivePrefix);
  const s3 = deps.s3Client ?? createS3ClientFor(config);
  const store: ArchiveStore = createS3ArchiveStore({ client: s3, bucket: config.s3.bucket });
  const partitions = new Map<number, PartitionArchiver>();
  const abort = new AbortController();
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let generation = 0;
  let started = false;
  let crashed = false;
  let stopping = false;
  let keyringCache: PublicKeyring | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const tasks = new Set<Promise<unknown>>();

  const keyring = async (): Promise<PublicKeyring> => {
    keyringCache ??= await loadArchiveKeyring(store, layout, logger);
    return keyringCache;
  };

  const track = (task: Promise<unknown>) => {
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };

  function archiverFor(partition: number): PartitionArchiver {
    let archiver = partitions.get(partition);
    if (!archiver) {
      archiver = new PartitionArchiver({
        partition,
        chainId: chainId({ cluster: config.cluster, topic: config.topics.events, partition }),
        sealedTopic: sealed,
        store,
        layout,
        signingKey: deps.signingKey,
        keyring,
        limits: { maxEntries: config.segmentMaxEntries, maxBytes: config.segmentMaxBytes, maxAgeMs: config.segmentMaxAgeMs },
        retentionDays: config.retentionDays,
        checkpointIntervalMs: config.checkpointIntervalMs,
        commit: (nextOffset, manifestKey) => consumer!.commitOffsets([{ topic: sealed, partition, offset: String(nextOffset), metadata: manifestKey }]),
        onStop: () => consumer?.pause([{ topic: sealed, partitions: [partition] }]),
        logger: logger.child(`p${partition}`),
        metrics,
        ...(deps.afterStep ? { afterStep: deps.afterStep } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
      partitions.set(partition, archiver);
    }
    return archiver;
  }

  /** Recovers `partition` from S3 for generation `gen`, retrying until it succeeds, alerts or is superseded. */
  function recover(partition: number, gen: number): void {
    consumer?.pause([{ topic: sealed, partitions: [partition] }]);
    const archiver = archiverFor(partition);
    const task = (async () => {
      for (let attempt = 1; !stopping && gen === generation; attempt++) {
        try {
          const [committed] = await admin!.fetchOffsets({ groupId: config.groupId, topics: [sealed] });
          const hint = committed?.partitions.find((p) => p.partition === partition)?.metadata ?? undefined;
          const point = await archiver.recover(hint || undefined);
          if (!point || stopping || gen !== generation) return;
          let offset: number;
          if (point.startOffset === 'earliest') {
            const offsets = await admin!.fetchTopicOffsets(sealed);
            offset = Number(offsets.find((o) => o.partition === partition)?.low ?? 0);
          } else {
            offset = point.startOffset;
          }
          archiver.setStartOffset(offset);
          consumer!.seek({ topic: sealed, partition, offset: String(offset) });
          consumer!.resume([{ topic: sealed, partitions: [partition] }]);
          logger.info('partition recovered from S3; archiving', { partition, chainId: archiver.chainId, archivedHeadSeq: point.head.seq, startOffset: offset, orphans: point.forced });
          return;
        } catch (error) {
          const waitMs = Math.min(10_000, 250 * 2 ** Math.min(attempt - 1, 6));
          logger.warn('recovery from S3 failed; retrying', { partition, attempt, waitMs, error });
          await sleep(waitMs, abort.signal).catch(() => undefined);
        }
      }
    })();
    track(task);
  }

  function onAssignment(assigned: number[]): void {
    const gen = ++generation;
    for (const [partition] of partitions) {
      if (!assigned.includes(partition)) {
        partitions.delete(partition);
        metrics.forgetPartition(partition);
      }
    }
    logger.info('partitions assigned', { generation: gen, partitions: assigned });
    for (const p of assigned) recover(p, gen);
  }

  async function eachBatch(payload: { batch: Batch; resolveOffset: (offset: string) => void; heartbeat: () => Promise<void>; isStale: () => boolean; isRunning: () => boolean }): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale, isRunning } = payload;
    const archiver = partitions.get(batch.partition);
    if (!archiver || archiver.state !== 'active' || isStale() || !isRunning() || stopping) return;
    const messages = batch.messages.map((m) => ({ offset: Number(m.offset), value: m.value }));
    try {
      await archiver.accept(messages, Number(batch.highWatermark), heartbeat);
    } catch (error) {
      logger.error('archiving failed; recovering the partition from S3', { partition: batch.partition, error });
      recover(batch.partition, generation);
      return;
    }
    // The position moves on; nothing is committed until S3 holds the segment.
    resolveOffset(batch.lastOffset());
  }

  function tickAll(): void {
    for (const archiver of partitions.values()) {
      if (archiver.state !== 'active') {
        archiver.refreshLag();
        continue;
      }
      track(
        archiver.tick().catch((error: unknown) => {
          logger.error('archiving failed; recovering the partition from S3', { partition: archiver.partition, error });
          recover(archiver.partition, generation);
        }),
      );
    }
  }

  function snapshot() {
    return {
      started,
      crashed,
      partitions: [...partitions.values()]
        .sort((a, b) => a.partition - b.partition)
        .map((a) => ({
          partition: a.partition,
          state: a.state,
          archivedHeadSeq: a.archivedHead.seq,
          pendingEntries: a.pendingEntries,
          ...(a.stopInfo ? { stop: { kind: a.stopInfo.kind, message: a.stopInfo.message } } : {}),
        })),
    };
  }

  const health: HealthState = {
    live: () => !crashed,
    ready: () => {
      const s = snapshot();
      // Not ready when every owned partition is stopped by an alert: this instance archives nothing.
      const allStopped = s.partitions.length > 0 && s.partitions.every((p) => p.state === 'stopped');
      return { ready: started && !crashed && !stopping && !allStopped, detail: { ...s, stopping } };
    },
  };

  return {
    health,
    snapshot,
    async start() {
      await assertObjectLock(store, config.s3.bucket);
      const probe = await probeDelete(s3, config.s3.bucket, layout);
      if (probe !== 'denied') {
        const message = `the S3 credentials ${probe === 'allowed' ? 'may' : 'might'} delete object versions (delete probe: ${probe}); the archiver must run with put-only credentials (infra/s3/archiver-policy.json)`;
        if (config.deleteProbe === 'refuse') throw new StartupRefusal('can_delete', `${message}. Set ARCHIVER_DELETE_PROBE=warn only for local development.`);
        logger.warn(`${message} (ARCHIVER_DELETE_PROBE=warn: continuing)`);
      }
      metrics.objectsWritten.inc({ kind: 'key', result: await publishKey(store, layout, deps.signingKey, deps.keyNotBefore, config.retentionDays) });
      kafka = createKafkaClient({ brokers: config.brokers, security: config.kafkaSecurity, clientId: `auditseal-archiver-${hostname()}`, logger: logger.child('kafka') });
      admin = kafka.admin();
      await connectExplained(admin, config.kafkaSecurity, config.brokers);
      await assertTopicsSafe(admin, config.topics, { minInsyncReplicas: config.minInsyncReplicas });
      const metadata = await admin.fetchTopicMetadata({ topics: [sealed] });
      const partitionCount = metadata.topics[0]?.partitions.length ?? 1;
      consumer = kafka.consumer({
        groupId: config.groupId,
        readUncommitted: false,
        sessionTimeout: config.sessionTimeoutMs,
        heartbeatInterval: Math.max(300, Math.floor(config.sessionTimeoutMs / 10)),
        maxWaitTimeInMs: 500,
        maxBytesPerPartition: 4 * 1024 * 1024,
        allowAutoTopicCreation: false,
      });
      const c = consumer;
      c.on(c.events.GROUP_JOIN, ({ payload }) => onAssignment(payload.memberAssignment[sealed] ?? []));
      c.on(c.events.CRASH, ({ payload }) => {
        logger.error('consumer crashed', { error: payload.error, restart: payload.restart });
        if (!payload.restart && !stopping) {
          crashed = true;
          deps.onFatal?.(payload.error);
        }
      });
      await c.connect();
      await c.subscribe({ topic: sealed, fromBeginning: true });
      await c.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: Math.min(64, Math.max(1, partitionCount)), eachBatch });
      ticker = setInterval(tickAll, deps.tickMs ?? ageTickMs(config.segmentMaxAgeMs));
      started = true;
      logger.info('archiver started', {
        sealed,
        bucket: config.s3.bucket,
        prefix: config.archivePrefix,
        groupId: config.groupId,
        keyId: deps.signingKey.keyId,
        segment: { maxEntries: config.segmentMaxEntries, maxBytes: config.segmentMaxBytes, maxAgeMs: config.segmentMaxAgeMs },
        retentionDays: config.retentionDays,
      });
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      if (ticker) clearInterval(ticker);
      // Graceful: stop fetching, flush every open segment (which commits its offsets), then leave the group.
      const owned = [...partitions.keys()];
      if (consumer && owned.length > 0) consumer.pause([{ topic: sealed, partitions: owned }]);
      await Promise.allSettled([...tasks]);
      for (const archiver of partitions.values()) {
        await archiver.flush().catch((error: unknown) => logger.error('could not flush the open segment at shutdown; it will be re-read from Kafka', { partition: archiver.partition, error }));
      }
      abort.abort();
      await consumer?.disconnect().catch((error: unknown) => logger.warn('consumer did not disconnect cleanly', { error }));
      await admin?.disconnect().catch((error: unknown) => logger.warn('admin did not disconnect cleanly', { error }));
      if (!deps.s3Client) s3.destroy();
      logger.info('archiver stopped');
    },
  };
}

export type { CrashPoint };
