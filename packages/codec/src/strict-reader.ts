import { isUtf8 } from 'node:buffer';
import { MAX_LONG } from './binary-scanner';

/**
 * The reader under codec's hand-written fast decoders (audit-event-reader.ts,
 * sealed-entry-reader.ts): Avro binary over UNTRUSTED bytes, exactly as
 * strict as the binary scanner (varints of at most 10 bytes and 64 bits,
 * 32-bit ints, longs within ±(2^53 − 2), union and enum indexes, lengths
 * within the input, valid UTF-8, map keys unique and never `__proto__`, block
 * sizes that match their items). It throws DECLINE at the first thing it does
 * not accept; `declining` turns that into undefined, and the caller then runs
 * the detailed decode, which decides and names the error. Bytes are views of
 * the input, as avsc's are.
 */

const TWO_POW_26 = 2 ** 26;
const TWO_POW_27 = 2 ** 27;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Node's Buffer#latin1Slice, which Buffer#toString('latin1', start, end)
 * calls after checking its arguments (as avsc calls utf8Slice): a third of
 * the cost of a short string. toString where it is missing.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Buffer, start: number, end: number) => string }).latin1Slice;

/** Thrown by StrictReader; `declining` turns it into undefined, so it never escapes a reader. */
export const DECLINE = Symbol('decline');

export class StrictReader {
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
    return this.fixed(this.long());
  }

  /** `length` bytes, a view of the input. */
  fixed(length: number): Buffer {
    if (length < 0 || length > this.buf.length - this.pos) throw DECLINE;
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A string whose bytes are often those of `cache` (a chain id in a stream of its entries): their text without decoding again. */
  cachedString(cache: { bytes: Buffer; text: string } | undefined): string {
    const start = this.pos;
    const length = this.long();
    if (cache && length === cache.bytes.length && length <= this.buf.length - this.pos && cache.bytes.equals(this.buf.subarray(this.pos, this.pos + length))) {
      this.pos += length;
      return cache.text;
    }
    this.pos = start;
    return this.string();
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

/** `read()`, or undefined when the reader declined. */
export function declining<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
