import { ProducerError, type ProducerErrorCode } from './errors';
import { EventBatcher, type EmitReceipt, type ProducerStats } from './event-batcher';
import { createKafkaSender, type KafkaSender } from './kafka-sender';
import { createProducerKafkaClient } from './kafka-client';
import { resolveOptions, type AuditProducerOptions } from './options';
import { defaultClock, invalidEvent, prepareEvent, type AuditEventInput, type PrepareContext } from './prepare-event';
import type { ValidationIssue } from '@auditseal/codec';

/** Options of `AuditProducer.close`. */
export interface CloseOptions {
  /**
   * Stop waiting for delivery after this many ms and reject whatever is still
   * pending with `closed`. Default: wait until every accepted event is
   * delivered or has timed out (at most `deliveryTimeoutMs`). The emits settle
   * at `timeoutMs`; disconnecting may then still wait for a request in flight
   * (at most `requestTimeoutMs`).
   */
  timeoutMs?: number;
}

/** The SDK handle services emit audit events with. Create it once per process with `createAuditProducer`. */
export interface AuditProducer {
  /** The topic events go to. */
  readonly topic: string;

  /**
   * Emits one event. Resolves with its receipt once Kafka has acknowledged it
   * with acks=all; rejects with a ProducerError (`delivery_timeout`,
   * `send_failed`, `closed`) otherwise. Every call settles, within
   * `deliveryTimeoutMs`.
   *
   * Fills `eventId` (UUIDv7), `eventTime` (now, µs) and `source` when absent,
   * signs when the producer has a `signingKey`, and validates the event
   * against the schema BEFORE returning: an invalid event makes `emit` THROW
   * synchronously a ProducerError `invalid_event` (nothing is queued) whose
   * `details.issues` names every bad field. `try { await producer.emit(e) }
   * catch` sees both kinds of failure; `producer.emit(e).catch(…)` sees only
   * the asynchronous ones.
   *
   * When the producer's buffer is full (`maxBufferedEvents` /
   * `maxBufferedBytes`), the event waits for room before it is queued: await
   * your emits (or bound how many you have outstanding) to get backpressure.
   */
  emit(event: AuditEventInput): Promise<EmitReceipt>;

  /**
   * Emits several events, in order. Validates all of them first and throws
   * synchronously (`invalid_event`, issues prefixed with the index, e.g.
   * `[2].actor.id`) if any is invalid; then none is sent. Resolves with the
   * receipts in input order once all are acknowledged. If some fail, it rejects
   * after all have settled with a ProducerError carrying the first failure's
   * code and `details.failures` (`{ index, eventId, code, outcome }`) and
   * `details.receipts` (receipt or null per index), so you can retry exactly
   * the failed ones with the same eventIds.
   */
  emitMany(events: readonly AuditEventInput[]): Promise<EmitReceipt[]>;

  /** Sends what is buffered without waiting for `lingerMs`; resolves when every event emitted before the call has settled. Never rejects. */
  flush(): Promise<void>;

  /**
   * Stops accepting events (later emits reject with `closed`), delivers what
   * was accepted (each event still gets its receipt or its error), then
   * disconnects. Calling it again returns when the first call is done.
   */
  close(options?: CloseOptions): Promise<void>;

  /** Buffer sizes and counters: how full the buffer is, how many emits wait, delivered/failed totals. */
  stats(): ProducerStats;
}

/**
 * Creates an audit producer: a kafkajs idempotent producer (acks=all) behind a
 * bounded, batching queue. Throws a ProducerError `invalid_options` naming
 * every bad option. Connects lazily, on the first send.
 *
 * @example
 * const producer = createAuditProducer({ brokers: ['127.0.0.1:9092'], source: { service: 'billing-api' } });
 * const receipt = await producer.emit({
 *   tenant: 'acme', action: 'invoice.approve', outcome: 'SUCCESS',
 *   actor: { type: 'user', id: 'u-42' }, target: { type: 'invoice', id: 'inv-7' },
 * });
 * await producer.close();
 */
