import { KafkaError, isRetriable, retry, sleep, type Logger } from '@auditseal/kafka';
import { ProducerError, type DeliveryOutcome } from './errors';
import { Fifo } from './fifo';
import type { KafkaSender, OutgoingRecord, RecordPosition } from './kafka-sender';

/** Where Kafka accepted an event: its id, partition and offset (a decimal string, as kafkajs reports offsets). */
export interface EmitReceipt {
  readonly eventId: string;
  readonly partition: number;
  readonly offset: string;
}

/** An encoded event ready to be queued. */
export interface QueuedRecord extends OutgoingRecord {
  readonly eventId: string;
}

/** What one batch did, for `onBatch` metrics hooks. */
export interface BatchMetrics {
  /** Events in the batch when it was taken from the queue. */
  readonly events: number;
  /** Their accounted bytes (value + key). */
  readonly bytes: number;
  /** Events acknowledged by this batch (including those whose emit had already timed out). */
  readonly delivered: number;
  /** Send attempts made (1 when the first one succeeded). */
  readonly attempts: number;
  /** From taking the batch to its outcome. */
  readonly durationMs: number;
  /** Set when the batch was abandoned; its live events were rejected with this. */
  readonly error?: ProducerError;
}

/** A snapshot of the producer's buffers and counters. */
export interface ProducerStats {
  /** Events accepted into the buffer and not yet finished (queued or in flight). At most `maxBufferedEvents`. */
  readonly bufferedEvents: number;
  /** Bytes (value + key) of those events. At most `maxBufferedBytes`. */
  readonly bufferedBytes: number;
  /** Highest `bufferedEvents` seen since the producer was created. */
  readonly peakBufferedEvents: number;
  /** Highest `bufferedBytes` seen since the producer was created. */
  readonly peakBufferedBytes: number;
  /** `emit` calls waiting for room in the buffer (backpressure). */
  readonly waitingEmits: number;
  /** Events in the batch being sent. */
  readonly inFlightEvents: number;
  /** Emits resolved with a receipt. */
  readonly delivered: number;
  /** Emits rejected (timeouts, send failures, close). */
  readonly failed: number;
  /** Batches acknowledged by Kafka. */
  readonly batches: number;
  /** Send attempts that failed and were retried. */
  readonly retries: number;
}

export interface EventBatcherOptions {
  lingerMs: number;
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxBufferedEvents: number;
  maxBufferedBytes: number;
  deliveryTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  onBatch?: (metrics: BatchMetrics) => void;
  logger?: Logger;
  /** Monotonic milliseconds; injected by tests. Default `performance.now`. */
  now?: () => number;
  /** Jitter source of the retry backoff; injected by tests. */
  random?: () => number;
}

type EntryState = 'waiting' | 'queued' | 'in_flight' | 'settled';

interface Entry {
  readonly record: QueuedRecord;
  /** Accounted bytes: value + key (UTF-8). */
  readonly size: number;
  /** When the emit gives up (monotonic ms). */
  readonly deadline: number;
  enqueuedAt: number;
  state: EntryState;
  /** Part of a send attempt at least once: a failure now leaves its outcome unknown. */
  sent: boolean;
  /** Resolves or rejects the emit's promise; only while the entry is unsettled. */
  resolve: (receipt: EmitReceipt) => void;
  reject: (error: ProducerError) => void;
  readonly promise: Promise<EmitReceipt>;
}

/**
 * The producer's queue and background sender, independent of Kafka (it talks
 * to a KafkaSender), so its rules can be tested with a fake:
 *
 * - Admission: an event enters the buffer only if the buffer stays within
 *   `maxBufferedEvents` and `maxBufferedBytes`; otherwise its emit waits, in
 *   FIFO order behind earlier waiters, until a finished batch frees room.
 *   The buffer never grows past its caps.
 * - Batching: one batch at a time, taken from the head of the queue, up to
 *   `maxBatchEvents` / `maxBatchBytes`. A partial batch waits up to `lingerMs`
 *   after its oldest event was queued, unless `flush()` or `close()` asks for
 *   it now. While one batch is in flight the next one fills up, so callers
 *   never pay one round trip per event.
 * - Retries: a failed send with a retriable error is repeated with jittered
 *   exponential backoff (`retry` of @auditseal/kafka) for exactly the same
 *   events, which the broker deduplicates. Events whose emit has given up are
 *   dropped from the retry; the sender then starts a new idempotence session
 *   (see KafkaSender). Non-retriable errors reject the batch's events with
 *   `send_failed`.
 * - Deadlines: every emit settles within `deliveryTimeoutMs`: one timer, armed
 *   for the earliest deadline, rejects overdue emits with `delivery_timeout`,
 *   wherever they are (waiting, queued or in flight).
 */
