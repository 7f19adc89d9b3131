import type { AuditEvent, Outcome } from './audit-event';
import { declining, StrictReader } from './strict-reader';

/**
 * The fast path of decodeEventDetailed for events written with the v1 schema
 * itself (schemas/audit-event.v1.avsc, fields in its order): a reader for
 * exactly that schema over UNTRUSTED bytes (strict-reader.ts), in one pass,
 * without the generic scan, avsc's decode and the copy into plain objects. It
 * returns undefined at the first thing it does not accept, and the caller then
 * runs the detailed decode, which decides and names the error. It accepts no
 * less strictly than that decode (the scan's rules, no trailing bytes) and
 * returns the same event (audit-event-reader.test.ts checks both on valid and
 * on damaged bytes). The header (size limit, marker, fingerprint) is the
 * caller's.
 */

const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'FAILURE', 'DENIED', 'UNKNOWN'];

export interface FastEvent {
  event: AuditEvent;
  /** Byte range [start, end) of the `signature` field in the input (FORMAT.md 8.5). */
  signatureSpan: [number, number];
}

/**
 * The event in `bytes[bodyOffset..]` when it is a valid v1 AuditEvent body
 * that ends with the input; undefined otherwise (and for anything the
 * detailed decode should look at: see above). Semantic rules (FORMAT.md 8.4)
 * are not applied: the caller applies them to the result, as to the detailed
 * decode's.
 */
export function readEventFast(bytes: Uint8Array, bodyOffset: number): FastEvent | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new StrictReader(buf, bodyOffset);
  return declining(() => {
    const eventId = r.string();
    const eventTime = r.long();
    const tenant = r.string();
    const actorType = r.string();
    const actorId = r.string();
    const displayName = r.optionalString();
    const ip = r.optionalString();
    const userAgent = r.optionalString();
    const action = r.string();
    const targetType = r.string();
    const targetId = r.string();
    const targetName = r.optionalString();
    const outcome = OUTCOMES[r.index(OUTCOMES.length)]!;
    const outcomeReason = r.optionalString();
    const service = r.string();
    const instance = r.string();
    const region = r.optionalString();
    const correlationId = r.optionalString();
    const traceId = r.optionalString();
    const attributes = r.stringMap();
    const payload = r.index(2) === 0 ? null : r.bytes();
    const signatureStart = r.pos;
    let signature: AuditEvent['signature'] = null;
    if (r.index(2) === 1) {
      const keyId = r.string();
      signature = { keyId, value: r.bytes() };
    }
    if (!r.atEnd) return undefined;
    const fast: FastEvent = {
      event: {
        eventId,
        eventTime,
        tenant,
        actor: { type: actorType, id: actorId, displayName, ip, userAgent },
        action,
        target: { type: targetType, id: targetId, name: targetName },
        outcome,
        outcomeReason,
        source: { service, instance, region },
        correlationId,
        traceId,
        attributes,
        payload,
        signature,
      },
      signatureSpan: [signatureStart, r.pos],
    };
    return fast;
  });
}
