import { chainId } from '@auditseal/core';
import type { Logger } from '@auditseal/kafka';
import type { Admin, Kafka } from 'kafkajs';
import type { ChainerConfig } from './config';
import { parseCommitMetadata, reconcileHead, type Reconciled } from './reconcile-head';
import { readSealedTails, type TailRequest } from './sealed-tail-reader';

/**
 * Head recovery, the I/O (DESIGN.md "Scale and fault tolerance"). The caller
 * has already fenced every older producer of these partitions (see
 * PartitionSealer.prepareProducer), so nothing changes on their sealed
 * partitions or committed offsets while this reads them:
 *   1. the group's committed offsets (with our metadata) for audit.events,
 *   2. both topics' offsets (earliest, and the end of audit.sealed),
 *   3. the committed tail of each audit.sealed partition,
 * then reconcileHead decides, per partition, where sealing continues or why
 * it must stop.
 */

export interface RecoveredPartition {
  result: Reconciled;
  /** High watermark of the events partition when recovered: lag = eventsHigh - nextOffset. */
  eventsHigh: number;
}

export interface RecoverHeadsOptions {
  kafka: Kafka;
  admin: Admin;
  config: Pick<ChainerConfig, 'cluster' | 'topics' | 'groupId' | 'delivery'>;
  partitions: readonly number[];
  logger: Logger;
  signal?: AbortSignal;
  tailTimeoutMs?: number;
}

export async function recoverHeads(options: RecoverHeadsOptions): Promise<Map<number, RecoveredPartition>> {
  const { admin, config, partitions } = options;
  const { events, sealed } = config.topics;
  const [committedTopics, sealedOffsets, eventsOffsets] = await Promise.all([
    admin.fetchOffsets({ groupId: config.groupId, topics: [events] }),
    admin.fetchTopicOffsets(sealed),
    admin.fetchTopicOffsets(events),
  ]);
  const committed = new Map<number, { offset: number | null; metadata: string | null }>();
  for (const { partition, offset, metadata } of committedTopics.find((t) => t.topic === events)?.partitions ?? []) {
    const value = Number(offset);
    committed.set(partition, { offset: Number.isSafeInteger(value) && value >= 0 ? value : null, metadata: metadata ?? null });
  }
  const offsetsOf = (list: { partition: number; low: string; high: string }[], partition: number, topic: string) => {
    const found = list.find((o) => o.partition === partition);
    if (!found) throw new Error(`${topic} has no partition ${partition}`);
    return { low: Number(found.low), high: Number(found.high) };
  };

  const requests: TailRequest[] = partitions.map((partition) => {
    const { low, high } = offsetsOf(sealedOffsets, partition, sealed);
    const hint = parseCommitMetadata(committed.get(partition)?.metadata)?.sealedOffset;
    return hint === undefined ? { partition, low, high } : { partition, low, high, hintOffset: hint };
  });
  const tails = await readSealedTails({
    kafka: options.kafka,
    topic: sealed,
    requests,
    logger: options.logger,
    groupIdPrefix: `${config.groupId}-head-reader`,
    ...(options.tailTimeoutMs === undefined ? {} : { timeoutMs: options.tailTimeoutMs }),
    ...(options.signal ? { signal: options.signal } : {}),
  });

  const recovered = new Map<number, RecoveredPartition>();
  for (const partition of partitions) {
    const eventsRange = offsetsOf(eventsOffsets, partition, events);
    const commit = committed.get(partition);
    const result = reconcileHead({
      chainId: chainId({ cluster: config.cluster, topic: events, partition }),
      partition,
      delivery: config.delivery,
      tail: tails.get(partition) ?? [],
      committedOffset: commit?.offset ?? null,
      committedMetadata: commit?.metadata ?? null,
      eventsLowOffset: eventsRange.low,
    });
    recovered.set(partition, { result, eventsHigh: eventsRange.high });
  }
  return recovered;
}
