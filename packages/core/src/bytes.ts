import { CoreError } from './errors';

/**
 * Byte helpers shared by every format in FORMAT.md §1. They are written in
 * plain JavaScript (no Buffer) so the portable verifier path runs anywhere;
 * none of them is on a hot path.
 */

const HEX_DIGITS = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!);

/** Lowercase hex, the only hex form AuditSeal writes (FORMAT.md §1). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_TABLE[bytes[i]!]!;
  return out;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Decodes hex (either case). Throws `invalid_encoding` on odd length or a
 * non-hex character; `expectedLength` (in bytes) is checked when given.
 */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) {
    throw new CoreError('invalid_encoding', 'hex must be a string of even length');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new CoreError('invalid_encoding', `invalid hex character near offset ${2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new CoreError('invalid_encoding', `expected ${expectedLength} bytes of hex, got ${out.length}`);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUES[B64.charCodeAt(i)] = i;

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Strict base64 decoder (RFC 4648 §4, padding required). Only the canonical
 * encoding is accepted — no whitespace, no URL alphabet, zero pad bits — so
 * every byte string has exactly one accepted text form (RFC 4648 §3.5).
 */
export function fromBase64(text: string, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw new CoreError('invalid_encoding', 'base64 length must be a multiple of 4');
  }
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      let v: number;
      if (last && j >= 4 - pad) {
        v = 0; // the '=' padding positions
      } else {
        v = code < 128 ? B64_VALUES[code]! : -1;
        if (v < 0) throw new CoreError('invalid_encoding', `invalid base64 character at offset ${i + j}`);
      }
      n = (n << 6) | v;
    }
    if (last && pad === 2 && (n & 0xffff) !== 0) throw new CoreError('invalid_encoding', 'non-canonical base64 (pad bits set)');
    if (last && pad === 1 && (n & 0xff) !== 0) throw new CoreError('invalid_encoding', 'non-canonical base64 (pad bits set)');
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new CoreError('invalid_encoding', `expected ${expectedLength} bytes of base64, got ${out.length}`);
  }
  return out;
}

const encoder = new TextEncoder();

/** ASCII/UTF-8 bytes of a string the caller has already validated. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Number of UTF-8 bytes of a well-formed string. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * True when the string has no lone surrogate, i.e. it has exactly one UTF-8
 * encoding. (TextEncoder would silently turn a lone surrogate into U+FFFD,
 * so two different strings would hash the same.)
 */
export function isWellFormedUnicode(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Concatenation (FORMAT.md's ‖). */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Constant-time equality for inputs of the same length: the time taken does
 * not depend on where the first difference is. Lengths are not secret (hashes
 * are 32 bytes), so a length mismatch returns early. The node backend uses
 * crypto.timingSafeEqual instead; this is the portable fallback.
 */
export function equalBytesPortable(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** True when `value` is a Uint8Array (Buffer included) of exactly `length` bytes. */
export function isBytes(value: unknown, length?: number): value is Uint8Array {
  return value instanceof Uint8Array && (length === undefined || value.length === length);
}
