// kafkajs 2.2.4 is patched (patches/kafkajs@2.2.4.patch, applied by pnpm install):
// its producer grouped a send's messages per partition by copying the
// partition's array on every message (quadratic in the batch), and encoded
// each record into a zeroed 512-byte buffer that was then grown and copied.
// These tests fail when the patch is not applied, and check that the grouping
// keeps kafkajs's semantics.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const kafkajsSrc = join(dirname(require.resolve('kafkajs/package.json')), 'src');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const groupMessagesPerPartition = require(join(kafkajsSrc, 'producer', 'groupMessagesPerPartition.js')) as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: { partition: number; value: string }[];
  partitioner: (args: { message: { partition: number } }) => number;
}) => Record<number, { value: string }[]>;

describe('the kafkajs patch', () => {
  it('is applied', () => {
    for (const file of [['producer', 'groupMessagesPerPartition.js'], ['protocol', 'encoder.js'], ['protocol', 'recordBatch', 'record', 'v0', 'index.js']]) {
      expect([file.join('/'), readFileSync(join(kafkajsSrc, ...file), 'utf8').includes('AuditSeal patch')]).toEqual([file.join('/'), true]);
    }
  });

  it('groups messages per partition in send order', () => {
    const messages = [0, 2, 0, 1, 2, 0].map((partition, i) => ({ partition, value: `m${i}` }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.partition });
    expect(Object.fromEntries(Object.entries(grouped).map(([p, ms]) => [p, ms.map((m) => m.value)]))).toEqual({ 0: ['m0', 'm2', 'm5'], 1: ['m3'], 2: ['m1', 'm4'] });
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });
});
