import type { PartitionMetadata } from 'kafkajs';
import { groupByLeader } from './leader-groups';

const metadata = (leaders: number[]): PartitionMetadata[] =>
  leaders.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [1, 2, 3], isr: [1, 2, 3] }));

describe('groupByLeader', () => {
  // Record i goes to partition partitions[i].
  const partitions = [0, 1, 2, 0, 2, 1, 3];
  const indices = partitions.map((_, i) => i);
  const partitionOf = (index: number) => partitions[index]!;

  describe('when the leaders are unknown or all the same', () => {
    it('answers one group with every index, without asking for partitions', () => {
      const ask = jest.fn(partitionOf);
      expect(groupByLeader(indices, undefined, ask)).toEqual([indices]);
      expect(groupByLeader(indices, metadata([1, 1, 1, 1]), ask)).toEqual([indices]);
      expect(ask).not.toHaveBeenCalled();
    });
  });

  describe('when partitions have different leaders', () => {
    it('groups by leader, every partition in one group, order kept', () => {
      // Partitions 0 and 2 on broker 1, 1 on broker 2, 3 on broker 3.
      expect(groupByLeader(indices, metadata([1, 2, 1, 3]), partitionOf)).toEqual([[0, 2, 3, 4], [1, 5], [6]]);
    });

    it('puts partitions without a leader (-1 or unknown) together', () => {
      expect(groupByLeader(indices, metadata([1, -1, 2]), partitionOf)).toEqual([[0, 3], [1, 5, 6], [2, 4]]);
    });

    it('groups only the indices it is given', () => {
      expect(groupByLeader([1, 4, 5], metadata([1, 2, 1, 3]), partitionOf)).toEqual([[1, 5], [4]]);
      expect(groupByLeader([], metadata([1, 2]), partitionOf)).toEqual([]);
    });
  });
});
