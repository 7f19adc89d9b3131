import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  describe('shards (several instances sharing the chains)', () => {
    it('is one shard by default, whatever the instance name', () => {
      expect(loadVerifierConfig(base, 'auditseal-verifier-3').shard).toEqual({ index: 0, count: 1 });
    });

    it('takes VERIFIER_SHARD, or else the StatefulSet ordinal of the instance name', () => {
      expect(loadVerifierConfig({ ...base, VERIFIER_SHARDS: '3', VERIFIER_SHARD: '1' }, 'host').shard).toEqual({ index: 1, count: 3 });
      expect(loadVerifierConfig({ ...base, VERIFIER_SHARDS: '3' }, 'auditseal-verifier-2').shard).toEqual({ index: 2, count: 3 });
      expect(loadVerifierConfig({ ...base, VERIFIER_SHARDS: '3', VERIFIER_INSTANCE: 'verifier-0' }, 'host').shard).toEqual({ index: 0, count: 3 });
    });

    it.each([
      ['no shard and no ordinal', { VERIFIER_SHARDS: '2' }, 'host', /VERIFIER_SHARD: is required with VERIFIER_SHARDS=2 when the instance name "host" does not end in -<ordinal>/],
      ['a shard out of range', { VERIFIER_SHARDS: '2', VERIFIER_SHARD: '2' }, 'host', /VERIFIER_SHARD: must be below VERIFIER_SHARDS \(2\), got 2/],
      ['an ordinal out of range', { VERIFIER_SHARDS: '2' }, 'auditseal-verifier-4', /got 4 from the instance name "auditseal-verifier-4"/],
      ['zero shards', { VERIFIER_SHARDS: '0' }, 'host', /VERIFIER_SHARDS: must be >= 1/],
    ])('refuses %s with a ConfigError', (_what, vars, hostname, message) => {
      expect(() => loadVerifierConfig({ ...base, ...vars }, hostname)).toThrow(ConfigError);
      expect(() => loadVerifierConfig({ ...base, ...vars }, hostname)).toThrow(message);
    });
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

describe('loadVerifierConfig Kafka security (KAFKA_SSL_*, KAFKA_SASL_*)', () => {
  const password = 'never-in-a-message';

  it('connects in plaintext without SASL by default', () => {
    expect(loadVerifierConfig(base, 'host-1').kafkaSecurity).toEqual({ tls: undefined, sasl: undefined });
  });

  it('reads TLS and SASL through the shared fragment, the password from its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verifier-kafka-security-'));
    writeFileSync(join(dir, 'password'), `${password}\n`);
    const c = loadVerifierConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'verifier', KAFKA_SASL_PASSWORD_FILE: join(dir, 'password') }, 'host-1');
    expect(c.kafkaSecurity).toEqual({ tls: { rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-512', username: 'verifier', password } });
    rmSync(dir, { recursive: true });
  });

  it('refuses a mechanism without user with a ConfigError naming the variable, never the password', () => {
    const load = () => loadVerifierConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: password }, 'host-1');
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^verifier: invalid configuration:\n {2}- KAFKA_SASL_USERNAME: must be set when KAFKA_SASL_MECHANISM is plain/);
    expect(load).not.toThrow(password);
  });
});
