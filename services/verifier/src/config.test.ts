import { ConfigError } from '@auditseal/runtime';
import { loadVerifierConfig } from './config';

const base = { KAFKA_BROKERS: 'k1:9092,k2:9092', AUDITSEAL_CLUSTER: 'prod-eu-1', S3_BUCKET: 'archive' };

describe('loadVerifierConfig', () => {
  describe('when only the required variables are set', () => {
    it('uses the documented defaults', () => {
      const c = loadVerifierConfig(base, 'host-1');
      expect(c).toMatchObject({
        brokers: ['k1:9092', 'k2:9092'],
        topics: { events: 'audit.events', sealed: 'audit.sealed', alerts: 'audit.alerts' },
        groupIdPrefix: 'verifier',
        archivePrefix: 'auditseal-archive',
        keyringPath: undefined,
        retentionDays: 2557,
        passIntervalMs: 60_000,
        maxArchiveDelayMs: 900_000,
        maxArchiveLagEntries: undefined,
        maxCheckpointAgeMs: 3_600_000,
        instance: 'host-1',
        httpPort: 9466,
        s3: { forcePathStyle: false, region: 'us-east-1' },
      });
    });
  });

  it('takes the topic prefix into topics and group ids, and path-style addressing with an endpoint', () => {
    const c = loadVerifierConfig({ ...base, AUDITSEAL_TOPIC_PREFIX: 'stg.', S3_ENDPOINT: 'http://127.0.0.1:7070', VERIFIER_MAX_ARCHIVE_LAG_ENTRIES: '5000' });
    expect(c.topics.alerts).toBe('stg.audit.alerts');
    expect(c.groupIdPrefix).toBe('stg.verifier');
    expect(c.s3.forcePathStyle).toBe(true);
    expect(c.maxArchiveLagEntries).toBe(5000);
  });

  describe('when variables are missing or invalid', () => {
    it('names every bad variable', () => {
      try {
        loadVerifierConfig({ AUDITSEAL_CLUSTER: 'a b', VERIFIER_S3_SCAN_INTERVAL_MS: 'soon', S3_BUCKET: 'b' });
        throw new Error('expected a ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        for (const name of ['KAFKA_BROKERS', 'AUDITSEAL_CLUSTER', 'VERIFIER_S3_SCAN_INTERVAL_MS']) expect((error as Error).message).toContain(name);
      }
    });
  });
});
