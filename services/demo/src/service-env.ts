/*
 * The environment of each service the demo starts (docs/OPERATIONS.md
 * "Demo", step 4): the production defaults, except what makes 20,000 events
 * finish in seconds on a laptop — small, quickly cut segments, checkpoints and
 * verifier passes every second, one day of retention. Pure.
 */

export const DEMO_CLUSTER = 'demo';
export const DEMO_RETENTION_DAYS = 1;

export interface DemoServiceSettings {
  /** PATH, HOME and the like, passed through. */
  base: Record<string, string>;
  brokers: string[];
  topicPrefix: string;
  minInsyncReplicas: number;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; bucket: string };
  archivePrefix: string;
  signingKeyPath: string;
  keyringPath: string;
  runId: string;
}

export type DemoServiceName = 'chainer' | 'archiver' | 'verifier';

export function serviceEnvironments(s: DemoServiceSettings): Record<DemoServiceName, Record<string, string>> {
  const common = {
    ...s.base,
    KAFKA_BROKERS: s.brokers.join(','),
    AUDITSEAL_CLUSTER: DEMO_CLUSTER,
    AUDITSEAL_TOPIC_PREFIX: s.topicPrefix,
    AUDITSEAL_MIN_INSYNC_REPLICAS: String(s.minInsyncReplicas),
    // Any free port: the demo reads it from the service's log.
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const s3 = {
    S3_ENDPOINT: s.s3.endpoint,
    S3_REGION: s.s3.region,
    S3_ACCESS_KEY_ID: s.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s.s3.secretAccessKey,
    S3_BUCKET: s.s3.bucket,
    ARCHIVE_PREFIX: s.archivePrefix,
  };
  return {
    chainer: { ...common, CHAINER_SESSION_TIMEOUT_MS: '10000' },
    archiver: {
      ...common,
      ...s3,
      ARCHIVER_SIGNING_KEY: s.signingKeyPath,
      // The local gateway's root credentials may delete; COMPLIANCE retention still protects every object.
      ARCHIVER_DELETE_PROBE: 'warn',
      ARCHIVER_RETENTION_DAYS: String(DEMO_RETENTION_DAYS),
      ARCHIVER_SEGMENT_MAX_ENTRIES: '5000',
      ARCHIVER_SEGMENT_MAX_AGE_MS: '1000',
      ARCHIVER_CHECKPOINT_INTERVAL_MS: '1000',
      ARCHIVER_SESSION_TIMEOUT_MS: '10000',
    },
    verifier: {
      ...common,
      ...s3,
      VERIFIER_KEYRING: s.keyringPath,
      VERIFIER_RETENTION_DAYS: String(DEMO_RETENTION_DAYS),
      VERIFIER_S3_SCAN_INTERVAL_MS: '1000',
      VERIFIER_INSTANCE: `demo-${s.runId}`,
    },
  };
}
