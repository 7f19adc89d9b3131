import { createRecordCodec } from './record-codec';
import { addChainIdIssues } from './sealed-entry';
import { ARCHIVE_RECORD_LIMITS } from './segment-manifest';
import { checkpointSchema } from './schemas';
import { checkByteLength, checkIdentifier, checkMin, type ValidationIssue } from './validation';

/** A signed chain head (schemas/checkpoint.v1.avsc). */
export interface CheckpointRecord {
  chainId: string;
  headSeq: number;
  /** 32 bytes. */
  headHash: Uint8Array;
  /** Milliseconds since the epoch. */
  time: number;
  keyId: string;
  signature: Uint8Array;
}

/** Exported for tests (record-codec-fast-path.test.ts); use the functions below. */
export const checkpointCodec = createRecordCodec<CheckpointRecord>({
  schema: checkpointSchema,
  what: 'checkpoint',
  defaultMaxBytes: ARCHIVE_RECORD_LIMITS.maxRecordBytes,
  addRuleIssues(c, issues) {
    addChainIdIssues(c.chainId, issues);
    checkMin(c.headSeq, ['headSeq'], 0, issues);
    checkMin(c.time, ['time'], 0, issues);
    checkIdentifier(c.keyId, ['keyId'], ARCHIVE_RECORD_LIMITS.maxKeyIdBytes, issues);
    checkByteLength(c.signature, ['signature'], 1, ARCHIVE_RECORD_LIMITS.maxSignatureBytes, issues);
  },
  toPlain: (raw) => ({
    chainId: raw.chainId,
    headSeq: raw.headSeq,
    headHash: raw.headHash,
    time: raw.time,
    keyId: raw.keyId,
    signature: raw.signature,
  }),
});

export function validateCheckpointRecord(value: unknown, maxBytes?: number): ValidationIssue[] {
  return checkpointCodec.validate(value, maxBytes);
}

/** Single-object encoding (audit.checkpoints values, checkpoint objects). Throws CodecError `invalid_record`. */
export function encodeCheckpointRecord(checkpoint: CheckpointRecord, maxBytes?: number): Buffer {
  return checkpointCodec.encode(checkpoint, maxBytes);
}

/** Decodes UNTRUSTED bytes. Throws only CodecError; no semantic checks. */
export function decodeCheckpointRecord(bytes: Uint8Array, maxBytes?: number): CheckpointRecord {
  return checkpointCodec.decode(bytes, maxBytes);
}