export function createAuditProducer(options: AuditProducerOptions): AuditProducer {
  const resolved = resolveOptions(options);
  const sender = options.sender ?? defaultSender(options, resolved.topic, resolved.requestTimeoutMs);
  const batcher = new EventBatcher(sender, {
    lingerMs: resolved.lingerMs,
    maxBatchEvents: resolved.maxBatchEvents,
    maxBatchBytes: resolved.maxBatchBytes,
    maxBufferedEvents: resolved.maxBufferedEvents,
    maxBufferedBytes: resolved.maxBufferedBytes,
    deliveryTimeoutMs: resolved.deliveryTimeoutMs,
    initialBackoffMs: resolved.initialBackoffMs,
    maxBackoffMs: resolved.maxBackoffMs,
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    ...(options.logger ? { logger: options.logger.child('audit-producer') } : {}),
  });
  const context: PrepareContext = {
    source: resolved.source,
    signingKey: resolved.signingKey,
    maxEventBytes: resolved.maxEventBytes,
    nowMicros: defaultClock.nowMicros,
    newEventId: defaultClock.newEventId,
  };

  return {
    topic: resolved.topic,
    emit(event) {
      return batcher.enqueue(prepareEvent(event, context));
    },
    emitMany(events) {
      if (!Array.isArray(events)) throw invalidEvent([{ path: '', message: 'emitMany takes an array of events' }]);
      const records = [];
      const issues: ValidationIssue[] = [];
      for (let i = 0; i < events.length; i++) {
        try {
          records.push(prepareEvent(events[i], context, `[${i}]`));
        } catch (error) {
          if (error instanceof ProducerError && error.code === 'invalid_event') issues.push(...(error.details.issues as ValidationIssue[]));
          else throw error;
        }
      }
      if (issues.length > 0) throw invalidEvent(issues);
      return collectReceipts(records.map((record) => batcher.enqueue(record)), records.map((record) => record.eventId));
    },
    flush: () => batcher.flush(),
    close: (closeOptions = {}) => batcher.close(closeOptions.timeoutMs),
    stats: () => batcher.stats(),
  };
}

function defaultSender(options: AuditProducerOptions, topic: string, requestTimeoutMs: number): KafkaSender {
  const kafka =
    options.kafka ??
    createProducerKafkaClient({
      brokers: options.brokers ?? [],
      clientId: options.clientId ?? `auditseal-producer-${options.source.service}`,
      requestTimeoutMs,
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
      ...(options.sasl !== undefined ? { sasl: options.sasl } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  return createKafkaSender({ kafka, topic, ackTimeoutMs: requestTimeoutMs, ...(options.logger ? { logger: options.logger.child('audit-producer') } : {}) });
}

async function collectReceipts(promises: Promise<EmitReceipt>[], eventIds: string[]): Promise<EmitReceipt[]> {
  const results = await Promise.allSettled(promises);
  const failures: { index: number; eventId: string; code: ProducerErrorCode; outcome: unknown; message: string }[] = [];
  const receipts: (EmitReceipt | null)[] = [];
  let first: ProducerError | undefined;
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      receipts.push(result.value);
      return;
    }
    receipts.push(null);
    const error = result.reason instanceof ProducerError ? result.reason : new ProducerError('send_failed', String(result.reason), { cause: result.reason });
    first ??= error;
    failures.push({ index, eventId: eventIds[index]!, code: error.code, outcome: error.details.outcome, message: error.message });
  });
  if (!first) return receipts as EmitReceipt[];
  throw new ProducerError(first.code, `${failures.length} of ${results.length} events were not delivered; the first: ${first.message}`, {
    cause: first,
    retriable: failures.every((f) => f.code === 'delivery_timeout' || f.code === 'closed'),
    details: { failures, receipts },
  });
}
