import { CoreError } from './errors';

/**
 * Chain ids (FORMAT.md §2): `auditseal/v1/<cluster>/<topic>/<partition>`.
 * One chain per partition of the input topic; binding cluster, topic and
 * partition into every link stops entries being spliced between chains
 * (DESIGN.md "Chains and hashes").
 */
export interface ChainIdParts {
  /** Name of the Kafka cluster (an operator-chosen name, not the broker-generated cluster id). */
  cluster: string;
  /** The input topic whose partition this chain accounts for (e.g. `audit.events`). */
  topic: string;
  /** Partition number, 0 … 2^31-1 (Kafka partitions are int32). */
  partition: number;
}

export const CHAIN_ID_PREFIX = 'auditseal/v1/';
/** Kafka's limit on topic names; applied to cluster names too. */
export const MAX_NAME_LENGTH = 249;
export const MAX_PARTITION = 2147483647;
/** Longest possible chain id in bytes: prefix + 2 names + 2 slashes + 10 digits. */
export const MAX_CHAIN_ID_LENGTH = CHAIN_ID_PREFIX.length + 2 * MAX_NAME_LENGTH + 2 + 10;

const NAME = /^[A-Za-z0-9._-]{1,249}$/;
const PARTITION = /^(0|[1-9][0-9]{0,9})$/;

function checkName(what: 'cluster' | 'topic', name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new CoreError('invalid_chain_id', `${what} name must be 1-${MAX_NAME_LENGTH} characters of [A-Za-z0-9._-]`, {
      details: { [what]: typeof name === 'string' ? name.slice(0, 300) : typeof name },
    });
  }
  // Kafka forbids these topic names; they would also be path segments in S3 keys.
  if (name === '.' || name === '..') {
    throw new CoreError('invalid_chain_id', `${what} name must not be "." or ".."`, { details: { [what]: name } });
  }
  return name;
}

function checkPartition(partition: unknown): number {
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > MAX_PARTITION) {
    throw new CoreError('invalid_chain_id', `partition must be an integer 0-${MAX_PARTITION}`, { details: { partition: String(partition) } });
  }
  return partition;
}

/** Builds the chain id of one partition (FORMAT.md §2). Throws `invalid_chain_id`. */
export function chainId(parts: ChainIdParts): string {
  const cluster = checkName('cluster', parts.cluster);
  const topic = checkName('topic', parts.topic);
  const partition = checkPartition(parts.partition);
  return `${CHAIN_ID_PREFIX}${cluster}/${topic}/${partition}`;
}

/**
 * Parses and validates a chain id from untrusted input (a sealed record, an
 * S3 key, a manifest). Only the canonical form is accepted (no leading zeros
 * in the partition), so a chain has exactly one id. Throws `invalid_chain_id`.
 */
export function parseChainId(id: unknown): ChainIdParts {
  if (typeof id !== 'string' || id.length > MAX_CHAIN_ID_LENGTH || !id.startsWith(CHAIN_ID_PREFIX)) {
    throw new CoreError('invalid_chain_id', `chain id must start with "${CHAIN_ID_PREFIX}" and be at most ${MAX_CHAIN_ID_LENGTH} characters`, {
      details: { chainId: typeof id === 'string' ? id.slice(0, 600) : typeof id },
    });
  }
  const segments = id.slice(CHAIN_ID_PREFIX.length).split('/');
  if (segments.length !== 3) {
    throw new CoreError('invalid_chain_id', 'chain id must be auditseal/v1/<cluster>/<topic>/<partition>', { details: { chainId: id } });
  }
  const [cluster, topic, partitionText] = segments as [string, string, string];
  checkName('cluster', cluster);
  checkName('topic', topic);
  if (!PARTITION.test(partitionText)) {
    throw new CoreError('invalid_chain_id', 'partition must be decimal without sign or leading zeros', { details: { chainId: id } });
  }
  return { cluster, topic, partition: checkPartition(Number(partitionText)) };
}

/** Throws `invalid_chain_id` unless `id` is a valid chain id; returns it typed as a string. */
export function assertChainId(id: unknown): string {
  parseChainId(id);
  return id as string;
}
