import { ordinalOf, runsArchiveWideChecks, shardPartitions, SINGLE_SHARD } from './shard';

describe('shards of the verifier', () => {
  it('share the partitions so that each belongs to exactly one shard', () => {
    const partitions = [0, 1, 2, 3, 4, 5, 6];
    const shards = [0, 1, 2].map((index) => shardPartitions(partitions, { index, count: 3 }));
    expect(shards).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(shards.flat().sort((a, b) => a - b)).toEqual(partitions);
    expect(shardPartitions(partitions, SINGLE_SHARD)).toEqual(partitions);
    expect(shardPartitions([0, 1], { index: 3, count: 4 })).toEqual([]);
  });

  it('give the archive-wide checks to shard 0 only', () => {
    expect([0, 1, 2].map((index) => runsArchiveWideChecks({ index, count: 3 }))).toEqual([true, false, false]);
    expect(runsArchiveWideChecks(SINGLE_SHARD)).toBe(true);
  });

  it('read a StatefulSet ordinal from the end of an instance name', () => {
    expect(ordinalOf('auditseal-verifier-0')).toBe(0);
    expect(ordinalOf('auditseal-verifier-12')).toBe(12);
    expect(ordinalOf('verifier')).toBeUndefined();
    expect(ordinalOf('auditseal-verifier-7d9f8b6c5-x2x4q')).toBeUndefined();
    expect(ordinalOf('host-1234567')).toBeUndefined();
  });
});
