import { waitFor } from '@auditseal/testkit';
import { ProducerError } from './errors';
import { EventBatcher, type EmitReceipt, type EventBatcherOptions, type QueuedRecord } from './event-batcher';
import type { OutgoingRecord } from './kafka-sender';
import { FakeSender, kafkaLikeError } from './test-support/fake-sender';

const base: EventBatcherOptions = {
  lingerMs: 2,
  maxBatchEvents: 100,
  maxBatchBytes: 1_000_000,
  maxBufferedEvents: 1_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  deliveryTimeoutMs: 10_000,
  initialBackoffMs: 1,
  maxBackoffMs: 5,
};

/** Event i of tenant t<i % 3>, `size` value bytes (+2 key bytes). */
const record = (i: number, size = 10): QueuedRecord => ({ eventId: `e${i}`, key: `t${i % 3}`, value: Buffer.alloc(size, i % 256) });

/** Tracks a promise's state without consuming its rejection. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: ProducerError } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: ProducerError) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** The batcher hands the sender its QueuedRecords: their ids show what was sent. */
const ids = (records: readonly OutgoingRecord[]) => (records as readonly QueuedRecord[]).map((r) => r.eventId);

describe('EventBatcher', () => {
  let batchers: EventBatcher[] = [];
  const create = (sender: FakeSender, options: Partial<EventBatcherOptions> = {}) => {
    const batcher = new EventBatcher(sender, { ...base, ...options });
    batchers.push(batcher);
    return batcher;
  };
  afterEach(async () => {
    await Promise.all(batchers.map((b) => b.close(0)));
    batchers = [];
  });

  describe('when events arrive faster than lingerMs', () => {
    it('sends them together in one request, not one request per event', async () => {
      const sender = new FakeSender();
      const batcher = create(sender, { lingerMs: 20 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.enqueue(record(i))));
      expect(sender.calls.map(ids)).toEqual([Array.from({ length: 10 }, (_, i) => `e${i}`)]);
    });
  });

  describe('when a batch fills up', () => {
    it('sends it at maxBatchEvents without waiting for the linger', async () => {
      const sender = new FakeSender();
      const batcher = create(sender, { lingerMs: 60_000, maxBatchEvents: 4 });
      // With the linger applied this would wait a minute and the test time out.
      await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.enqueue(record(i))));
      expect(sender.calls.map((c) => c.length)).toEqual([4, 4]);
    });

    it('splits batches at maxBatchBytes (value + key bytes)', async () => {
      const sender = new FakeSender();
      const batcher = create(sender, { maxBatchBytes: 250 });
      await Promise.all(Array.from({ length: 5 }, (_, i) => batcher.enqueue(record(i, 100))));
      expect(sender.calls.map((c) => c.length)).toEqual([2, 2, 1]);
      expect(ids(sender.sentRecords)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    });
  });

  describe('while a batch is in flight', () => {
    it('collects the following events into the next batch', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender);
      const first = batcher.enqueue(record(0));
      await waitFor(() => sender.heldSends === 1, { description: 'the first send' });
      const rest = Array.from({ length: 50 }, (_, i) => batcher.enqueue(record(i + 1)));
      sender.behavior = undefined;
      sender.release();
      await Promise.all([first, ...rest]);
      expect(sender.calls.map((c) => c.length)).toEqual([1, 50]);
    });
  });

  describe('receipts', () => {
    it('carry the partition and offset the sender assigned, in order within each partition', async () => {
      const sender = new FakeSender(3);
      const batcher = create(sender, { maxBatchEvents: 4 });
      const receipts = await Promise.all(Array.from({ length: 12 }, (_, i) => batcher.enqueue(record(i))));
      const byPartition = new Map<number, string[]>();
      receipts.forEach((receipt, i) => {
        expect(receipt.eventId).toBe(`e${i}`);
        expect(receipt.partition).toBe(sender.partitionOf(`t${i % 3}`));
        byPartition.set(receipt.partition, [...(byPartition.get(receipt.partition) ?? []), receipt.offset]);
      });
      for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => String(i)));
    });
  });

  describe('backpressure', () => {
    it('holds at most maxBufferedEvents; further emits wait, in order, until room frees', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender, { maxBufferedEvents: 5, maxBatchEvents: 5 });
      const emits = Array.from({ length: 12 }, (_, i) => batcher.enqueue(record(i)));
      const states = emits.map(track);
      await waitFor(() => sender.heldSends === 1, { description: 'the first batch in flight' });
      expect(batcher.stats()).toMatchObject({ bufferedEvents: 5, waitingEmits: 7, inFlightEvents: 5 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(states.some((s) => s.settled)).toBe(false);

      sender.behavior = undefined;
      sender.release();
      await Promise.all(emits);
      expect(ids(sender.sentRecords)).toEqual(Array.from({ length: 12 }, (_, i) => `e${i}`));
      expect(batcher.stats()).toMatchObject({ bufferedEvents: 0, bufferedBytes: 0, waitingEmits: 0, peakBufferedEvents: 5, delivered: 12 });
    });

    it('holds at most maxBufferedBytes', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      // 102 accounted bytes per event: two fit in 300, a third does not.
      const batcher = create(sender, { maxBufferedBytes: 300 });
      const emits = Array.from({ length: 6 }, (_, i) => batcher.enqueue(record(i, 100)));
      await waitFor(() => sender.heldSends === 1, { description: 'the first batch in flight' });
      expect(batcher.stats()).toMatchObject({ bufferedEvents: 2, bufferedBytes: 204, waitingEmits: 4 });
      sender.behavior = undefined;
      sender.release();
      await Promise.all(emits);
      expect(batcher.stats().peakBufferedBytes).toBeLessThanOrEqual(300);
    });
  });

  describe('when Kafka does not acknowledge in time', () => {
    it('rejects every pending emit at deliveryTimeoutMs with delivery_timeout, saying whether it may have been written', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender, { deliveryTimeoutMs: 150, maxBatchEvents: 2, maxBufferedEvents: 3 });
      // e0, e1 in flight; e2 queued; e3, e4 waiting for room.
      const states = Array.from({ length: 5 }, (_, i) => track(batcher.enqueue(record(i))));
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(states.some((s) => s.settled)).toBe(false);
      await waitFor(() => states.every((s) => s.settled), { description: 'every emit settled', timeoutMs: 2_000 });
      expect(states.map((s) => [s.error?.code, s.error?.details.outcome])).toEqual([
        ['delivery_timeout', 'unknown'],
        ['delivery_timeout', 'unknown'],
        ['delivery_timeout', 'not_sent'],
        ['delivery_timeout', 'not_sent'],
        ['delivery_timeout', 'not_sent'],
      ]);
      expect(states[0]!.error!.retriable).toBe(true);
      expect(states[0]!.error!.message).toMatch(/MAY have been written/);
      expect(batcher.stats()).toMatchObject({ failed: 5, waitingEmits: 0 });
    });

    it('never sends an event whose deadline passed while it was queued, even before its deadline timer has run', async () => {
      // The clock jumps past e1's deadline while e0 is in flight; the deadline timer, armed in real
      // milliseconds, has not fired when the sender takes the next batch.
      let clock = 0;
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender, { deliveryTimeoutMs: 60_000, lingerMs: 0, now: () => clock });
      const first = track(batcher.enqueue(record(0)));
      await waitFor(() => sender.heldSends === 1, { description: 'e0 in flight' });
      const overdue = track(batcher.enqueue(record(1)));
      clock = 61_000;
      sender.behavior = undefined;
      sender.release();
      await waitFor(() => first.settled && overdue.settled, { description: 'both emits settled' });
      expect(sender.calls.map(ids)).toEqual([['e0']]);
      expect(first.value).toMatchObject({ eventId: 'e0' });
      expect([overdue.error?.code, overdue.error?.details.outcome]).toEqual(['delivery_timeout', 'not_sent']);
    });
  });

  describe('when a send fails', () => {
    it('retries a retriable failure with exactly the same records, in the same session', async () => {
      const sender = new FakeSender();
      sender.behavior = (_records, call) => {
        if (call < 2) throw kafkaLikeError('NOT_ENOUGH_REPLICAS', true);
      };
      const batcher = create(sender);
      const receipts = await Promise.all([0, 1, 2].map((i) => batcher.enqueue(record(i))));
      expect(receipts.map((r) => r.eventId)).toEqual(['e0', 'e1', 'e2']);
      expect(sender.calls.map(ids)).toEqual([
        ['e0', 'e1', 'e2'],
        ['e0', 'e1', 'e2'],
        ['e0', 'e1', 'e2'],
      ]);
      expect(sender.resets).toBe(0);
      expect(batcher.stats().retries).toBe(2);
    });

    it('does not retry a non-retriable failure: the emits reject with send_failed and its cause', async () => {
      const sender = new FakeSender();
      const cause = kafkaLikeError('MESSAGE_TOO_LARGE', false);
      sender.behavior = () => {
        throw cause;
      };
      const batcher = create(sender);
      const error = await batcher.enqueue(record(0)).catch((e: ProducerError) => e);
      expect(error).toBeInstanceOf(ProducerError);
      expect(error).toMatchObject({ code: 'send_failed', retriable: false, cause });
      expect(sender.calls).toHaveLength(1);
    });

    it('starts a new idempotence session before sending other records than the failed ones', async () => {
      const sender = new FakeSender();
      sender.behavior = (records) => {
        if (ids(records).includes('e0')) throw kafkaLikeError('request timed out', true);
      };
      const batcher = create(sender, { deliveryTimeoutMs: 100 });
      const failed = await batcher.enqueue(record(0)).catch((e: ProducerError) => e);
      expect(failed).toMatchObject({ code: 'delivery_timeout', details: { outcome: 'unknown' } });
      expect(sender.resets).toBe(0);
      await waitFor(() => batcher.stats().inFlightEvents === 0, { description: 'the abandoned batch finished' });

      await batcher.enqueue(record(1));
      expect(sender.resets).toBe(1);
      expect(ids(sender.calls[sender.calls.length - 1]!)).toEqual(['e1']);
    });
  });

  describe('flush', () => {
    it('sends without waiting for lingerMs and resolves when every earlier emit has settled', async () => {
      const sender = new FakeSender();
      const batcher = create(sender, { lingerMs: 60_000 });
      const states = [0, 1, 2].map((i) => track(batcher.enqueue(record(i))));
      await batcher.flush();
      expect(states.every((s) => s.settled && s.value !== undefined)).toBe(true);
    });
  });

  describe('close', () => {
    it('delivers what was accepted, then closes the sender; later emits reject with closed', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender, { lingerMs: 60_000, maxBatchEvents: 2 });
      const emits = Array.from({ length: 5 }, (_, i) => batcher.enqueue(record(i)));
      const closing = batcher.close();
      await waitFor(() => sender.heldSends === 1, { description: 'a batch in flight' });
      sender.behavior = undefined;
      sender.release();
      await closing;
      const receipts: EmitReceipt[] = await Promise.all(emits);
      expect(receipts).toHaveLength(5);
      expect(sender.closed).toBe(true);
      await expect(batcher.enqueue(record(9))).rejects.toMatchObject({ code: 'closed', details: { outcome: 'not_sent' } });
    });

    it('called again, resolves when the first close has finished', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender);
      const emitted = batcher.enqueue(record(0));
      const first = track(batcher.close());
      const second = track(batcher.close());
      await waitFor(() => sender.heldSends === 1, { description: 'a batch in flight' });
      expect([first.settled, second.settled]).toEqual([false, false]);
      sender.behavior = undefined;
      sender.release();
      await emitted;
      await waitFor(() => first.settled && second.settled, { description: 'both closes done' });
      expect(sender.closed).toBe(true);
    });

    it('with timeoutMs, rejects what is still pending with closed instead of dropping it', async () => {
      const sender = new FakeSender();
      sender.behavior = sender.hold();
      const batcher = create(sender, { maxBatchEvents: 2 });
      const states = [0, 1, 2].map((i) => track(batcher.enqueue(record(i))));
      await waitFor(() => sender.heldSends === 1, { description: 'a batch in flight' });
      await batcher.close(20);
      await waitFor(() => states.every((s) => s.settled), { description: 'every emit settled' });
      expect(states.map((s) => [s.error?.code, s.error?.details.outcome])).toEqual([
        ['closed', 'unknown'],
        ['closed', 'unknown'],
        ['closed', 'not_sent'],
      ]);
      expect(sender.closed).toBe(true);
    });
  });

  describe('onBatch', () => {
    it('reports events, bytes, attempts and the outcome of each batch', async () => {
      const sender = new FakeSender();
      sender.behavior = (_records, call) => {
        if (call === 0) throw kafkaLikeError('leader moved', true);
      };
      const metrics: unknown[] = [];
      const batcher = create(sender, { onBatch: (m) => metrics.push(m) });
      await Promise.all([batcher.enqueue(record(0)), batcher.enqueue(record(1))]);
      expect(metrics).toEqual([expect.objectContaining({ events: 2, bytes: 24, delivered: 2, attempts: 2 })]);
      expect(metrics[0]).not.toHaveProperty('error');
    });
  });
});
