import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface TailRecord {
  partition: number;
  offset: number;
  value: Buffer | null;
  timestamp: number;
}

export interface PartitionRange {
  partition: number;
  low: number;
  high: number;
}

/**
 * Reads the last `perPartition` committed records of each partition (read_committed),
 * with a throw-away consumer group that never commits. Transaction markers and
 * aborted records take offsets but are never delivered, so a partition counts as
 * read when a record within 2 offsets of its end arrived, or when `timeoutMs` passes.
 */
export async function readTail(kafka: Kafka, topic: string, ranges: readonly PartitionRange[], perPartition: number, timeoutMs = 8_000): Promise<Map<number, TailRecord[]>> {
  const out = new Map<number, TailRecord[]>();
  const wanted = ranges.filter((r) => r.high > r.low);
  if (wanted.length === 0) return out;
  const pending = new Set(wanted.map((r) => r.partition));
  const consumer = kafka.consumer({ groupId: `auditseal-cli-${randomUUID()}`, maxWaitTimeInMs: 250, sessionTimeout: 10_000, heartbeatInterval: 1_000, retry: { retries: 1 } });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((res) => {
    finish = res;
  });
  const timer = setTimeout(() => finish(), timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const starts = new Map(wanted.map((r) => [r.partition, Math.max(r.low, r.high - perPartition)]));
    const ends = new Map(wanted.map((r) => [r.partition, r.high]));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const partition = batch.partition;
        const start = starts.get(partition);
        if (start === undefined) return;
        const list = out.get(partition) ?? [];
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < start) continue;
          list.push({ partition, offset, value: m.value, timestamp: Number(m.timestamp) });
          if (offset >= ends.get(partition)! - 2) pending.delete(partition);
        }
        out.set(partition, list);
        if (pending.size === 0) finish();
      },
    });
    for (const [partition, offset] of starts) consumer.seek({ topic, partition, offset: String(offset) });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return out;
}
