import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { CodecError, parsingCanonicalForm, schemas, type SealedEntry } from '@auditseal/codec';
import { AvroReader, readSealedEntry } from './avro-binary';
import { ArchiveError } from './errors';

/**
 * Segments (FORMAT.md §10.2): Avro Object Container Files (Avro
 * specification, "Object Container Files") of `dev.auditseal.v1.SealedEntry`
 * records, codec `deflate` (raw RFC 1951 data, no zlib header or checksum, as
 * the specification requires), readable by any Avro tool.
 *
 * Output is deterministic — the same entries always give the same bytes —
 * because an archiver that crashed between writing a segment and its
 * manifest rewrites the segment, and the store accepts a rewrite only when it
 * is byte-identical (DESIGN.md "Archive layout"). So: the 16-byte sync marker
 * is derived from the first entry's chain hash instead of being random,
 * metadata is written in a fixed order, blocks are cut at a fixed
 * uncompressed size, and deflate runs at a fixed level and strategy.
 */

export const SEGMENT_FORMAT = 'auditseal/v1/segment';
const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const SYNC_TAG = Buffer.from('auditseal/v1/segment-sync\n', 'utf8');
export const SYNC_BYTES = 16;
/** Records are grouped into blocks of at least this many uncompressed bytes (the last block may be smaller). */
export const BLOCK_TARGET_BYTES = 256 * 1024;
const DEFLATE_OPTIONS = { level: 6, memLevel: 8, windowBits: 15, strategy: zlibConstants.Z_DEFAULT_STRATEGY };
const deflateRawAsync = promisify(deflateRaw);

/** Limits a reader applies to untrusted segments. */
export const SEGMENT_LIMITS = Object.freeze({
  /** Largest segment object read (the archiver's default maximum is 64 MiB; room for that). */
  maxSegmentBytes: 256 * 1024 * 1024,
  /** Largest decompressed block. */
  maxBlockBytes: 64 * 1024 * 1024,
  /** Largest total of decompressed bytes (a deflate bomb stops here). */
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxMetadataEntries: 64,
  maxMetadataValueBytes: 1024 * 1024,
});

/** The sync marker of a segment whose first entry has chain hash `firstHash`. */
export function segmentSyncMarker(firstHash: Uint8Array): Buffer {
  if (!(firstHash instanceof Uint8Array) || firstHash.length !== 32) throw new ArchiveError('invalid_argument', 'firstHash must be 32 bytes');
  return createHash('sha256').update(SYNC_TAG).update(firstHash).digest().subarray(0, SYNC_BYTES);
}

function zigzagVarint(value: number): Buffer {
  if (!Number.isSafeInteger(value)) throw new ArchiveError('invalid_argument', `not a safe integer: ${value}`);
  let n = value >= 0 ? BigInt(value) * 2n : BigInt(-value) * 2n - 1n;
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}

function avroString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([zigzagVarint(bytes.length), bytes]);
}

/** The metadata a segment's header carries, in the order it is written. */
export interface SegmentHeaderInfo {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
}

export interface EncodeSegmentInput extends SegmentHeaderInfo {
  /** Chain hash of the first entry: seeds the sync marker. */
  firstHash: Uint8Array;
  /** Each entry as plain Avro binary of SealedEntry v1 (a sealed record's value without its 10-byte single-object header). */
  records: readonly Uint8Array[];
}

/** The writer schema JSON of every segment (schemas/sealed-entry.v1.avsc, as text). */
export const SEGMENT_SCHEMA_JSON = JSON.stringify(schemas.sealedEntry.json);

function headerBytes(info: SegmentHeaderInfo, sync: Buffer): Buffer {
  const meta: Array<[string, string]> = [
    ['avro.schema', SEGMENT_SCHEMA_JSON],
    ['avro.codec', 'deflate'],
    ['auditseal.format', SEGMENT_FORMAT],
    ['auditseal.chainId', info.chainId],
    ['auditseal.firstSeq', String(info.firstSeq)],
    ['auditseal.lastSeq', String(info.lastSeq)],
  ];
  const parts: Buffer[] = [MAGIC, zigzagVarint(meta.length)];
  for (const [key, value] of meta) parts.push(avroString(key), avroString(value));
  parts.push(zigzagVarint(0), sync);
  return Buffer.concat(parts);
}

