import type { EntryKind, RejectReason, SealedEntry } from '@auditseal/codec';
import { ArchiveError } from './errors';

/**
 * A bounded reader of Avro binary data (Avro specification, "Binary
 * Encoding") for UNTRUSTED bytes: every length is checked against the bytes
 * present before anything is allocated, varints are at most 10 bytes, longs
 * must fit ±(2^53 − 2) (FORMAT.md §8.3), strings must be valid UTF-8. Every
 * failure is an ArchiveError `truncated` or `malformed` with the byte offset.
 * Bytes and fixed values are Buffer views of the input, not copies (as
 * avsc's are): the input must not change while they are in use.
 */
export class AvroReader {
  pos: number;
  private static readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    /** Added to positions in messages (the reader may run over a block inside a file). */
    private readonly baseOffset = 0,
  ) {
    this.pos = start;
  }

  fail(code: 'truncated' | 'malformed', message: string): ArchiveError {
    return new ArchiveError(code, `${message} at byte ${this.baseOffset + this.pos}`, { details: { offset: this.baseOffset + this.pos } });
  }

  /** Zig-zag varint long, exact for ±(2^53 − 2). */
  long(): number {
    let low = 0;
    let factor = 1;
    let b: number;
    let i = 0;
    const start = this.pos;
    do {
      if (this.pos >= this.end) throw this.fail('truncated', 'varint runs past the end');
      if (i === 10) throw this.fail('malformed', 'varint longer than 10 bytes');
      b = this.buf[this.pos++]!;
      low += (b & 0x7f) * factor;
      factor *= 128;
      i++;
    } while (b & 0x80);
    if (i <= 7) return low % 2 === 0 ? low / 2 : -(low + 1) / 2; // < 2^49: exact in a double
    let big = 0n;
    for (let j = this.pos - 1; j >= start; j--) big = (big << 7n) | BigInt(this.buf[j]! & 0x7f);
    const value = (big >> 1n) ^ -(big & 1n);
    if (value > 9007199254740990n || value < -9007199254740990n) throw this.fail('malformed', 'long outside ±(2^53 - 2)');
    return Number(value);
  }

  int(): number {
    const v = this.long();
    if (v > 2147483647 || v < -2147483648) throw this.fail('malformed', 'int outside 32 bits');
    return v;
  }

  length(what: string): number {
    const n = this.long();
    if (n < 0) throw this.fail('malformed', `negative ${what} length`);
    if (n > this.end - this.pos) throw this.fail('truncated', `${what} of ${n} bytes runs past the end`);
    return n;
  }

  bytes(): Buffer {
    const n = this.length('bytes');
    const out = this.view(n);
    this.pos += n;
    return out;
  }

  /**
   * A string. `previous` is the last string read for the same field: when
   * the bytes are the same, its text is returned without decoding them again
   * (a segment repeats its chain id in every entry).
   */
  string(previous?: { bytes: Buffer; text: string }): string {
    const n = this.length('string');
    if (previous && previous.bytes.length === n && previous.bytes.compare(this.buf, this.pos, this.pos + n) === 0) {
      this.pos += n;
      return previous.text;
    }
    let text: string;
    try {
      text = AvroReader.utf8.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch (error) {
      throw new ArchiveError('malformed', `invalid UTF-8 in a string at byte ${this.baseOffset + this.pos}`, { cause: error });
    }
    this.pos += n;
    return text;
  }

  fixed(size: number): Buffer {
    if (size > this.end - this.pos) throw this.fail('truncated', `fixed(${size}) runs past the end`);
    const out = this.view(size);
    this.pos += size;
    return out;
  }

  private view(size: number): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, size);
  }

  /** Union branch or enum index in [0, count). */
  index(count: number, what: string): number {
    const i = this.long();
    if (i < 0 || i >= count) throw this.fail('malformed', `${what} index ${i} is not in 0..${count - 1}`);
    return i;
  }
}

const ENTRY_KINDS: readonly EntryKind[] = ['EVENT', 'REJECTED'];
const REJECT_REASONS: readonly RejectReason[] = ['MALFORMED', 'UNKNOWN_SCHEMA', 'TOO_LARGE', 'BAD_SIGNATURE', 'MISSING_SIGNATURE', 'INVALID_EVENT'];

/** The chain id read last and its UTF-8 bytes (valid UTF-8 and text map one to one). */
let lastChainId: { bytes: Buffer; text: string } | undefined;

/**
 * Reads one `dev.auditseal.v1.SealedEntry` record (schemas/sealed-entry.v1.avsc,
 * field order as there) from untrusted bytes. Structure only: the verifier
 * checks semantics (FORMAT.md §9.2).
 */
export function readSealedEntry(r: AvroReader): SealedEntry {
  const chainId = r.string(lastChainId);
  if (lastChainId?.text !== chainId) lastChainId = { bytes: Buffer.from(chainId, 'utf8'), text: chainId };
  const seq = r.long();
  const kind = ENTRY_KINDS[r.index(ENTRY_KINDS.length, 'EntryKind')]!;
  const sourcePartition = r.int();
  const sourceOffset = r.long();
  const sourceTimestamp = r.long();
  const sealedAt = r.long();
  const key = r.index(2, 'key union') === 0 ? null : r.bytes();
  const value = r.bytes();
  const rejectReason = r.index(2, 'rejectReason union') === 0 ? null : REJECT_REASONS[r.index(REJECT_REASONS.length, 'RejectReason')]!;
  const rejectDetail = r.index(2, 'rejectDetail union') === 0 ? null : r.string();
  const prevHash = r.fixed(32);
  const hash = r.fixed(32);
  return { chainId, seq, kind, sourcePartition, sourceOffset, sourceTimestamp, sealedAt, key, value, rejectReason, rejectDetail, prevHash, hash };
}
