import { archivedSegmentOf, percentile, sealedToArchived } from './latency';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('sealedToArchived', () => {
  const segments = [
    { partition: 0, firstSeq: 0, lastSeq: 9, archivedAtMs: 1_000 },
    { partition: 0, firstSeq: 10, lastSeq: 19, archivedAtMs: 3_000 },
    { partition: 1, firstSeq: 0, lastSeq: 4, archivedAtMs: 2_000 },
  ];

  describe('when every entry is in a segment', () => {
    it('measures each entry against its own partition and segment, sorted', () => {
      const result = sealedToArchived(
        [
          { partition: 0, seq: 3, sealedAtMs: 900 },
          { partition: 0, seq: 15, sealedAtMs: 2_500 },
          { partition: 1, seq: 3, sealedAtMs: 1_500 },
        ],
        segments,
      );
      expect(result).toEqual({ latenciesMs: [100, 500, 500], unmatched: 0 });
    });
  });

  describe('when an entry is past the last segment or in a partition without one', () => {
    it('counts it as unmatched', () => {
      expect(sealedToArchived([{ partition: 0, seq: 20, sealedAtMs: 0 }, { partition: 2, seq: 0, sealedAtMs: 0 }], segments)).toEqual({ latenciesMs: [], unmatched: 2 });
    });
  });

  describe('when a segment was logged twice (rebuilt after a crash)', () => {
    it('counts the first time', () => {
      const twice = [...segments, { partition: 1, firstSeq: 0, lastSeq: 4, archivedAtMs: 9_000 }];
      expect(sealedToArchived([{ partition: 1, seq: 0, sealedAtMs: 1_000 }], twice).latenciesMs).toEqual([1_000]);
    });
  });
});

describe('archivedSegmentOf', () => {
  it('reads an archiver "segment archived" line', () => {
    expect(archivedSegmentOf({ time: '2026-11-27T00:00:01.000Z', msg: 'segment archived', partition: 2, firstSeq: 0, lastSeq: 99 })).toEqual({ partition: 2, firstSeq: 0, lastSeq: 99, archivedAtMs: Date.parse('2026-11-27T00:00:01.000Z') });
  });

  describe('when the line is another message or malformed', () => {
    it('returns undefined', () => {
      expect(archivedSegmentOf({ time: '2026-11-27T00:00:01.000Z', msg: 'partition recovered from S3', partition: 2 })).toBeUndefined();
      expect(archivedSegmentOf({ time: 'yesterday', msg: 'segment archived', partition: 2, firstSeq: 0, lastSeq: 9 })).toBeUndefined();
      expect(archivedSegmentOf({ time: '2026-11-27T00:00:01.000Z', msg: 'segment archived', partition: '2', firstSeq: 0, lastSeq: 9 })).toBeUndefined();
    });
  });
});
