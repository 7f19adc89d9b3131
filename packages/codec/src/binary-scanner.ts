import { isUtf8 } from 'node:buffer';
import type { SchemaNode } from './avro-schema';
import { CodecError } from './errors';

/**
 * Bounded walk over Avro binary data (Avro specification, "Binary Encoding"),
 * run on UNTRUSTED bytes before avsc decodes them.
 *
 * avsc trusts its input: a forged block count makes it loop for as long as the
 * count says, a forged length makes it allocate or read far past the end, and an
 * unsafe long throws a plain Error. This walk checks every length and count
 * against the bytes actually present, bounds nesting, and proves the body is
 * exactly one value of the writer schema, so that avsc's decode afterwards is
 * linear in the input and cannot fail. Strictness beyond the spec's minimum:
 * booleans must be 0 or 1, strings valid UTF-8, map keys unique and never
 * `__proto__` (which a JavaScript object cannot hold faithfully), ints within
 * 32 bits, longs within ±(2^53 - 2), the range avsc reads exactly as JavaScript
 * numbers (FORMAT.md 8.3).
 */

export interface ScanResult {
  /** Byte ranges [start, end) of each top-level record field, in field order. */
  fieldSpans: Array<[number, number]>;
}

const MAX_DEPTH = 64;
const TWO_POW_26 = 2 ** 26;
const TWO_POW_27 = 2 ** 27;
/** avsc's exact range for longs read as JavaScript numbers: ±(2^53 - 2). */
export const MAX_LONG = 9007199254740990;

/**
 * Checks that `bytes[start..]` holds exactly one value of `root`. `sizeLimit` is the
 * largest input the caller accepts: a length or count that could not fit even in an
 * input of that size is reported as `malformed` rather than `truncated`.
 */
export function scanBinary(root: SchemaNode, bytes: Uint8Array, start: number, sizeLimit: number): ScanResult {
  const scanner = new Scanner(bytes, start, sizeLimit);
  const fieldSpans = scanner.scanRoot(root);
  if (scanner.pos !== bytes.length) {
    throw new CodecError('malformed', `${bytes.length - scanner.pos} trailing byte(s) after the value`, {
      details: { offset: scanner.pos },
    });
  }
  return { fieldSpans };
}

class Scanner {
  pos: number;
  private depth = 0;
  /** Bounds the number of zero-byte items (arrays of null, empty records) a forged count can claim. */
  private zeroSizeBudget: number;
  private readonly path: string[] = [];
  private readonly minSizes = new Map<SchemaNode, number>();

  constructor(
    private readonly buf: Uint8Array,
    start: number,
    private readonly sizeLimit: number,
  ) {
    this.pos = start;
    this.zeroSizeBudget = buf.length + 1024;
  }

