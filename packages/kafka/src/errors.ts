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

/**
 * The first error in `error` and its causes that `test` accepts, or
 * undefined. Causes are `cause` and, where a wrapper names it so,
 * `originalError`; both are followed, and a cycle ends the walk.
 */
export function findCause(error: unknown, test: (candidate: Record<string, unknown>) => boolean): Error | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const at = pending.shift();
    if (typeof at !== 'object' || at === null || seen.has(at)) continue;
    seen.add(at);
    const candidate = at as Record<string, unknown>;
    if (test(candidate)) return at as Error;
    pending.push(candidate.cause, candidate.originalError);
  }
  return undefined;
}
