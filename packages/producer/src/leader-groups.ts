import type { PartitionMetadata } from 'kafkajs';

/**
 * Splits record indices into one group per partition LEADER broker, so that
 * each group can go out as its own kafkajs `send` and succeed or fail as a
 * whole: a kafkajs `send` spanning several brokers can fail after some of them
 * acknowledged (and kafkajs advanced those partitions' idempotence sequence
 * numbers), and resending it whole would then append those records again
 * (docs/RELIABILITY.md, "Known defects").
 *
 * - `partitionOf(index, metadata)` answers the partition a record goes to,
 *   as the producer's partitioner does.
 * - Every partition falls into exactly one group (so a partition's records
 *   are never split between two concurrent requests); groups and the indices
 *   in them keep the order of `indices`. A partition without a known leader
 *   (-1, or absent from `metadata`) groups under leader -1.
 * - Without metadata, or with a single leader, the answer is one group with
 *   every index, and `partitionOf` is not called (the one-broker fast path).
 */
export function groupByLeader(
  indices: readonly number[],
  metadata: readonly PartitionMetadata[] | undefined,
  partitionOf: (index: number, metadata: readonly PartitionMetadata[]) => number,
): number[][] {
  if (indices.length === 0) return [];
  if (metadata === undefined || distinctLeaders(metadata) <= 1) return [[...indices]];
  const leaderOf = new Map<number, number>();
  for (const partition of metadata) leaderOf.set(partition.partitionId, partition.leader);
  const groups = new Map<number, number[]>();
  for (const index of indices) {
    const leader = leaderOf.get(partitionOf(index, metadata)) ?? -1;
    const group = groups.get(leader);
    if (group) group.push(index);
    else groups.set(leader, [index]);
  }
  return [...groups.values()];
}

/** How many different leaders (a missing leader, -1, counts as one) the partitions have. */
export function distinctLeaders(metadata: readonly PartitionMetadata[]): number {
  const leaders = new Set<number>();
  for (const partition of metadata) leaders.add(partition.leader);
  return leaders.size;
}
