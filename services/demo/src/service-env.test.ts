import { DEMO_RETENTION_DAYS, serviceEnvironments } from './service-env';

const settings = {
  base: { PATH: '/usr/bin' },
  brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
  topicPrefix: 'demo-r.',
  minInsyncReplicas: 1,
  s3: { endpoint: 'http://127.0.0.1:7070', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 's', bucket: 'b' },
  archivePrefix: 'demo/r',
  signingKeyPath: '/k/archiver-signing-key.json',
  keyringPath: '/k/keyring.json',
  runId: 'r',
};

describe('serviceEnvironments', () => {
  const env = serviceEnvironments(settings);

  it('gives the three services the same cluster, topics and Kafka, and any free HTTP port', () => {
    for (const e of Object.values(env)) {
      expect(e).toMatchObject({ PATH: '/usr/bin', KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093', AUDITSEAL_CLUSTER: 'demo', AUDITSEAL_TOPIC_PREFIX: 'demo-r.', AUDITSEAL_MIN_INSYNC_REPLICAS: '1', HTTP_PORT: '0' });
    }
  });

  it('the archiver signs with the demo key and the verifier trusts its keyring, on the same bucket and prefix', () => {
    expect(env.archiver).toMatchObject({ ARCHIVER_SIGNING_KEY: '/k/archiver-signing-key.json', S3_BUCKET: 'b', ARCHIVE_PREFIX: 'demo/r' });
    expect(env.archiver.ARCHIVER_DEV_KEY).toBeUndefined();
    expect(env.verifier).toMatchObject({ VERIFIER_KEYRING: '/k/keyring.json', S3_BUCKET: 'b', ARCHIVE_PREFIX: 'demo/r' });
    expect(env.chainer.S3_BUCKET).toBeUndefined();
  });

  it('the verifier requires exactly the retention the archiver writes', () => {
    expect(env.archiver.ARCHIVER_RETENTION_DAYS).toBe(String(DEMO_RETENTION_DAYS));
    expect(env.verifier.VERIFIER_RETENTION_DAYS).toBe(env.archiver.ARCHIVER_RETENTION_DAYS);
  });

  it('cuts segments and checkpoints and runs verifier passes every second', () => {
    expect(env.archiver).toMatchObject({ ARCHIVER_SEGMENT_MAX_AGE_MS: '1000', ARCHIVER_CHECKPOINT_INTERVAL_MS: '1000' });
    expect(env.verifier.VERIFIER_S3_SCAN_INTERVAL_MS).toBe('1000');
  });
});
