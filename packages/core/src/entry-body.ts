import { isBytes, isWellFormedUnicode, utf8 } from './bytes';
import { CoreError } from './errors';

/**
 * The entry body (FORMAT.md §3): the canonical bytes of one sealed entry's
 * content. A chain link hashes SHA-256(entry body), so this encoding must be
 * injective — fixed-width big-endian integers, u32 length prefixes and
 * presence bytes leave no two field sets with the same bytes.
 */

export type EntryKind = 'event' | 'rejected';

export type RejectReason =
  | 'none'
  | 'malformed'
  | 'unknown_schema'
  | 'too_large'
  | 'bad_signature'
  | 'missing_signature'
  | 'invalid_event';

/** A 64-bit integer: a safe-integer number or a bigint (FORMAT.md §1). */
export type Int64 = number | bigint;

export interface EntryBodyFields {
  kind: EntryKind;
  /** Kafka offset of the input record, 0 … 2^63-1. */
  sourceOffset: Int64;
  /** Kafka record timestamp in ms since the epoch (may be -1: "no timestamp"). */
  sourceTimestampMs: Int64;
  /** When the chainer sealed the entry, µs since the epoch. */
  sealedAtMicros: Int64;
  /** The Kafka record key verbatim; null/undefined when the record had no key (an empty key is present). */
  key?: Uint8Array | null;
  /** The Kafka record value verbatim; may be empty, never null (FORMAT.md §3). */
  value: Uint8Array;
  /** `none` exactly when kind is `event`. */
  rejectReason: RejectReason;
  /** Human-readable detail for a rejected entry, ≤ 1024 UTF-8 bytes; absent for events. */
  rejectDetail?: string | null;
}

/** First byte of every v1 entry body: domain and version (FORMAT.md §3). */
export const ENTRY_BODY_FORMAT_V1 = 0xe1;
export const MAX_REJECT_DETAIL_BYTES = 1024;
const MAX_U32 = 0xffffffff;

export const ENTRY_KIND_CODES: Readonly<Record<EntryKind, number>> = Object.freeze({ event: 0x01, rejected: 0x02 });

export const REJECT_REASON_CODES: Readonly<Record<RejectReason, number>> = Object.freeze({
  none: 0x00,
  malformed: 0x01,
  unknown_schema: 0x02,
  too_large: 0x03,
  bad_signature: 0x04,
  missing_signature: 0x05,
  invalid_event: 0x06,
});

const TWO_32 = 4294967296;
const U63_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

function invalid(message: string, field: string): CoreError {
  return new CoreError('invalid_entry', message, { details: { field } });
}

/** Writes a 64-bit integer big-endian (two's complement when signed). */
function writeInt64(view: DataView, offset: number, value: Int64, field: string, unsigned: boolean): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid(`${field} must be a safe integer or a bigint`, field);
    if (unsigned && value < 0) throw invalid(`${field} must not be negative`, field);
    const hi = Math.floor(value / TWO_32);
    view.setInt32(offset, hi);
    view.setUint32(offset + 4, value - hi * TWO_32);
    return;
  }
  if (typeof value !== 'bigint') throw invalid(`${field} must be a number or a bigint`, field);
  if (unsigned ? value < 0n || value > U63_MAX : value < I64_MIN || value > U63_MAX) {
    throw invalid(`${field} is out of range for ${unsigned ? '0 … 2^63-1' : 'a signed 64-bit integer'}`, field);
  }
  view.setBigInt64(offset, value);
}

/** The validated layout of one body: computed once, then written. */
interface BodyPlan {
  size: number;
  kind: number;
  reason: number;
  key: Uint8Array | undefined;
  detail: Uint8Array | undefined;
}

