import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

export type KafkaErrorCode =
  | 'topic_missing'
  | 'topic_unsafe'
  | 'partition_mismatch'
  | 'broker_unreachable'
  | 'authentication_failed'
  | 'tls_failed'
  | 'deadline_exceeded'
  | 'kafka_error';

/** Errors raised by @auditseal/kafka. `retriable` says whether the same call may succeed later. */
export class KafkaError extends AuditSealError<KafkaErrorCode> {
  constructor(code: KafkaErrorCode, message: string, options: AuditSealErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Whether an error from kafkajs (or ours) is worth retrying. kafkajs marks its
 * errors with `retriable`; anything else (a TypeError, a validation error) is a
 * programmer or input error and must never be retried (CONVENTIONS.md, kafkajs).
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof AuditSealError) return error.retriable;
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return (error as { retriable?: unknown }).retriable === true;
  }
  return false;
}