export class EventBatcher {
  private readonly waiting = new Fifo<Entry>();
  private readonly queue = new Fifo<Entry>();
  private inFlight: Entry[] = [];
  /** Index of the first in-flight entry whose deadline has not been handled. */
  private inFlightCursor = 0;
  /** The entries of the last failed send: anything else sent next needs a new idempotence session. */
  private lastFailed: Entry[] | undefined;

  private bufferedEvents = 0;
  private bufferedBytes = 0;
  private queuedBytes = 0;
  private peakEvents = 0;
  private peakBytes = 0;
  private delivered = 0;
  private failed = 0;
  private batches = 0;
  private retries = 0;

  private flushRequests = 0;
  private closing = false;
  private shutdown: Promise<void> | undefined;
  private abandoned = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private readonly now: () => number;

  constructor(
    private readonly sender: KafkaSender,
    private readonly options: EventBatcherOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Queues an encoded event and returns the promise of its receipt. Never
   * throws: after `close()` the promise rejects with `closed`.
   */
  enqueue(record: QueuedRecord): Promise<EmitReceipt> {
    if (this.closing) {
      this.failed++;
      return Promise.reject(
        new ProducerError('closed', `the producer is closed; event ${record.eventId} was not sent`, {
          details: { eventId: record.eventId, outcome: 'not_sent' satisfies DeliveryOutcome },
        }),
      );
    }
    const now = this.now();
    let resolve!: (receipt: EmitReceipt) => void;
    let reject!: (error: ProducerError) => void;
    const promise = new Promise<EmitReceipt>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = {
      record,
      size: record.value.length + Buffer.byteLength(record.key, 'utf8'),
      deadline: now + this.options.deliveryTimeoutMs,
      enqueuedAt: now,
      state: 'waiting',
      sent: false,
      resolve,
      reject,
      promise,
    };
    if (this.waiting.size === 0 && this.fits(entry)) this.admit(entry, now);
    else this.waiting.push(entry);
    this.armTimer(entry.deadline);
    this.startLoop();
    return promise;
  }

  /** Resolves once every event enqueued before the call has settled (delivered or rejected). Sends without lingering. */
  async flush(): Promise<void> {
    const pending = this.pendingPromises();
    if (pending.length === 0) return;
    this.flushRequests++;
    this.notify();
    try {
      await Promise.allSettled(pending);
    } finally {
      this.flushRequests--;
    }
  }

  /**
   * Stops accepting events, delivers (or times out) everything accepted, then
   * closes the sender. With `timeoutMs`, whatever is still unsettled then is
   * rejected with `closed` instead.
   */
  close(timeoutMs?: number): Promise<void> {
    this.shutdown ??= this.shutDown(timeoutMs);
    return this.shutdown;
  }

  private async shutDown(timeoutMs: number | undefined): Promise<void> {
    this.closing = true;
    this.notify();
    const drained = this.flush();
    if (timeoutMs === undefined) {
      await drained;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), timeoutMs);
      });
      const result = await Promise.race([drained.then(() => 'drained' as const), expired]);
      clearTimeout(timer);
      if (result === 'expired') this.abandonAll();
    }
    // A send still in flight after abandonAll fails fast once the connection closes.
    await this.sender.close();
    this.notify();
    await this.loop;
    this.clearTimer();
  }

  stats(): ProducerStats {
    return {
      bufferedEvents: this.bufferedEvents,
      bufferedBytes: this.bufferedBytes,
      peakBufferedEvents: this.peakEvents,
      peakBufferedBytes: this.peakBytes,
      waitingEmits: this.waiting.size,
      inFlightEvents: this.inFlight.length,
      delivered: this.delivered,
      failed: this.failed,
      batches: this.batches,
      retries: this.retries,
    };
  }

  // ------------------------------------------------------------ admission

  private fits(entry: Entry): boolean {
    // An empty buffer takes any event, so an event larger than the byte cap
    // cannot wait forever (createAuditProducer rejects such options anyway).
    if (this.bufferedEvents === 0) return true;
    return this.bufferedEvents + 1 <= this.options.maxBufferedEvents && this.bufferedBytes + entry.size <= this.options.maxBufferedBytes;
  }

  private admit(entry: Entry, now: number): void {
    entry.state = 'queued';
    entry.enqueuedAt = now;
    this.queue.push(entry);
    this.queuedBytes += entry.size;
    this.bufferedEvents++;
    this.bufferedBytes += entry.size;
    if (this.bufferedEvents > this.peakEvents) this.peakEvents = this.bufferedEvents;
    if (this.bufferedBytes > this.peakBytes) this.peakBytes = this.bufferedBytes;
    // Wake the sender only when it has something new to decide on: a first
    // event (start the linger clock) or a full batch (send now).
    if (this.queue.size === 1 || this.queue.size === this.options.maxBatchEvents || this.queuedBytes >= this.options.maxBatchBytes) this.notify();
  }

  /** Moves waiting emits into the buffer, oldest first, while they fit. */
  private admitWaiting(): void {
    const now = this.now();
    for (let next = this.waiting.peek(); next !== undefined && this.fits(next); next = this.waiting.peek()) {
      this.waiting.shift();
      this.admit(next, now);
    }
  }

  private release(entry: Entry): void {
    this.bufferedEvents--;
    this.bufferedBytes -= entry.size;
  }

  // ------------------------------------------------------------ settling

  private settleDelivered(entry: Entry, receipt: EmitReceipt): void {
    if (entry.state === 'settled') return;
    entry.state = 'settled';
    this.delivered++;
    entry.resolve(receipt);
  }

  private settleFailed(entry: Entry, error: ProducerError): void {
    if (entry.state === 'settled') return;
    entry.state = 'settled';
    this.failed++;
    entry.reject(error);
  }

  private timeoutError(entry: Entry): ProducerError {
    const outcome: DeliveryOutcome = entry.sent ? 'unknown' : 'not_sent';
    const what =
      outcome === 'unknown'
        ? 'a send of it was in flight or failed without a definite answer, so it MAY have been written; emitting it again with the same eventId is safe (consumers deduplicate on eventId)'
        : 'it was never sent (Kafka did not take the events before it in time); emitting it again is safe';
    return new ProducerError('delivery_timeout', `event ${entry.record.eventId} was not acknowledged by Kafka within ${this.options.deliveryTimeoutMs} ms: ${what}`, {
      retriable: true,
      details: { eventId: entry.record.eventId, outcome, deliveryTimeoutMs: this.options.deliveryTimeoutMs },
    });
  }

  private closedError(entry: Entry): ProducerError {
    const outcome: DeliveryOutcome = entry.sent ? 'unknown' : 'not_sent';
    return new ProducerError(
      'closed',
      `the producer was closed before Kafka acknowledged event ${entry.record.eventId}` +
        (outcome === 'unknown' ? ' (a send was in flight: it MAY have been written)' : ' (it was never sent)'),
      { retriable: true, details: { eventId: entry.record.eventId, outcome } },
    );
  }

  /** close() ran out of time: reject everything unsettled with `closed`. */
  private abandonAll(): void {
    this.abandoned = true;
    this.abort.abort(new ProducerError('closed', 'the producer was closed'));
    for (const entry of this.inFlight) this.settleFailed(entry, this.closedError(entry));
    for (const entry of this.queue.drain()) {
      this.release(entry);
      this.settleFailed(entry, this.closedError(entry));
    }
    this.queuedBytes = 0;
    for (const entry of this.waiting.drain()) this.settleFailed(entry, this.closedError(entry));
  }

  // ------------------------------------------------------------ deadlines

  private armTimer(deadline: number): void {
    if (deadline >= this.timerAt) return;
    this.clearTimer();
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, Math.ceil(deadline - this.now())));
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /**
   * Rejects every overdue emit, then re-arms for the next deadline. Entries are
   * in deadline order in each structure. Runs from the deadline timer, and
   * before each send attempt: the timer may not have run yet when an entry's
   * deadline passes, and an overdue event is never sent.
   */
  private expire(): void {
    this.clearTimer();
    const now = this.now();
    for (; this.inFlightCursor < this.inFlight.length; this.inFlightCursor++) {
      const entry = this.inFlight[this.inFlightCursor]!;
      if (entry.deadline > now) break;
      this.settleFailed(entry, this.timeoutError(entry));
    }
    let freed = false;
    for (let head = this.queue.peek(); head !== undefined && (head.state === 'settled' || head.deadline <= now); head = this.queue.peek()) {
      this.queue.shift();
      this.queuedBytes -= head.size;
      this.release(head);
      this.settleFailed(head, this.timeoutError(head));
      freed = true;
    }
    for (let head = this.waiting.peek(); head !== undefined && head.deadline <= now; head = this.waiting.peek()) {
      this.waiting.shift();
      this.settleFailed(head, this.timeoutError(head));
    }
    if (freed) this.admitWaiting();
    this.armNext();
  }

  private armNext(): void {
    let next = Infinity;
    for (let i = this.inFlightCursor; i < this.inFlight.length; i++) {
      const entry = this.inFlight[i]!;
      if (entry.state !== 'settled') {
        next = entry.deadline;
        break;
      }
    }
    const queued = this.queue.peek();
    if (queued) next = Math.min(next, queued.deadline);
    const waiting = this.waiting.peek();
    if (waiting) next = Math.min(next, waiting.deadline);
    if (next !== Infinity) this.armTimer(next);
  }

  // ------------------------------------------------------------ sending

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for notify(), or at most `ms`. */
  private signal(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.wake = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          this.wake = undefined;
          resolve();
        }, ms);
      }
    });
  }

  private startLoop(): void {
    if (this.loop) return;
    this.loop = this.run()
      .catch((error: unknown) => {
        // A bug, not a Kafka failure (those are handled per batch): make it loud and fail what is pending.
        this.options.logger?.error('audit producer sender loop failed', { error: String(error) });
        this.abandonAll();
      })
      .finally(() => {
        this.loop = undefined;
        if (!this.closing && (this.queue.size > 0 || this.waiting.size > 0)) this.startLoop();
      });
  }

  /** The background sender: one batch at a time while there is anything to send. */
  private async run(): Promise<void> {
    for (;;) {
      const ready = await this.nextBatchReady();
      if (!ready) return;
      const batch = this.takeBatch();
      if (batch.length > 0) await this.deliver(batch);
    }
  }

  /** Waits until the queue holds a full batch, or its oldest event has lingered enough, or someone flushes. False: nothing left to do. */
  private async nextBatchReady(): Promise<boolean> {
    for (;;) {
      if (this.abandoned) return false;
      const oldest = this.queue.peek();
      if (oldest === undefined) {
        // Idle: the loop ends and the next enqueue starts it again. (Waiting
        // emits with an empty buffer cannot normally exist: an empty buffer
        // admits any event.)
        if (this.waiting.size === 0) return false;
        const before = this.waiting.size;
        this.admitWaiting();
        if (this.waiting.size === before) return false;
        continue;
      }
      if (this.closing || this.flushRequests > 0) return true;
      if (this.queue.size >= this.options.maxBatchEvents || this.queuedBytes >= this.options.maxBatchBytes) return true;
      const lingerLeft = oldest.enqueuedAt + this.options.lingerMs - this.now();
      if (lingerLeft <= 0) return true;
      await this.signal(lingerLeft);
    }
  }

  private takeBatch(): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    for (let head = this.queue.peek(); head !== undefined; head = this.queue.peek()) {
      if (head.state === 'settled') {
        this.queue.shift();
        this.queuedBytes -= head.size;
        this.release(head);
        continue;
      }
      if (batch.length > 0 && (batch.length >= this.options.maxBatchEvents || bytes + head.size > this.options.maxBatchBytes)) break;
      this.queue.shift();
      this.queuedBytes -= head.size;
      head.state = 'in_flight';
      batch.push(head);
      bytes += head.size;
    }
    return batch;
  }

  private async deliver(batch: Entry[]): Promise<void> {
    const started = this.now();
    this.inFlight = batch;
    this.inFlightCursor = 0;
    let live = batch;
    let attempts = 0;
    let positions: RecordPosition[] | undefined;
    let failure: { error: unknown; batchError: ProducerError } | undefined;
    const lastDeadline = batch[batch.length - 1]!.deadline;
    try {
      positions = await retry(
        async () => {
          this.expire();
          live = live.filter((entry) => entry.state !== 'settled');
          if (live.length === 0) return undefined;
          // Anything but an exact resend of a failed send needs a new idempotence session (KafkaSender contract).
          if (this.lastFailed !== undefined && !sameEntries(this.lastFailed, live)) await this.sender.reset();
          this.lastFailed = undefined;
          attempts++;
          for (const entry of live) entry.sent = true;
          try {
            const sent = await this.sender.send(live.map((entry) => entry.record));
            if (sent.length !== live.length) throw new Error(`KafkaSender returned ${sent.length} positions for ${live.length} records`);
            return sent;
          } catch (error) {
            this.lastFailed = live;
            throw error;
          }
        },
        {
          deadlineMs: Math.max(0, lastDeadline - this.now()),
          initialBackoffMs: this.options.initialBackoffMs,
          maxBackoffMs: this.options.maxBackoffMs,
          shouldRetry: (error) => !this.abandoned && isRetriable(error) && live.some((entry) => entry.state !== 'settled'),
          onRetry: (error, attempt, waitMs) => {
            this.retries++;
            this.options.logger?.warn('audit events not acknowledged yet, retrying', {
              events: live.length,
              attempt,
              waitMs,
              error: error instanceof Error ? error.message : String(error),
            });
          },
          signal: this.abort.signal,
          now: this.now,
          sleep,
          ...(this.options.random ? { random: this.options.random } : {}),
        },
      );
    } catch (error) {
      failure = { error, batchError: this.batchFailure(error) };
    }
    // Free the room first, so that a caller woken by its receipt sees the buffer as it now is.
    for (const entry of batch) this.release(entry);
    this.inFlight = [];
    this.inFlightCursor = 0;
    let delivered = 0;
    if (positions !== undefined) {
      this.batches++;
      for (let i = 0; i < live.length; i++) {
        const entry = live[i]!;
        const position = positions[i]!;
        delivered++;
        this.settleDelivered(entry, { eventId: entry.record.eventId, partition: position.partition, offset: position.offset });
      }
    } else if (failure !== undefined) {
      for (const entry of live) {
        if (entry.state !== 'settled') this.settleFailed(entry, this.failureFor(entry, failure.error, failure.batchError));
      }
    }
    this.admitWaiting();
    if (this.bufferedEvents === 0 && this.waiting.size === 0) this.clearTimer();
    else this.armNext();
    this.report({
      events: batch.length,
      bytes: batch.reduce((sum, e) => sum + e.size, 0),
      delivered,
      attempts,
      durationMs: this.now() - started,
      ...(failure ? { error: failure.batchError } : {}),
    });
  }

  /** The error a batch is abandoned with (for metrics); per-entry errors name the event. */
  private batchFailure(error: unknown): ProducerError {
    if (error instanceof ProducerError) return error;
    if (error instanceof KafkaError && error.code === 'deadline_exceeded') {
      return new ProducerError('delivery_timeout', `batch not acknowledged before its events' deadline: ${error.message}`, { cause: error, retriable: true });
    }
    return new ProducerError('send_failed', `Kafka refused the batch: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  private failureFor(entry: Entry, error: unknown, failure: ProducerError): ProducerError {
    if (this.abandoned) return this.closedError(entry);
    if (failure.code === 'delivery_timeout') return this.timeoutError(entry);
    return new ProducerError('send_failed', `Kafka refused event ${entry.record.eventId}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      retriable: false,
      details: { eventId: entry.record.eventId, outcome: 'unknown' satisfies DeliveryOutcome },
    });
  }

  private report(metrics: BatchMetrics): void {
    if (!this.options.onBatch) return;
    try {
      this.options.onBatch(metrics);
    } catch (error) {
      this.options.logger?.warn('onBatch hook threw; ignored', { error: String(error) });
    }
  }

  private pendingPromises(): Promise<EmitReceipt>[] {
    const pending: Promise<EmitReceipt>[] = [];
    for (const entry of this.inFlight) if (entry.state !== 'settled') pending.push(entry.promise);
    for (const entry of this.queue) if (entry.state !== 'settled') pending.push(entry.promise);
    for (const entry of this.waiting) pending.push(entry.promise);
    return pending;
  }
}

function sameEntries(a: readonly Entry[], b: readonly Entry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
