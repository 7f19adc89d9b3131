import { readFileSync } from 'node:fs';
import { EVENT_LIMITS } from '@auditseal/codec';
import { parseKeyring, type PublicKeyring } from '@auditseal/core';
import { DEFAULT_TOPIC_POLICY, topicNames, type KafkaSecurity, type TopicNames } from '@auditseal/kafka';
import { ConfigError, env, loadConfig, loadKafkaSecurity } from '@auditseal/runtime';
import { z } from 'zod';

/**
 * The chainer's configuration, read once from the environment (CONVENTIONS.md
 * habit 4). Every variable is documented in docs/OPERATIONS.md "Chainer".
 */

export type DeliveryMode = 'exactly-once' | 'at-least-once';

export interface ChainerConfig {
  brokers: string[];
  /** TLS and SASL (KAFKA_SSL_*, KAFKA_SASL_*: docs/OPERATIONS.md "Common settings"). */
  kafkaSecurity: KafkaSecurity;
  /** Operator-chosen cluster name; part of every chain id (FORMAT.md §2). */
  cluster: string;
  topicPrefix: string;
  topics: TopicNames;
  groupId: string;
  /** Transactional id of partition p: `${transactionalIdPrefix}-chainer-${p}`. */
  transactionalIdPrefix: string;
  maxEventBytes: number;
  /** Records per transaction. */
  maxBatch: number;
  delivery: DeliveryMode;
  /** source.service names whose events must carry a valid producer signature. */
  requireSignaturesFrom: ReadonlySet<string>;
  /** Path of the producer keyring; undefined when producer signatures are not checked. */
  producerKeyringPath: string | undefined;
  minInsyncReplicas: number;
  ensureTopics: boolean;
  /** Used only when ensureTopics creates topics. */
  partitions: number;
  replicationFactor: number;
  sessionTimeoutMs: number;
  httpPort: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const schema = z.object({
  KAFKA_BROKERS: env.list(),
  AUDITSEAL_CLUSTER: env.clusterName(),
  AUDITSEAL_TOPIC_PREFIX: env.topicPrefix(),
  CHAINER_GROUP_ID: env.string().optional(),
  CHAINER_TRANSACTIONAL_ID_PREFIX: env.string().optional(),
  CHAINER_MAX_EVENT_BYTES: env.int(64, 64 * 1024 * 1024).default(String(EVENT_LIMITS.maxEventBytes)),
  CHAINER_MAX_BATCH: env.int(1, 100_000).default('2000'),
  CHAINER_DELIVERY: z.enum(['exactly-once', 'at-least-once']).default('exactly-once'),
  CHAINER_REQUIRE_SIGNATURES_FROM: env.list().optional(),
  CHAINER_PRODUCER_KEYRING: env.string().optional(),
  AUDITSEAL_MIN_INSYNC_REPLICAS: env.int(1, 100).default('2'),
  CHAINER_ENSURE_TOPICS: env.bool().default('false'),
  AUDITSEAL_PARTITIONS: env.int(1, 10_000).default(String(DEFAULT_TOPIC_POLICY.partitions)),
  AUDITSEAL_REPLICATION_FACTOR: env.int(1, 100).default(String(DEFAULT_TOPIC_POLICY.replicationFactor)),
  CHAINER_SESSION_TIMEOUT_MS: env.int(1_000, 600_000).default('30000'),
  HTTP_PORT: env.int(0, 65_535).default('9464'),
  LOG_LEVEL: env.logLevel().default('info'),
});

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadChainerConfig(environment: Record<string, string | undefined>): ChainerConfig {
  const e = loadConfig(schema, environment, 'chainer');
  const requireSignaturesFrom = new Set(e.CHAINER_REQUIRE_SIGNATURES_FROM ?? []);
  if (requireSignaturesFrom.size > 0 && e.CHAINER_PRODUCER_KEYRING === undefined) {
    throw new ConfigError(
      'invalid_config',
      'chainer: invalid configuration:\n  - CHAINER_PRODUCER_KEYRING: must be set when CHAINER_REQUIRE_SIGNATURES_FROM names services (signatures cannot be verified without keys)\nSee docs/OPERATIONS.md for every variable.',
    );
  }
  const kafkaSecurity = loadKafkaSecurity(environment, 'chainer');
  const prefix = e.AUDITSEAL_TOPIC_PREFIX;
  return {
    brokers: e.KAFKA_BROKERS,
    kafkaSecurity,
    cluster: e.AUDITSEAL_CLUSTER,
    topicPrefix: prefix,
    topics: topicNames(prefix),
    groupId: e.CHAINER_GROUP_ID ?? `${prefix}chainer`,
    transactionalIdPrefix: e.CHAINER_TRANSACTIONAL_ID_PREFIX ?? `${prefix}auditseal`,
    maxEventBytes: e.CHAINER_MAX_EVENT_BYTES,
    maxBatch: e.CHAINER_MAX_BATCH,
    delivery: e.CHAINER_DELIVERY,
    requireSignaturesFrom,
    producerKeyringPath: e.CHAINER_PRODUCER_KEYRING,
    minInsyncReplicas: e.AUDITSEAL_MIN_INSYNC_REPLICAS,
    ensureTopics: e.CHAINER_ENSURE_TOPICS,
    partitions: e.AUDITSEAL_PARTITIONS,
    replicationFactor: e.AUDITSEAL_REPLICATION_FACTOR,
    sessionTimeoutMs: e.CHAINER_SESSION_TIMEOUT_MS,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
  };
}

/** Reads and parses the producer keyring (FORMAT.md §6.4); throws ConfigError naming the variable. */
export function loadProducerKeyring(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): PublicKeyring {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw new ConfigError('invalid_config', `chainer: CHAINER_PRODUCER_KEYRING: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseKeyring(text);
  } catch (error) {
    throw new ConfigError('invalid_config', `chainer: CHAINER_PRODUCER_KEYRING: ${path} is not a valid keyring: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The transactional id of the producer that writes chain `partition` (DESIGN.md "Scale and fault tolerance"). */
export function transactionalIdFor(config: Pick<ChainerConfig, 'transactionalIdPrefix'>, partition: number): string {
  return `${config.transactionalIdPrefix}-chainer-${partition}`;
}
