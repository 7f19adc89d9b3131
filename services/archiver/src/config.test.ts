import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@auditseal/runtime';
import { ageTickMs, loadArchiverConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', AUDITSEAL_CLUSTER: 'prod', S3_BUCKET: 'b', ARCHIVER_SIGNING_KEY: '/k.json' };

describe('loadArchiverConfig', () => {
  describe('when only the required variables are set', () => {
    it('applies defaults that give at most 100 PUTs per million events and a segment at least every 60 s', () => {
      const c = loadArchiverConfig(base);
      expect(c).toMatchObject({ groupId: 'archiver', archivePrefix: 'auditseal-archive', retentionDays: 2557, deleteProbe: 'refuse', crashAfter: undefined });
      expect((2 * 1_000_000) / c.segmentMaxEntries).toBeLessThanOrEqual(100);
      expect(c.segmentMaxAgeMs).toBeLessThanOrEqual(60_000);
      expect(c.topics.sealed).toBe('audit.sealed');
    });
  });

  describe('when a variable is wrong', () => {
    it('names it', () => {
      expect(() => loadArchiverConfig({ ...base, ARCHIVER_SEGMENT_MAX_ENTRIES: '0' })).toThrow(/ARCHIVER_SEGMENT_MAX_ENTRIES/);
      expect(() => loadArchiverConfig({ ...base, ARCHIVE_PREFIX: '/x/' })).toThrow(/ARCHIVE_PREFIX/);
      expect(() => loadArchiverConfig({ ...base, ARCHIVER_CRASH_AFTER: 'never' })).toThrow(/ARCHIVER_CRASH_AFTER/);
    });

    it('requires a signing key unless a development key is asked for', () => {
      const { ARCHIVER_SIGNING_KEY: _omit, ...rest } = base;
      expect(() => loadArchiverConfig(rest)).toThrow(/ARCHIVER_SIGNING_KEY/);
      expect(loadArchiverConfig({ ...rest, ARCHIVER_DEV_KEY: 'true' }).signingKeyPath).toBe('.local/archiver-dev-key.json');
    });
  });
});

describe('loadArchiverConfig Kafka security (KAFKA_SSL_*, KAFKA_SASL_*)', () => {
  const password = 'never-in-a-message';

  it('connects in plaintext without SASL by default', () => {
    expect(loadArchiverConfig(base).kafkaSecurity).toEqual({ tls: undefined, sasl: undefined });
  });

  it('reads TLS and SASL through the shared fragment, the password from its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archiver-kafka-security-'));
    writeFileSync(join(dir, 'password'), `${password}\n`);
    const c = loadArchiverConfig({ ...base, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'archiver', KAFKA_SASL_PASSWORD_FILE: join(dir, 'password') });
    expect(c.kafkaSecurity).toEqual({ tls: { rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-512', username: 'archiver', password } });
    rmSync(dir, { recursive: true });
  });

  it('refuses a mechanism without user with a ConfigError naming the variable, never the password', () => {
    const load = () => loadArchiverConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: password });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^archiver: invalid configuration:\n {2}- KAFKA_SASL_USERNAME: must be set when KAFKA_SASL_MECHANISM is plain/);
    expect(load).not.toThrow(password);
  });
});

describe('ageTickMs', () => {
  it('looks for aged segments often enough to cut each within 5 % of its max age, at most once a second and at least every 25 ms', () => {
    for (const age of [500, 2_000, 20_000]) expect(ageTickMs(age)).toBeLessThanOrEqual(age * 0.05);
    expect(ageTickMs(2_000)).toBe(100);
    expect(ageTickMs(30_000)).toBe(1_000);
    expect(ageTickMs(3_600_000)).toBe(1_000);
    expect(ageTickMs(100)).toBe(25);
  });
});