  scanRoot(root: SchemaNode): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    if (root.kind !== 'record') {
      this.scan(root);
      return spans;
    }
    for (const field of root.fields) {
      const from = this.pos;
      this.path.push(field.name);
      this.scan(field.type);
      this.path.pop();
      spans.push([from, this.pos]);
    }
    return spans;
  }

  private scan(node: SchemaNode): void {
    switch (node.kind) {
      case 'null':
        return;
      case 'boolean': {
        const b = this.byte();
        if (b > 1) throw this.malformed(`boolean byte is ${b}, not 0 or 1`);
        return;
      }
      case 'int':
        this.varint('int');
        return;
      case 'long':
        this.varint('long');
        return;
      case 'float':
        this.skip(4);
        return;
      case 'double':
        this.skip(8);
        return;
      case 'bytes':
        this.skip(this.length());
        return;
      case 'string':
        this.string(false);
        return;
      case 'fixed':
        this.skip(node.size);
        return;
      case 'enum': {
        const index = this.varint('int');
        if (index < 0 || index >= node.symbols.length) throw this.malformed(`enum index ${index} out of range`);
        return;
      }
      case 'union': {
        const index = this.varint('int');
        const branch = node.branches[index];
        if (index < 0 || branch === undefined) throw this.malformed(`union branch ${index} out of range`);
        this.nested(() => this.scan(branch));
        return;
      }
      case 'record':
        this.nested(() => {
          for (const field of node.fields) {
            this.path.push(field.name);
            this.scan(field.type);
            this.path.pop();
          }
        });
        return;
      case 'array':
        this.nested(() => this.blocks(this.minSize(node.items), () => this.scan(node.items)));
        return;
      case 'map':
        this.nested(() => {
          const keys = new Set<string>();
          this.blocks(1 + this.minSize(node.values), () => {
            const key = this.string(true);
            if (key === '__proto__') throw this.malformed('map key "__proto__" is not accepted');
            if (keys.has(key)) throw this.malformed(`map key ${JSON.stringify(key)} appears twice`);
            keys.add(key);
            this.path.push(key);
            this.scan(node.values);
            this.path.pop();
          });
        });
        return;
    }
  }

  /** Array and map blocks: count (negative: followed by the block's byte size), items, until a zero count. */
  private blocks(minItemSize: number, item: () => void): void {
    for (;;) {
      let count = this.varint('long');
      if (count === 0) return;
      let blockEnd: number | undefined;
      if (count < 0) {
        count = -count;
        const size = this.length();
        this.need(size);
        blockEnd = this.pos + size;
      }
      if (minItemSize > 0) {
        this.need(count * minItemSize);
      } else {
        this.zeroSizeBudget -= count;
        if (this.zeroSizeBudget < 0) throw this.malformed(`block claims ${count} items, more than the input can justify`);
      }
      for (let i = 0; i < count; i++) item();
      if (blockEnd !== undefined && this.pos !== blockEnd) {
        throw this.malformed(`block size says it ends at byte ${blockEnd}, its items end at ${this.pos}`);
      }
    }
  }

  private nested(scan: () => void): void {
    if (++this.depth > MAX_DEPTH) throw this.malformed(`value nests deeper than ${MAX_DEPTH} levels`);
    scan();
    this.depth--;
  }

  /** Checks a string; returns its text only when asked (map keys), to keep the walk cheap. */
  private string(decode: true): string;
  private string(decode: false): void;
  private string(decode: boolean): string | void {
    const length = this.length();
    this.need(length);
    const bytes = this.buf.subarray(this.pos, this.pos + length);
    if (!isUtf8(bytes)) throw this.malformed('string is not valid UTF-8');
    this.pos += length;
    if (decode) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  private length(): number {
    const length = this.varint('long');
    if (length < 0) throw this.malformed(`negative length ${length}`);
    return length;
  }

  private skip(count: number): void {
    this.need(count);
    this.pos += count;
  }

  private need(count: number): void {
    const available = this.buf.length - this.pos;
    if (count <= available) return;
    if (this.pos + count > this.sizeLimit) {
      throw this.malformed(`length or count needs ${count} bytes, beyond the ${this.sizeLimit}-byte limit`);
    }
    throw this.truncated(`needs ${count} more bytes, ${available} left`);
  }

  private byte(): number {
    const b = this.buf[this.pos];
    if (b === undefined) throw this.truncated('needs 1 more byte, 0 left');
    this.pos++;
    return b;
  }

  /** Zig-zag varint (Avro "int" and "long"), exact for every value JavaScript numbers hold exactly. */
  private varint(kind: 'int' | 'long'): number {
    const start = this.pos;
    let lo = 0; // bits 0..27 of the zig-zag value
    let hi = 0; // bits 28..63
    for (let i = 0; ; i++) {
      const b = this.byte();
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else hi += (b & 0x7f) * 2 ** (7 * (i - 4));
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw this.malformed('varint exceeds 64 bits', start);
        break;
      }
      if (i === 9) throw this.malformed('varint longer than 10 bytes', start);
    }
    // value = (z >>> 1) ^ -(z & 1) with z = hi * 2^28 + lo.
    if (hi >= TWO_POW_26) throw this.outOfRange(start);
    const magnitude = hi * TWO_POW_27 + (lo >>> 1);
    const value = lo & 1 ? -(magnitude + 1) : magnitude;
    if (value > MAX_LONG || value < -MAX_LONG) throw this.outOfRange(start);
    if (kind === 'int' && (value < -0x80000000 || value > 0x7fffffff)) throw this.malformed(`int ${value} exceeds 32 bits`, start);
    return value;
  }

  /** Fewest bytes one value of `node` can take; bounds what a block count may claim. */
  private minSize(node: SchemaNode): number {
    const known = this.minSizes.get(node);
    if (known !== undefined) return known;
    this.minSizes.set(node, 0); // recursion guard: a recursive record is at least its other fields
    let size: number;
    switch (node.kind) {
      case 'null':
        size = 0;
        break;
      case 'float':
        size = 4;
        break;
      case 'double':
        size = 8;
        break;
      case 'fixed':
        size = node.size;
        break;
      case 'record':
        size = node.fields.reduce((sum, field) => sum + this.minSize(field.type), 0);
        break;
      default:
        size = 1; // boolean, varints, lengths, union index, block terminator
    }
    this.minSizes.set(node, size);
    return size;
  }

  private where(): string {
    return this.path.length === 0 ? '' : ` (in ${this.path.join('.')})`;
  }

  private malformed(message: string, offset = this.pos): CodecError {
    return new CodecError('malformed', `${message}${this.where()}`, { details: { offset } });
  }

  private truncated(message: string): CodecError {
    return new CodecError('truncated', `input ends early: ${message} at byte ${this.pos}${this.where()}`, {
      details: { offset: this.pos },
    });
  }

  private outOfRange(offset: number): CodecError {
    return new CodecError('long_out_of_range', `long beyond ±(2^53 - 2), which this codec does not round${this.where()}`, {
      details: { offset },
    });
  }
}