/**
 * Encodes a segment. Deterministic: equal input, equal bytes (on one zlib
 * build; see FORMAT.md §10.2 on what a reader may rely on).
 */
export async function encodeSegment(input: EncodeSegmentInput): Promise<Buffer> {
  if (input.records.length === 0) throw new ArchiveError('invalid_argument', 'a segment holds at least one entry');
  if (input.records.length !== input.lastSeq - input.firstSeq + 1) {
    throw new ArchiveError('invalid_argument', `${input.records.length} records for seqs ${input.firstSeq}..${input.lastSeq}`);
  }
  const sync = segmentSyncMarker(input.firstHash);
  const parts: Buffer[] = [headerBytes(input, sync)];
  let start = 0;
  while (start < input.records.length) {
    let end = start;
    let size = 0;
    while (end < input.records.length && size < BLOCK_TARGET_BYTES) size += input.records[end++]!.length;
    const raw = Buffer.concat(input.records.slice(start, end) as Uint8Array[], size);
    const compressed = await deflateRawAsync(raw, DEFLATE_OPTIONS);
    parts.push(zigzagVarint(end - start), zigzagVarint(compressed.length), compressed, sync);
    start = end;
  }
  return Buffer.concat(parts);
}

/** Plain Avro binary of a SealedEntry (for callers that hold decoded entries rather than record bytes). */
export function sealedEntryAvroBinary(entry: SealedEntry): Buffer {
  const buf = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
  return schemas.sealedEntry.type.toBuffer({
    ...entry,
    key: entry.key === null ? null : buf(entry.key),
    value: buf(entry.value),
    prevHash: buf(entry.prevHash),
    hash: buf(entry.hash),
  });
}

export interface ParsedSegment {
  /** Header metadata, values as UTF-8 text where they decode, else hex. */
  metadata: Record<string, string>;
  codec: 'deflate' | 'null';
  sync: Buffer;
  entries: SealedEntry[];
  /**
   * Each entry's record as stored: its plain Avro binary (a sealed record's
   * value without the single-object header), parallel to `entries`. Views of
   * the decompressed blocks, not copies.
   */
  records: Uint8Array[];
  blocks: number;
}

export interface ReadSegmentOptions {
  maxSegmentBytes?: number;
  maxBlockBytes?: number;
  maxDecompressedBytes?: number;
}

let expectedCanonicalForm: string | undefined;

/**
 * Parses an UNTRUSTED segment object (from a bucket or a disk). Throws only
 * ArchiveError: `too_large`, `truncated`, `malformed` (magic, metadata, sync,
 * block, record), `unsupported` (a writer schema other than SealedEntry v1,
 * a codec other than deflate/null). Time and memory are bounded by the
 * limits; decompression stops at maxBlockBytes per block.
 */
