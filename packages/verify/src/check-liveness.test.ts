import { checkLiveness, type LivenessInput } from './check-liveness';
import { findingId } from './findings';
import { CHAIN, NOW } from './testing/fixtures';

const minutesAgo = (m: number) => (NOW.getTime() - m * 60_000) * 1000;
const input = (extra: Partial<LivenessInput>): LivenessInput => ({ chainId: CHAIN, now: NOW, headSeq: 99, archivedHead: 99, thresholds: { maxArchiveDelayMs: 15 * 60_000, maxArchiveLagEntries: 1000, maxCheckpointAgeMs: 60 * 60_000 }, ...extra });

describe('checkLiveness', () => {
  describe('when everything sealed is archived and checkpointed', () => {
    it('reports nothing, however old the last segment is', () => {
      const r = checkLiveness(input({ lastSegmentCreatedAt: new Date(NOW.getTime() - 86_400_000), latestCheckpoint: { headSeq: 99, time: new Date(0), key: 'k' } }));
      expect(r).toEqual({ findings: [], archiveLagEntries: 0, archiveDelayMs: 0, checkpointDelayMs: 0, lastSegmentAgeMs: 86_400_000 });
    });
  });

  describe('when entries wait to be archived', () => {
    it('reports nothing while the oldest waits less than the threshold', () => {
      const r = checkLiveness(input({ headSeq: 120, firstUnarchivedSealedAt: minutesAgo(5), latestCheckpoint: { headSeq: 120, time: NOW, key: 'k' } }));
      expect(r.findings).toEqual([]);
      expect(r).toMatchObject({ archiveLagEntries: 21, archiveDelayMs: 5 * 60_000 });
    });

    it('reports archive_stalled at the first unarchived seq when the oldest waits too long', () => {
      const r = checkLiveness(input({ headSeq: 120, firstUnarchivedSealedAt: minutesAgo(20), latestCheckpoint: { headSeq: 120, time: NOW, key: 'k' } }));
      expect(r.findings).toEqual([expect.objectContaining({ kind: 'archive_stalled', severity: 'high', seqs: { first: 100, last: 100 }, details: expect.objectContaining({ lagEntries: 21 }) })]);
    });

    it('reports archive_stalled when too many entries wait, and keeps the same id as the lag grows', () => {
      const a = checkLiveness(input({ headSeq: 2000, firstUnarchivedSealedAt: minutesAgo(1), latestCheckpoint: { headSeq: 2000, time: NOW, key: 'k' } }));
      const b = checkLiveness(input({ headSeq: 5000, firstUnarchivedSealedAt: minutesAgo(1), latestCheckpoint: { headSeq: 5000, time: NOW, key: 'k' } }));
      expect(a.findings.map((f) => f.kind)).toEqual(['archive_stalled']);
      expect(findingId(a.findings[0]!)).toBe(findingId(b.findings[0]!));
    });
  });

  describe('when entries after the latest checkpoint are older than the threshold', () => {
    it('reports checkpoint_stale, also for a chain without any checkpoint', () => {
      const stale = checkLiveness(input({ latestCheckpoint: { headSeq: 50, time: NOW, key: 'k' }, firstUncheckpointedSealedAt: minutesAgo(90) }));
      expect(stale.findings).toEqual([expect.objectContaining({ kind: 'checkpoint_stale', seqs: { first: 51, last: 51 }, object: { key: 'k' } })]);
      const none = checkLiveness(input({ firstUncheckpointedSealedAt: minutesAgo(90) }));
      expect(none.findings).toEqual([expect.objectContaining({ kind: 'checkpoint_stale', seqs: { first: 0, last: 0 } })]);
    });
  });
});
