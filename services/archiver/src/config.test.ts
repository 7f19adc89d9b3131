import { loadArchiverConfig } from './config';

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
