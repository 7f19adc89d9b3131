import {
  CodecError,
  encodeEvent,
  eventSigningBytes,
  uuidv7,
  type AuditEvent,
  type AuditSource,
  type ValidationIssue,
} from '@auditseal/codec';
import { sign, type SigningKey } from '@auditseal/core';
import { ProducerError } from './errors';
import type { QueuedRecord } from './event-batcher';

/**
 * An audit event as a service emits it: an AuditEvent (schemas/audit-event.v1.avsc)
 * whose `eventId`, `eventTime` and `source` may be left out — the producer
 * fills them in (a new UUIDv7, now in microseconds, the producer's source).
 */
export type AuditEventInput = Omit<AuditEvent, 'eventId' | 'eventTime' | 'source'> & {
  /** UUIDv7; default: a new one. Set it yourself to retry an event under the same id. */
  eventId?: string;
  /** Microseconds since the Unix epoch (UTC); default: now. */
  eventTime?: number;
  /** Default: the producer's `source` option. */
  source?: AuditSource;
};

/** The key the producer signs events with: a core `SigningKey` or just its id and 32-byte seed. */
export type EventSigningKey = Pick<SigningKey, 'keyId' | 'privateKey'>;

export interface PrepareContext {
  source: AuditSource;
  signingKey: EventSigningKey | undefined;
  maxEventBytes: number;
  /** Microseconds since the epoch. */
  nowMicros: () => number;
  newEventId: () => string;
}

export const defaultClock = {
  /** Wall-clock microseconds (millisecond precision: Date.now() × 1000). */
  nowMicros: (): number => Date.now() * 1000,
  newEventId: (): string => uuidv7(),
};

/**
 * Fills the defaults, signs (when a key is configured and the event carries no
 * signature yet), validates and encodes one event. Throws a ProducerError
 * `invalid_event` whose `details.issues` lists every problem; `pathPrefix`
 * (e.g. `[3]`) locates the event within an emitMany call.
 */
export function prepareEvent(input: unknown, context: PrepareContext, pathPrefix = ''): QueuedRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidEvent([{ path: pathPrefix, message: 'must be an object (an audit event)' }]);
  }
  // A shallow copy that keeps unknown fields, so that validation reports them.
  // (Object.assign, not spread syntax: on Node 20 spreading such an object costs
  // about 2 µs, as much as encoding the event. But Object.assign would turn an
  // own `__proto__` key, which JSON.parse makes, into the copy's prototype
  // rather than a field the codec reports as unknown: such input is spread.)
  const event = (Object.prototype.hasOwnProperty.call(input, '__proto__') ? { ...input } : Object.assign({}, input)) as AuditEvent;
  if (event.eventId === undefined) event.eventId = context.newEventId();
  if (event.eventTime === undefined) event.eventTime = context.nowMicros();
  if (event.source === undefined) event.source = context.source;
  const options = { maxEventBytes: context.maxEventBytes };
  try {
    if (context.signingKey !== undefined && (event.signature === undefined || event.signature === null)) {
      // FORMAT.md 8.5: Ed25519 over the event's encoding with `signature` null.
      const value = sign(eventSigningBytes(event, options), context.signingKey as SigningKey);
      event.signature = { keyId: context.signingKey.keyId, value };
    }
    return { eventId: event.eventId, key: event.tenant, value: encodeEvent(event, options) };
  } catch (error) {
    if (error instanceof CodecError && error.code === 'invalid_event') {
      const issues = ((error.details.issues as ValidationIssue[] | undefined) ?? []).map((issue) => ({
        path: joinPath(pathPrefix, issue.path),
        message: issue.message,
      }));
      throw invalidEvent(issues, error);
    }
    throw error;
  }
}

/** A ProducerError `invalid_event` whose message names every issue. */
export function invalidEvent(issues: ValidationIssue[], cause?: unknown): ProducerError {
  const list = issues.map((issue) => `${issue.path || '(event)'} ${issue.message}`).join('; ');
  return new ProducerError('invalid_event', `invalid audit event (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${list}`, {
    ...(cause === undefined ? {} : { cause }),
    retriable: false,
    details: { issues },
  });
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
