import { isUtf8 } from 'node:buffer';
import { MAX_LONG } from './binary-scanner';
import type { EntryKind, RejectReason, SealedEntry } from './sealed-entry';
import { SINGLE_OBJECT_HEADER_BYTES, SINGLE_OBJECT_MARKER } from './single-object';

/**
 * The fast path of decodeSealedEntry: a reader written for exactly one schema,
 * schemas/sealed-entry.v1.avsc (fields in its order), over UNTRUSTED bytes.
 * It reads the single object in one pass, without the generic scan and
 * avsc's decode, and returns undefined at the first thing it does not
 * accept — the caller then runs the detailed decode, which decides and
 * names the error. It accepts no less strictly than that decode (the same
 * size limit, header, fingerprint, varint rules, 32-bit ints, longs within
 * ±(2^53 − 2), valid UTF-8, union and enum indexes, fixed sizes, no trailing
 * bytes) and returns the same entry; sealed-entry-reader.test.ts checks both
 * on valid and on damaged bytes. Bytes fields are views of the input, as
 * avsc's are.
 */

const ENTRY_KINDS: readonly EntryKind[] = ['EVENT', 'REJECTED'];
const REJECT_REASONS: readonly RejectReason[] = ['MALFORMED', 'UNKNOWN_SCHEMA', 'TOO_LARGE', 'BAD_SIGNATURE', 'MISSING_SIGNATURE', 'INVALID_EVENT'];
const TWO_POW_26 = 2 ** 26;
const TWO_POW_27 = 2 ** 27;

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

  int(): number {
    const value = this.long();
    if (value < -0x80000000 || value > 0x7fffffff) throw DECLINE;
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
    return this.fixed(length);
  }

  fixed(length: number): Buffer {
    if (length < 0 || length > this.buf.length - this.pos) throw DECLINE;
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(cache?: { bytes: Buffer; text: string }): string {
    const bytes = this.bytes();
    if (cache && bytes.equals(cache.bytes)) return cache.text;
    if (!isUtf8(bytes)) throw DECLINE;
    return bytes.toString('utf8');
  }

  get atEnd(): boolean {
    return this.pos === this.buf.length;
  }
}

/** The chain id of the previous entry and its bytes (a copy: the input may be reused), so that a stream of one chain's entries decodes its text once. */
let lastChainId: { bytes: Buffer; text: string } | undefined;

/**
 * The entry in `bytes` when they are a valid single-object SealedEntry v1
 * within `maxBytes`; undefined otherwise (and for anything the detailed
 * decode should look at: see above).
 */
export function readSealedEntryFast(bytes: Uint8Array, fingerprint: bigint, maxBytes: number): SealedEntry | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length > maxBytes || bytes.length < SINGLE_OBJECT_HEADER_BYTES) return undefined;
  if (bytes[0] !== SINGLE_OBJECT_MARKER[0] || bytes[1] !== SINGLE_OBJECT_MARKER[1]) return undefined;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readBigUInt64LE(2) !== fingerprint) return undefined;
  const r = new Reader(buf, SINGLE_OBJECT_HEADER_BYTES);
  try {
    const chainId = r.string(lastChainId);
    const seq = r.long();
    const kind = ENTRY_KINDS[r.index(ENTRY_KINDS.length)]!;
    const sourcePartition = r.int();
    const sourceOffset = r.long();
    const sourceTimestamp = r.long();
    const sealedAt = r.long();
    const key = r.index(2) === 0 ? null : r.bytes();
    const value = r.bytes();
    const rejectReason = r.index(2) === 0 ? null : REJECT_REASONS[r.index(REJECT_REASONS.length)]!;
    const rejectDetail = r.index(2) === 0 ? null : r.string();
    const prevHash = r.fixed(32);
    const hash = r.fixed(32);
    if (!r.atEnd) return undefined;
    if (lastChainId?.text !== chainId) lastChainId = { bytes: Buffer.from(chainId, 'utf8'), text: chainId };
    return { chainId, seq, kind, sourcePartition, sourceOffset, sourceTimestamp, sealedAt, key, value, rejectReason, rejectDetail, prevHash, hash };
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
