import type { Type } from 'avsc';
import { CodecError } from './errors';
import { formatFingerprint } from './crc64-avro';

/**
 * Avro single-object encoding (Avro specification, "Single object encoding"):
 * the two marker bytes 0xC3 0x01, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema's Parsing Canonical Form, then the Avro
 * binary encoding of the value.
 */
export const SINGLE_OBJECT_MARKER: readonly [number, number] = [0xc3, 0x01];
export const SINGLE_OBJECT_HEADER_BYTES = 10;

/** The 10-byte header for a writer schema with this fingerprint. */
export function singleObjectHeader(fingerprint: bigint): Buffer {
  const header = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_BYTES);
  header[0] = SINGLE_OBJECT_MARKER[0];
  header[1] = SINGLE_OBJECT_MARKER[1];
  header.writeBigUInt64LE(fingerprint, 2);
  return header;
}

/** Header followed by `body`, in one buffer. */
export function encodeSingleObject(fingerprint: bigint, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_BYTES + body.length);
  singleObjectHeader(fingerprint).copy(out, 0);
  out.set(body, SINGLE_OBJECT_HEADER_BYTES);
  return out;
}

/**
 * Encodes values already known to be valid for `type` as single objects, in
 * one buffer of the exact size each: avsc writes into a scratch buffer that
 * starts with the header, the result is copied out. Values that do not fit
 * the scratch buffer get a buffer of their own size, and the scratch buffer
 * grows (up to `maxScratchBytes`) for the next ones. Returns undefined when
 * the encoding would exceed `limit` bytes. Encoding is synchronous, so one
 * scratch buffer per encoder is enough.
 */
export function createSingleObjectEncoder(type: Type, fingerprint: bigint, maxScratchBytes: number): (valid: unknown, limit: number) => Buffer | undefined {
  const header = singleObjectHeader(fingerprint);
  const withHeader = (buffer: Buffer) => {
    header.copy(buffer, 0);
    return buffer;
  };
  let scratch = withHeader(Buffer.allocUnsafe(Math.min(16 * 1024, maxScratchBytes)));
  return (valid, limit) => {
    const end = type.encode(valid, scratch, SINGLE_OBJECT_HEADER_BYTES);
    if (end > 0) {
      if (end > limit) return undefined;
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    }
    // avsc returns minus the number of bytes missing.
    const size = scratch.length - end;
    if (size > limit) return undefined;
    const out = withHeader(Buffer.allocUnsafe(size));
    const written = type.encode(valid, out, SINGLE_OBJECT_HEADER_BYTES);
    if (written !== size) throw new Error(`avsc encoded ${written} bytes of a value it sized at ${size}`);
    if (size <= maxScratchBytes) scratch = withHeader(Buffer.allocUnsafe(Math.min(maxScratchBytes, Math.max(size, scratch.length * 2))));
    return out;
  };
}

/**
 * Reads the header of UNTRUSTED bytes: the writer fingerprint and where the body
 * starts. Throws CodecError `too_large`, `truncated` or `not_single_object`.
 */
export function readSingleObjectHeader(bytes: Uint8Array, maxBytes: number): { fingerprint: bigint; bodyOffset: number } {
  if (bytes.length > maxBytes) {
    throw new CodecError('too_large', `${bytes.length} bytes exceed the ${maxBytes}-byte limit`, {
      details: { length: bytes.length, maxBytes },
    });
  }
  // The marker is checked on whatever bytes are present, so that garbage is called
  // garbage rather than "truncated" when it is short.
  for (let i = 0; i < 2; i++) {
    if (i >= bytes.length) break;
    if (bytes[i] !== SINGLE_OBJECT_MARKER[i]) {
      throw new CodecError('not_single_object', 'input does not start with the Avro single-object marker 0xC3 0x01', {
        details: { firstBytes: Buffer.from(bytes.subarray(0, 2)).toString('hex') },
      });
    }
  }
  if (bytes.length < SINGLE_OBJECT_HEADER_BYTES) {
    throw new CodecError('truncated', `input ends within the ${SINGLE_OBJECT_HEADER_BYTES}-byte single-object header`, {
      details: { length: bytes.length },
    });
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { fingerprint: view.readBigUInt64LE(2), bodyOffset: SINGLE_OBJECT_HEADER_BYTES };
}

export function unknownFingerprint(fingerprint: bigint, what: string, expected?: bigint): CodecError {
  return new CodecError('unknown_fingerprint', `no known ${what} writer schema has fingerprint ${formatFingerprint(fingerprint)}`, {
    details: {
      fingerprint: formatFingerprint(fingerprint),
      ...(expected === undefined ? {} : { expected: formatFingerprint(expected) }),
    },
  });
}
