import { fetchPartitionOffsets, readPartition, type PartitionRecord } from '@auditseal/kafka';
import { silentLogger } from '@auditseal/runtime';
import type { Admin, Kafka } from 'kafkajs';

/** Every committed record of every partition of `topic`, partition by partition. */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string): Promise<(PartitionRecord & { partition: number })[]> {
  const out: (PartitionRecord & { partition: number })[] = [];
  for (const [partition, range] of await fetchPartitionOffsets(admin, topic)) {
    for await (const record of readPartition({ kafka, topic, partition, fromOffset: range.logStartOffset, endOffset: range.endOffset, logger: silentLogger, groupIdPrefix: 'faults-read' })) {
      out.push({ partition, ...record });
    }
  }
  return out;
}