/** Checks every rule of FORMAT.md §3 and sizes the body. Throws `invalid_entry`. */
function planEntryBody(fields: EntryBodyFields): BodyPlan {
  if (typeof fields !== 'object' || fields === null) throw invalid('entry body fields must be an object', 'fields');
  if (!Object.hasOwn(ENTRY_KIND_CODES, fields.kind)) throw invalid('kind must be "event" or "rejected"', 'kind');
  if (!Object.hasOwn(REJECT_REASON_CODES, fields.rejectReason)) {
    throw invalid(`rejectReason must be one of ${Object.keys(REJECT_REASON_CODES).join(', ')}`, 'rejectReason');
  }
  const kind = ENTRY_KIND_CODES[fields.kind];
  const reason = REJECT_REASON_CODES[fields.rejectReason];
  const { key, value, rejectDetail } = fields;
  if (fields.kind === 'event' && reason !== 0) throw invalid('an event entry must have rejectReason "none"', 'rejectReason');
  if (fields.kind === 'rejected' && reason === 0) throw invalid('a rejected entry must name its rejectReason', 'rejectReason');
  if (key !== undefined && key !== null && !isBytes(key)) throw invalid('key must be a Uint8Array, null or absent', 'key');
  if (!isBytes(value)) throw invalid('value must be a Uint8Array (use an empty one for an empty value)', 'value');

  let detail: Uint8Array | undefined;
  if (rejectDetail !== undefined && rejectDetail !== null) {
    if (fields.kind !== 'rejected') throw invalid('rejectDetail is only allowed on rejected entries', 'rejectDetail');
    if (typeof rejectDetail !== 'string' || !isWellFormedUnicode(rejectDetail)) {
      throw invalid('rejectDetail must be a well-formed Unicode string', 'rejectDetail');
    }
    detail = utf8(rejectDetail);
    if (detail.length > MAX_REJECT_DETAIL_BYTES) {
      throw invalid(`rejectDetail must be at most ${MAX_REJECT_DETAIL_BYTES} UTF-8 bytes`, 'rejectDetail');
    }
  }
  const k = key === undefined || key === null ? undefined : key;
  if ((k && k.length > MAX_U32) || value.length > MAX_U32) throw invalid('key and value must be shorter than 2^32 bytes', 'value');
  const size = 27 + (k ? 4 + k.length : 0) + 4 + value.length + 2 + (detail ? 4 + detail.length : 0);
  return { size, kind, reason, key: k, detail };
}

/** Writes a planned body at the start of `out` (which holds at least plan.size bytes). */
function writeEntryBody(fields: EntryBodyFields, plan: BodyPlan, out: Uint8Array, view: DataView): void {
  const { key, detail } = plan;
  const value = fields.value;
  out[0] = ENTRY_BODY_FORMAT_V1;
  out[1] = plan.kind;
  writeInt64(view, 2, fields.sourceOffset, 'sourceOffset', true);
  writeInt64(view, 10, fields.sourceTimestampMs, 'sourceTimestampMs', false);
  writeInt64(view, 18, fields.sealedAtMicros, 'sealedAtMicros', false);
  let o = 26;
  if (key) {
    out[o++] = 0x01;
    view.setUint32(o, key.length);
    out.set(key, o + 4);
    o += 4 + key.length;
  } else {
    out[o++] = 0x00;
  }
  view.setUint32(o, value.length);
  out.set(value, o + 4);
  o += 4 + value.length;
  out[o++] = plan.reason;
  if (detail) {
    out[o++] = 0x01;
    view.setUint32(o, detail.length);
    out.set(detail, o + 4);
  } else {
    out[o] = 0x00;
  }
}

/**
 * Canonical entry body bytes (FORMAT.md §3). Throws `invalid_entry` when the
 * fields break a rule of §3 (e.g. an event with a reject reason).
 */
export function encodeEntryBody(fields: EntryBodyFields): Uint8Array {
  const plan = planEntryBody(fields);
  const out = new Uint8Array(plan.size);
  writeEntryBody(fields, plan, out, new DataView(out.buffer));
  return out;
}

/**
 * Encodes bodies into one reusable buffer, for the sealing hot path: a fresh
 * ~0.5 KiB ArrayBuffer per entry costs more than encoding it. The returned
 * view is only valid until the next call.
 */
export class EntryBodyEncoder {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);

  encode(fields: EntryBodyFields): Uint8Array {
    const plan = planEntryBody(fields);
    if (plan.size > this.buffer.length) {
      let capacity = this.buffer.length;
      while (capacity < plan.size) capacity *= 2;
      this.buffer = new Uint8Array(capacity);
      this.view = new DataView(this.buffer.buffer);
    }
    writeEntryBody(fields, plan, this.buffer, this.view);
    return this.buffer.subarray(0, plan.size);
  }
}
