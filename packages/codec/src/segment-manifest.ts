import { createRecordCodec } from './record-codec';
import { addChainIdIssues } from './sealed-entry';
import { segmentManifestSchema } from './schemas';
import { checkByteLength, checkIdentifier, checkMin, type ValidationIssue } from './validation';

/**
 * The manifest beside an archived segment (schemas/segment-manifest.v1.avsc).
 * Named ...Record to keep it apart from the archive package's richer types.
 */
export interface SegmentManifestRecord {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
  entryCount: number;
  /** 32 bytes: chain hash before firstSeq. */
  prevHash: Uint8Array;
  /** 32 bytes: chain hash of lastSeq. */
  headHash: Uint8Array;
  /** 32 bytes: RFC 6962 root over the segment's entry hashes. */
  merkleRoot: Uint8Array;
  segmentKey: string;
  /** 32 bytes. */
  segmentSha256: Uint8Array;
  segmentBytes: number;
  lockMode: string;
  /** Milliseconds since the epoch. */
  retainUntil: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  keyId: string;
  signature: Uint8Array;
}

/** Limits on archive records (FORMAT.md 9.4). */
export const ARCHIVE_RECORD_LIMITS = Object.freeze({
  maxRecordBytes: 64 * 1024,
  maxSegmentKeyBytes: 1024,
  maxKeyIdBytes: 256,
  maxSignatureBytes: 512,
});

/** Exported for tests (record-codec-fast-path.test.ts); use the functions below. */
export const segmentManifestCodec = createRecordCodec<SegmentManifestRecord>({
  schema: segmentManifestSchema,
  what: 'segment manifest',
  defaultMaxBytes: ARCHIVE_RECORD_LIMITS.maxRecordBytes,
  addRuleIssues(m, issues) {
    addChainIdIssues(m.chainId, issues);
    checkMin(m.firstSeq, ['firstSeq'], 0, issues);
    checkMin(m.lastSeq, ['lastSeq'], 0, issues);
    checkMin(m.entryCount, ['entryCount'], 1, issues);
    if ([m.firstSeq, m.lastSeq, m.entryCount].every(Number.isSafeInteger) && m.entryCount !== m.lastSeq - m.firstSeq + 1) {
      issues.add(['entryCount'], `must equal lastSeq - firstSeq + 1 (${m.lastSeq - m.firstSeq + 1})`);
    }
    checkIdentifier(m.segmentKey, ['segmentKey'], ARCHIVE_RECORD_LIMITS.maxSegmentKeyBytes, issues);
    checkMin(m.segmentBytes, ['segmentBytes'], 0, issues);
    checkIdentifier(m.lockMode, ['lockMode'], 64, issues);
    checkMin(m.retainUntil, ['retainUntil'], 0, issues);
    checkMin(m.createdAt, ['createdAt'], 0, issues);
    checkIdentifier(m.keyId, ['keyId'], ARCHIVE_RECORD_LIMITS.maxKeyIdBytes, issues);
    checkByteLength(m.signature, ['signature'], 1, ARCHIVE_RECORD_LIMITS.maxSignatureBytes, issues);
  },
  toPlain: (raw) => ({
    chainId: raw.chainId,
    firstSeq: raw.firstSeq,
    lastSeq: raw.lastSeq,
    entryCount: raw.entryCount,
    prevHash: raw.prevHash,
    headHash: raw.headHash,
    merkleRoot: raw.merkleRoot,
    segmentKey: raw.segmentKey,
    segmentSha256: raw.segmentSha256,
    segmentBytes: raw.segmentBytes,
    lockMode: raw.lockMode,
    retainUntil: raw.retainUntil,
    createdAt: raw.createdAt,
    keyId: raw.keyId,
    signature: raw.signature,
  }),
});

export function validateSegmentManifestRecord(value: unknown, maxBytes?: number): ValidationIssue[] {
  return segmentManifestCodec.validate(value, maxBytes);
}

/** Single-object encoding. Throws CodecError `invalid_record` listing every issue. */
export function encodeSegmentManifestRecord(manifest: SegmentManifestRecord, maxBytes?: number): Buffer {
  return segmentManifestCodec.encode(manifest, maxBytes);
}

/** Decodes UNTRUSTED bytes (an object read from the bucket). Throws only CodecError; no semantic checks. */
export function decodeSegmentManifestRecord(bytes: Uint8Array, maxBytes?: number): SegmentManifestRecord {
  return segmentManifestCodec.decode(bytes, maxBytes);
}