export function readSegment(bytes: Uint8Array, options: ReadSegmentOptions = {}): ParsedSegment {
  try {
    return readSegmentUnchecked(bytes, options);
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError('malformed', `segment does not parse: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

function readSegmentUnchecked(bytes: Uint8Array, options: ReadSegmentOptions): ParsedSegment {
  const maxSegmentBytes = options.maxSegmentBytes ?? SEGMENT_LIMITS.maxSegmentBytes;
  const maxBlockBytes = options.maxBlockBytes ?? SEGMENT_LIMITS.maxBlockBytes;
  const maxDecompressed = options.maxDecompressedBytes ?? SEGMENT_LIMITS.maxDecompressedBytes;
  if (!(bytes instanceof Uint8Array)) throw new ArchiveError('malformed', 'segment is not a byte array');
  if (bytes.length > maxSegmentBytes) throw new ArchiveError('too_large', `segment of ${bytes.length} bytes exceeds the ${maxSegmentBytes}-byte limit`);
  const r = new AvroReader(bytes);
  if (bytes.length < MAGIC.length) throw new ArchiveError('truncated', 'segment is shorter than the Avro magic');
  if (!MAGIC.equals(bytes.subarray(0, 4))) throw new ArchiveError('malformed', 'not an Avro object container file (bad magic)');
  r.pos = 4;
  // File metadata: a map<bytes> in blocks (a negative count is followed by the block's byte size).
  const raw = new Map<string, Buffer>();
  for (;;) {
    let count = r.long();
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      r.length('metadata block');
    }
    if (raw.size + count > SEGMENT_LIMITS.maxMetadataEntries) throw r.fail('malformed', `more than ${SEGMENT_LIMITS.maxMetadataEntries} metadata entries`);
    for (let i = 0; i < count; i++) {
      const key = r.string();
      const value = r.bytes();
      if (value.length > SEGMENT_LIMITS.maxMetadataValueBytes) throw r.fail('malformed', `metadata value ${key} is too large`);
      if (raw.has(key)) throw r.fail('malformed', `metadata key ${key} appears twice`);
      raw.set(key, value);
    }
  }
  const sync = r.fixed(SYNC_BYTES);
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of raw) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      text = value.toString('hex');
    }
    metadata[key] = text;
  }
  const schemaText = raw.get('avro.schema');
  if (!schemaText) throw new ArchiveError('malformed', 'segment header has no avro.schema');
  let canonical: string;
  try {
    canonical = parsingCanonicalForm(JSON.parse(schemaText.toString('utf8')));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof CodecError) throw new ArchiveError('malformed', 'avro.schema is not a valid Avro schema', { cause: error });
    throw error;
  }
  expectedCanonicalForm ??= parsingCanonicalForm(schemas.sealedEntry.json);
  if (canonical !== expectedCanonicalForm) {
    throw new ArchiveError('unsupported', 'segment writer schema is not dev.auditseal.v1.SealedEntry v1', { details: { canonicalForm: canonical.slice(0, 300) } });
  }
  const codecName = raw.get('avro.codec')?.toString('utf8') ?? 'null';
  if (codecName !== 'deflate' && codecName !== 'null') throw new ArchiveError('unsupported', `Avro codec ${JSON.stringify(codecName.slice(0, 40))} is not supported`);
  // A block is cut at BLOCK_TARGET_BYTES plus its last record: with room for that, it inflates into one
  // chunk (zlib's default of 16 KiB took a dozen chunks and a copy of them all, three times the cost).
  const inflateChunk = Math.max(zlibConstants.Z_MIN_CHUNK, Math.min(maxBlockBytes, BLOCK_TARGET_BYTES + 64 * 1024));
  const entries: SealedEntry[] = [];
  const records: Uint8Array[] = [];
  let blocks = 0;
  let decompressedTotal = 0;
  while (r.pos < bytes.length) {
    const blockStart = r.pos;
    const count = r.long();
    if (count < 0) throw r.fail('malformed', 'negative block count');
    const size = r.length('block');
    const data = bytes.subarray(r.pos, r.pos + size);
    r.pos += size;
    const blockSync = r.fixed(SYNC_BYTES);
    if (!blockSync.equals(sync)) throw new ArchiveError('malformed', `block at byte ${blockStart} does not end with the sync marker`, { details: { offset: blockStart } });
    // Every record takes at least 70 bytes (two 32-byte hashes and six other fields): a count beyond that is forged.
    let plain: Uint8Array = data;
    if (codecName === 'deflate') {
      try {
        plain = inflateRawSync(data, { maxOutputLength: maxBlockBytes, chunkSize: inflateChunk });
      } catch (error) {
        throw new ArchiveError('malformed', `block at byte ${blockStart} does not inflate (or exceeds ${maxBlockBytes} bytes)`, { cause: error, details: { offset: blockStart } });
      }
    }
    decompressedTotal += plain.length;
    if (decompressedTotal > maxDecompressed) throw new ArchiveError('too_large', `segment decompresses to more than ${maxDecompressed} bytes`);
    if (count > plain.length / 70) throw new ArchiveError('malformed', `block at byte ${blockStart} claims ${count} records in ${plain.length} bytes`, { details: { offset: blockStart } });
    const br = new AvroReader(plain, 0, plain.length, 0);
    for (let i = 0; i < count; i++) {
      const start = br.pos;
      entries.push(readSealedEntry(br));
      records.push(plain.subarray(start, br.pos));
    }
    if (br.pos !== plain.length) throw new ArchiveError('malformed', `block at byte ${blockStart} has ${plain.length - br.pos} bytes after its ${count} records`, { details: { offset: blockStart } });
    blocks++;
  }
  return { metadata, codec: codecName, sync, entries, records, blocks };
}
