import { isUtf8 } from 'node:buffer';
import type { AuditEvent, Outcome } from './audit-event';
import { MAX_LONG } from './binary-scanner';

/**
 * The fast path of decodeEventDetailed for events written with the v1 schema
 * itself (schemas/audit-event.v1.avsc, fields in its order): a reader for
 * exactly that schema over UNTRUSTED bytes, in one pass, without the generic
 * scan, avsc's decode and the copy into plain objects. It returns undefined
 * at the first thing it does not accept, and the caller then runs the
 * detailed decode, which decides and names the error. It accepts no less
 * strictly than that decode — the scan's rules (varints of at most 10 bytes
 * and 64 bits, 32-bit ints, longs within ±(2^53 − 2), union and enum
 * indexes, lengths within the input, valid UTF-8, map keys unique and never
 * `__proto__`, block sizes that match their items, no trailing bytes) — and
 * returns the same event as the detailed decode (audit-event-reader.test.ts
 * checks both on valid and on damaged bytes). Bytes fields are views of the
 * input, as avsc's are. The header (size limit, marker, fingerprint) is the
 * caller's.
 */

const OUTCOMES: readonly Outcome[] = ['SUCCESS', 'FAILURE', 'DENIED', 'UNKNOWN'];
const TWO_POW_26 = 2 ** 26;
const TWO_POW_27 = 2 ** 27;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Node's Buffer#latin1Slice, which Buffer#toString('latin1', start, end)
 * calls after checking its arguments (as avsc calls utf8Slice): a third of
 * the cost of a short string. toString where it is missing.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }).latin1Slice;

/** Thrown inside the reader only; never escapes it. */
const DECLINE = Symbol('decline');

class Reader {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  /** Zig-zag varint, exactly as the binary scanner reads it. */
  long(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      const b = buf[this.pos++];
      if (b === undefined) throw DECLINE;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else hi += (b & 0x7f) * 2 ** (7 * (i - 4));
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw DECLINE;
        break;
      }
      if (i === 9) throw DECLINE;
    }
    if (hi >= TWO_POW_26) throw DECLINE;
    const magnitude = hi * TWO_POW_27 + (lo >>> 1);
    const value = lo & 1 ? -(magnitude + 1) : magnitude;
    if (value > MAX_LONG || value < -MAX_LONG) throw DECLINE;
    return value;
  }

  /** A union or enum index below `count`. */
  index(count: number): number {
    const value = this.long();
    if (value < 0 || value >= count) throw DECLINE;
    return value;
  }

  bytes(): Buffer {
    const length = this.long();
    if (length < 0 || length > this.buf.length - this.pos) throw DECLINE;
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    const length = this.long();
    if (length < 0 || length > this.buf.length - this.pos) throw DECLINE;
    const start = this.pos;
    this.pos += length;
    if (length === 0) return '';
    const buf = this.buf;
    // ASCII, the common case, is valid UTF-8 and needs no isUtf8 call.
    let ascii = true;
    for (let i = start; i < this.pos; i++) {
      if (buf[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1Slice ? latin1Slice.call(buf, start, this.pos) : buf.toString('latin1', start, this.pos);
    if (!isUtf8(buf.subarray(start, this.pos))) throw DECLINE;
    return buf.toString('utf8', start, this.pos);
  }

  /** ["null", "string"] */
  optionalString(): string | null {
    return this.index(2) === 0 ? null : this.string();
  }

  /** map<string>: blocks of (count, [byte size,] items) up to a zero count. */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (;;) {
      let count = this.long();
      if (count === 0) return out;
      let blockEnd = -1;
      if (count < 0) {
        count = -count;
        const size = this.long();
        if (size < 0 || size > this.buf.length - this.pos) throw DECLINE;
        blockEnd = this.pos + size;
      }
      // Every item takes at least 2 bytes (two lengths): a count beyond that is forged.
      if (count * 2 > this.buf.length - this.pos) throw DECLINE;
      for (let i = 0; i < count; i++) {
        const key = this.string();
        if (key === '__proto__' || hasOwn.call(out, key)) throw DECLINE;
        out[key] = this.string();
      }
      if (blockEnd >= 0 && this.pos !== blockEnd) throw DECLINE;
    }
  }

  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }
}

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
  const r = new Reader(buf, bodyOffset);
  try {
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
    return {
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
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
