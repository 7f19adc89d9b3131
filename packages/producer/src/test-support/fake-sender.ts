import type { KafkaSender, OutgoingRecord, RecordPosition } from '../kafka-sender';

/** What a fake send does: resolve (default), throw, or wait for the test. */
export type SendBehavior = (records: readonly OutgoingRecord[], call: number) => void | Promise<void>;

/** An error as kafkajs (and KafkaError) mark them: `retriable` says whether to try again. */
export function kafkaLikeError(message: string, retriable: boolean): Error {
  return Object.assign(new Error(message), { retriable });
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A KafkaSender that records what it is asked to send and plays a broker
 * with `partitions` partitions: key → partition by a stable hash, offsets
 * counted per partition, assigned only when a send succeeds.
 */
export class FakeSender implements KafkaSender {
  readonly calls: OutgoingRecord[][] = [];
  resets = 0;
  closed = false;
  behavior: SendBehavior | undefined;
  private readonly next = new Map<number, number>();
  private readonly holds: Deferred[] = [];

  constructor(private readonly partitions = 3) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordPosition[]> {
    if (this.closed) throw kafkaLikeError('sender closed', false);
    const call = this.calls.length;
    this.calls.push([...records]);
    await this.behavior?.(records, call);
    return records.map((record) => {
      const partition = this.partitionOf(record.key);
      const offset = this.next.get(partition) ?? 0;
      this.next.set(partition, offset + 1);
      return { partition, offset: String(offset) };
    });
  }

  async reset(): Promise<void> {
    this.resets++;
  }

  /** Sends held until `release()`; `close()` fails them as a closed connection would. */
  hold(): SendBehavior {
    return () => {
      const held = deferred();
      this.holds.push(held);
      return held.promise;
    };
  }

  /** Lets every held send through (they succeed). */
  release(): void {
    for (const held of this.holds.splice(0)) held.resolve();
  }

  get heldSends(): number {
    return this.holds.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const held of this.holds.splice(0)) held.reject(kafkaLikeError('connection closed', true));
  }

  partitionOf(key: string): number {
    let h = 0;
    for (const c of Buffer.from(key)) h = (h * 31 + c) >>> 0;
    return h % this.partitions;
  }

  /** Every record sent successfully or not, flattened. */
  get sentRecords(): OutgoingRecord[] {
    return this.calls.flat();
  }
}
