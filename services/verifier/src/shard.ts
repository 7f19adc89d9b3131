/**
 * Verifier instances share the chains between them by partition (DESIGN.md:
 * every service runs as any number of instances). With VERIFIER_SHARDS = n,
 * instance i verifies the chains of partitions p with p mod n = i; instance 0
 * also runs the archive-wide checks (key files, keys outside the layout,
 * chains of no current partition), so that each is reported by one instance.
 * The ids of raised findings are shared through audit.alerts, so instances
 * never raise one twice, even when n changes.
 */
export interface Shard {
  index: number;
  count: number;
}

export const SINGLE_SHARD: Shard = Object.freeze({ index: 0, count: 1 });

/** The partitions this shard verifies, in order. */
export function shardPartitions(partitions: readonly number[], shard: Shard): number[] {
  return partitions.filter((p) => p % shard.count === shard.index);
}

/** Whether this shard runs the archive-wide checks. */
export function runsArchiveWideChecks(shard: Shard): boolean {
  return shard.index === 0;
}

/**
 * The shard index of an instance named like a Kubernetes StatefulSet pod
 * (`<name>-<ordinal>`), undefined when the name does not end in `-<digits>`.
 */
export function ordinalOf(instance: string): number | undefined {
  const match = /-(\d{1,6})$/.exec(instance);
  return match ? Number(match[1]) : undefined;
}
