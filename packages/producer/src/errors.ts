import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

/**
 * Why the producer refused or could not deliver an event.
 *
 * - `invalid_event`: the event breaks the schema or a rule of FORMAT.md 8.4.
 *   Thrown synchronously by `emit`/`emitMany`; `details.issues` lists every
 *   problem (`{ path, message }`). Fix the event; retrying cannot help.
 * - `invalid_options`: `createAuditProducer` got options it cannot work with;
 *   `details.issues` names each one.
 * - `delivery_timeout`: the event was not acknowledged by Kafka within
 *   `deliveryTimeoutMs` of the `emit` call. `details.outcome` says whether it
 *   may have been written (`'unknown'`: a send was in flight or failed without a
 *   definite answer) or certainly was not (`'not_sent'`). Retriable: emit the
 *   same event again (same `eventId`) and downstream deduplicates.
 * - `send_failed`: Kafka refused the event with an error a retry cannot fix
 *   (record too large for the topic, authorization, unknown topic…); the cause
 *   is the Kafka error. Not retriable as is.
 * - `closed`: the producer was closed before the event could be delivered, or
 *   `emit` was called after `close()`. `details.outcome` as for timeouts.
 */
export type ProducerErrorCode = 'invalid_event' | 'invalid_options' | 'delivery_timeout' | 'send_failed' | 'closed';

/** Whether a failed event may nevertheless have been written to Kafka. */
export type DeliveryOutcome = 'not_sent' | 'unknown';

/** The one error type `@auditseal/producer` raises or rejects with; switch on `code`. */
export class ProducerError extends AuditSealError<ProducerErrorCode> {
  constructor(code: ProducerErrorCode, message: string, options: AuditSealErrorOptions = {}) {
    super(code, message, options);
  }
}

/** True when `value` is a ProducerError (optionally with the given code). */
export function isProducerError(value: unknown, code?: ProducerErrorCode): value is ProducerError {
  return value instanceof ProducerError && (code === undefined || value.code === code);
}
