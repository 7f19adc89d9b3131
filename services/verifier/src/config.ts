import { topicNames, type KafkaSecurity, type TopicNames } from '@auditseal/kafka';
import { ConfigError, env, loadConfig, loadKafkaSecurity } from '@auditseal/runtime';
import { z } from 'zod';
import { defaultWorkerCount, MAX_WORKERS } from './cpu-budget';
import { ordinalOf, type Shard } from './shard';

/**
 * The verifier's configuration, read once from the environment (CONVENTIONS.md
 * habit 4). Every variable is documented in docs/OPERATIONS.md "Verifier".
 */

export interface VerifierConfig {
  brokers: string[];
  /** TLS and SASL (KAFKA_SSL_*, KAFKA_SASL_*: docs/OPERATIONS.md "Common settings"); plain data, handed to the worker threads with the rest. */
  kafkaSecurity: KafkaSecurity;
  cluster: string;
  topicPrefix: string;
  topics: TopicNames;
  /** Prefix of the throwaway read-only consumer groups (never commit). */
  groupIdPrefix: string;
  s3: { endpoint: string | undefined; region: string; accessKeyId: string | undefined; secretAccessKey: string | undefined; bucket: string; forcePathStyle: boolean };
  archivePrefix: string;
  /** Path of the public keyring (FORMAT.md §6.4); undefined: the keys published in the archive (`<prefix>/v1/keys/`). */
  keyringPath: string | undefined;
  retentionDays: number;
  passIntervalMs: number;
  /** Verify everything from scratch at least this often (between, passes are incremental); 0: every pass. */
  fullPassIntervalMs: number;
  /** Partition worker threads (0: verify in the main thread). */
  workers: number;
  maxArchiveDelayMs: number;
  maxArchiveLagEntries: number | undefined;
  maxCheckpointAgeMs: number;
  manifestGraceMs: number;
  instance: string;
  /** Which chains this instance verifies when several share them (shard.ts). */
  shard: Shard;
  httpPort: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const schema = z.object({
  KAFKA_BROKERS: env.list(),
  AUDITSEAL_CLUSTER: env.clusterName(),
  AUDITSEAL_TOPIC_PREFIX: env.topicPrefix(),
  VERIFIER_GROUP_ID_PREFIX: env.string().optional(),
  S3_ENDPOINT: env.string().url('must be an http(s) URL').optional(),
  S3_REGION: env.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: env.string().optional(),
  S3_SECRET_ACCESS_KEY: env.string().optional(),
  S3_BUCKET: env.string(),
  S3_FORCE_PATH_STYLE: env.bool().optional(),
  ARCHIVE_PREFIX: env
    .string()
    .pipe(z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be path segments of [A-Za-z0-9._-] without leading or trailing "/"'))
    .default('auditseal-archive'),
  VERIFIER_KEYRING: env.string().optional(),
  VERIFIER_RETENTION_DAYS: env.int(1, 36_500).default('2557'),
  VERIFIER_S3_SCAN_INTERVAL_MS: env.int(100, 86_400_000).default('60000'),
  VERIFIER_FULL_PASS_INTERVAL_MS: env.int(0, 2_592_000_000).default('86400000'),
  VERIFIER_WORKERS: env.int(0, MAX_WORKERS).optional(),
  VERIFIER_MAX_ARCHIVE_DELAY_MS: env.int(1, 604_800_000).default('900000'),
  VERIFIER_MAX_ARCHIVE_LAG_ENTRIES: env.int(1, 1_000_000_000).optional(),
  VERIFIER_MAX_CHECKPOINT_AGE_MS: env.int(1, 604_800_000).default('3600000'),
  VERIFIER_MANIFEST_GRACE_MS: env.int(0, 86_400_000).default('300000'),
  VERIFIER_INSTANCE: env.string().optional(),
  VERIFIER_SHARDS: env.int(1, 1024).default('1'),
  VERIFIER_SHARD: env.int(0, 1023).optional(),
  HTTP_PORT: env.int(0, 65_535).default('9466'),
  LOG_LEVEL: env.logLevel().default('info'),
});

export function loadVerifierConfig(environment: Record<string, string | undefined>, hostname = 'verifier'): VerifierConfig {
  const e = loadConfig(schema, environment, 'verifier');
  const kafkaSecurity = loadKafkaSecurity(environment, 'verifier');
  const prefix = e.AUDITSEAL_TOPIC_PREFIX;
  const instance = e.VERIFIER_INSTANCE ?? hostname;
  const shard = shardOf(e.VERIFIER_SHARDS, e.VERIFIER_SHARD, instance);
  return {
    brokers: e.KAFKA_BROKERS,
    kafkaSecurity,
    cluster: e.AUDITSEAL_CLUSTER,
    topicPrefix: prefix,
    topics: topicNames(prefix),
    groupIdPrefix: e.VERIFIER_GROUP_ID_PREFIX ?? `${prefix}verifier`,
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      bucket: e.S3_BUCKET,
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
    },
    archivePrefix: e.ARCHIVE_PREFIX,
    keyringPath: e.VERIFIER_KEYRING,
    retentionDays: e.VERIFIER_RETENTION_DAYS,
    passIntervalMs: e.VERIFIER_S3_SCAN_INTERVAL_MS,
    fullPassIntervalMs: e.VERIFIER_FULL_PASS_INTERVAL_MS,
    // Default: a thread per CPU the container allows (cpu-budget.ts).
    workers: e.VERIFIER_WORKERS ?? defaultWorkerCount(),
    maxArchiveDelayMs: e.VERIFIER_MAX_ARCHIVE_DELAY_MS,
    maxArchiveLagEntries: e.VERIFIER_MAX_ARCHIVE_LAG_ENTRIES,
    maxCheckpointAgeMs: e.VERIFIER_MAX_CHECKPOINT_AGE_MS,
    manifestGraceMs: e.VERIFIER_MANIFEST_GRACE_MS,
    instance,
    shard,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * VERIFIER_SHARD, or with several shards the ordinal at the end of the
 * instance name (a StatefulSet pod `auditseal-verifier-2` is shard 2).
 */
function shardOf(count: number, index: number | undefined, instance: string): Shard {
  const chosen = index ?? (count === 1 ? 0 : ordinalOf(instance));
  if (chosen === undefined) {
    throw shardError(`is required with VERIFIER_SHARDS=${count} when the instance name ${JSON.stringify(instance)} does not end in -<ordinal> (as StatefulSet pods do)`);
  }
  if (chosen >= count) throw shardError(`must be below VERIFIER_SHARDS (${count}), got ${chosen}${index === undefined ? ` from the instance name ${JSON.stringify(instance)}` : ''}`);
  return { index: chosen, count };
}

const shardError = (problem: string) => new ConfigError('invalid_config', `verifier: invalid configuration:\n  - VERIFIER_SHARD: ${problem}\nSee docs/OPERATIONS.md for every variable.`);
