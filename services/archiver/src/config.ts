import { topicNames, type KafkaSecurity, type TopicNames } from '@auditseal/kafka';
import { env, loadConfig, loadKafkaSecurity } from '@auditseal/runtime';
import { z } from 'zod';

/**
 * The archiver's configuration, read once from the environment (CONVENTIONS.md
 * habit 4). Every variable is documented in docs/OPERATIONS.md "Archiver".
 */

export type CrashPoint = 'segment-put' | 'manifest-put';

export interface ArchiverConfig {
  brokers: string[];
  /** TLS and SASL (KAFKA_SSL_*, KAFKA_SASL_*: docs/OPERATIONS.md "Common settings"). */
  kafkaSecurity: KafkaSecurity;
  cluster: string;
  topicPrefix: string;
  topics: TopicNames;
  groupId: string;
  minInsyncReplicas: number;
  s3: { endpoint: string | undefined; region: string; accessKeyId: string | undefined; secretAccessKey: string | undefined; bucket: string; forcePathStyle: boolean };
  archivePrefix: string;
  segmentMaxEntries: number;
  segmentMaxBytes: number;
  segmentMaxAgeMs: number;
  retentionDays: number;
  checkpointIntervalMs: number;
  signingKeyPath: string;
  devKey: boolean;
  /** What to do when the delete probe finds that the credentials may delete object versions. */
  deleteProbe: 'refuse' | 'warn';
  /** FAULT INJECTION ONLY (tests): SIGKILL the process right after this step. */
  crashAfter: CrashPoint | undefined;
  sessionTimeoutMs: number;
  httpPort: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const schema = z.object({
  KAFKA_BROKERS: env.list(),
  AUDITSEAL_CLUSTER: env.clusterName(),
  AUDITSEAL_TOPIC_PREFIX: env.topicPrefix(),
  AUDITSEAL_MIN_INSYNC_REPLICAS: env.int(1, 100).default('2'),
  ARCHIVER_GROUP_ID: env.string().optional(),
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
  ARCHIVER_SEGMENT_MAX_ENTRIES: env.int(1, 10_000_000).default('50000'),
  ARCHIVER_SEGMENT_MAX_BYTES: env.int(1024, 1024 * 1024 * 1024).default(String(64 * 1024 * 1024)),
  ARCHIVER_SEGMENT_MAX_AGE_MS: env.int(100, 3_600_000).default('30000'),
  ARCHIVER_RETENTION_DAYS: env.int(1, 36_500).default('2557'),
  ARCHIVER_CHECKPOINT_INTERVAL_MS: env.int(1_000, 86_400_000).default('300000'),
  ARCHIVER_SIGNING_KEY: env.string().optional(),
  ARCHIVER_DEV_KEY: env.bool().default('false'),
  ARCHIVER_DELETE_PROBE: z.enum(['refuse', 'warn']).default('refuse'),
  ARCHIVER_CRASH_AFTER: z.enum(['segment-put', 'manifest-put']).optional(),
  ARCHIVER_SESSION_TIMEOUT_MS: env.int(1_000, 600_000).default('30000'),
  HTTP_PORT: env.int(0, 65_535).default('9465'),
  LOG_LEVEL: env.logLevel().default('info'),
});

export const DEV_KEY_PATH = '.local/archiver-dev-key.json';

export function loadArchiverConfig(environment: Record<string, string | undefined>): ArchiverConfig {
  const e = loadConfig(
    schema.refine((v) => v.ARCHIVER_SIGNING_KEY !== undefined || v.ARCHIVER_DEV_KEY, {
      message: 'must name the signing key file (or set ARCHIVER_DEV_KEY=true for a generated development key)',
      path: ['ARCHIVER_SIGNING_KEY'],
    }),
    environment,
    'archiver',
  );
  const kafkaSecurity = loadKafkaSecurity(environment, 'archiver');
  const prefix = e.AUDITSEAL_TOPIC_PREFIX;
  return {
    brokers: e.KAFKA_BROKERS,
    kafkaSecurity,
    cluster: e.AUDITSEAL_CLUSTER,
    topicPrefix: prefix,
    topics: topicNames(prefix),
    groupId: e.ARCHIVER_GROUP_ID ?? `${prefix}archiver`,
    minInsyncReplicas: e.AUDITSEAL_MIN_INSYNC_REPLICAS,
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKeyId: e.S3_ACCESS_KEY_ID,
      secretAccessKey: e.S3_SECRET_ACCESS_KEY,
      bucket: e.S3_BUCKET,
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
    },
    archivePrefix: e.ARCHIVE_PREFIX,
    segmentMaxEntries: e.ARCHIVER_SEGMENT_MAX_ENTRIES,
    segmentMaxBytes: e.ARCHIVER_SEGMENT_MAX_BYTES,
    segmentMaxAgeMs: e.ARCHIVER_SEGMENT_MAX_AGE_MS,
    retentionDays: e.ARCHIVER_RETENTION_DAYS,
    checkpointIntervalMs: e.ARCHIVER_CHECKPOINT_INTERVAL_MS,
    signingKeyPath: e.ARCHIVER_SIGNING_KEY ?? DEV_KEY_PATH,
    devKey: e.ARCHIVER_DEV_KEY,
    deleteProbe: e.ARCHIVER_DELETE_PROBE,
    crashAfter: e.ARCHIVER_CRASH_AFTER,
    sessionTimeoutMs: e.ARCHIVER_SESSION_TIMEOUT_MS,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * How often the archiver looks for segments past their max age: a twentieth of
 * that age, between 25 ms and 1 s, so a segment is cut within 5 % of its age
 * (a fixed 1 s tick held a 2 s segment up to 3 s).
 */
export function ageTickMs(segmentMaxAgeMs: number): number {
  return Math.min(1_000, Math.max(25, Math.floor(segmentMaxAgeMs / 20)));
}
