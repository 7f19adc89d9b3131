import { CodecError } from './errors';
import { createRecordCodec } from './record-codec';
import { sealedEntrySchema } from './schemas';
import { readSealedEntryFast } from './sealed-entry-reader';
import { MAX_LONG } from './binary-scanner';
import { checkIdentifier, checkMin, checkText, MIN_WRITABLE_LONG, type IssueSink, type ValidationIssue } from './validation';

export type EntryKind = 'EVENT' | 'REJECTED';

/** Why a record of audit.events became a REJECTED entry (schemas/sealed-entry.v1.avsc). */
export type RejectReason = 'MALFORMED' | 'UNKNOWN_SCHEMA' | 'TOO_LARGE' | 'BAD_SIGNATURE' | 'MISSING_SIGNATURE' | 'INVALID_EVENT';

/**
 * One chain entry (schemas/sealed-entry.v1.avsc): the value of an audit.sealed
 * record and one record of an archived segment. Longs are JavaScript numbers
 * (exact to 2^53). Decoded entries hold Buffers.
 */
export interface SealedEntry {
  chainId: string;
  seq: number;
  kind: EntryKind;
  sourcePartition: number;
  sourceOffset: number;
  /** Kafka timestamp of the source record, milliseconds since the epoch. */
  sourceTimestamp: number;
  /** Microseconds since the epoch. */
  sealedAt: number;
  /** Kafka key of the source record, verbatim; null when it had none. */
  key: Uint8Array | null;
  /** Kafka value of the source record, verbatim. */
  value: Uint8Array;
  rejectReason: RejectReason | null;
  rejectDetail: string | null;
  /** 32 bytes. */
  prevHash: Uint8Array;
  /** 32 bytes. */
  hash: Uint8Array;
}

/** Limits on sealed entries (FORMAT.md 9.2). */
export const SEALED_ENTRY_LIMITS = Object.freeze({
  /** Whole single-object encoding; room for any source record a default-configured broker accepts. */
  maxEntryBytes: 8 * 1024 * 1024,
  maxChainIdBytes: 1024,
  /** Same bound as the entry body (FORMAT.md §3), which hashes this field. */
  maxRejectDetailBytes: 1024,
});

/** Exported for tests (record-codec-fast-path.test.ts); use the functions below. */
export const sealedEntryCodec = createRecordCodec<SealedEntry>({
  schema: sealedEntrySchema,
  what: 'sealed entry',
  defaultMaxBytes: SEALED_ENTRY_LIMITS.maxEntryBytes,
  addRuleIssues(entry, issues) {
    addChainIdIssues(entry.chainId, issues);
    checkMin(entry.seq, ['seq'], 0, issues);
    checkMin(entry.sourcePartition, ['sourcePartition'], 0, issues);
    checkMin(entry.sourceOffset, ['sourceOffset'], 0, issues);
    checkMin(entry.sealedAt, ['sealedAt'], 0, issues);
    checkText(entry.rejectDetail, ['rejectDetail'], SEALED_ENTRY_LIMITS.maxRejectDetailBytes, issues);
    if (entry.kind === 'EVENT') {
      if (entry.rejectReason != null) issues.add(['rejectReason'], 'must be null for an EVENT entry');
      if (entry.rejectDetail != null) issues.add(['rejectDetail'], 'must be null for an EVENT entry');
    } else if (entry.kind === 'REJECTED' && entry.rejectReason == null) {
      issues.add(['rejectReason'], 'is required for a REJECTED entry');
    }
  },
  toPlain: (raw) => ({
    chainId: raw.chainId,
    seq: raw.seq,
    kind: raw.kind,
    sourcePartition: raw.sourcePartition,
    sourceOffset: raw.sourceOffset,
    sourceTimestamp: raw.sourceTimestamp,
    sealedAt: raw.sealedAt,
    key: raw.key ?? null,
    value: raw.value,
    rejectReason: raw.rejectReason ?? null,
    rejectDetail: raw.rejectDetail ?? null,
    prevHash: raw.prevHash,
    hash: raw.hash,
  }),
});

export function addChainIdIssues(chainId: unknown, issues: IssueSink): void {
  checkIdentifier(chainId, ['chainId'], SEALED_ENTRY_LIMITS.maxChainIdBytes, issues);
}

/** Every problem with `value` as a SealedEntry (types, unknown fields, FORMAT.md 9.2 rules, size). */
export function validateSealedEntry(value: unknown, maxBytes?: number): ValidationIssue[] {
  return sealedEntryCodec.validate(value, maxBytes);
}

/** Single-object encoding for audit.sealed. Throws CodecError `invalid_record` listing every issue. */
export function encodeSealedEntry(entry: SealedEntry, maxBytes?: number): Buffer {
  return sealedEntryCodec.encode(entry, maxBytes);
}

/**
 * Decodes an UNTRUSTED audit.sealed record value. Throws only CodecError:
 * `too_large`, `not_single_object`, `truncated`, `unknown_fingerprint` (not a
 * SealedEntry v1), `malformed`, `long_out_of_range`. Does not apply the rules of
 * validateSealedEntry (the verifier checks and reports those).
 */
export function decodeSealedEntry(bytes: Uint8Array, maxBytes?: number): SealedEntry {
  const fast = Number.isSafeInteger(maxBytes ?? 0) ? readSealedEntryFast(bytes, sealedEntrySchema.fingerprint, maxBytes ?? SEALED_ENTRY_LIMITS.maxEntryBytes) : undefined;
  return fast ?? sealedEntryCodec.decode(bytes, maxBytes);
}

/**
 * The Kafka record timestamps a sealed entry holds as they are (ms). Kafka
 * refuses timestamps far in the future but not in the past, so a producer can
 * write any negative CreateTime; below MIN_WRITABLE_LONG an entry cannot hold
 * it exactly (FORMAT.md §8.3, §9.3).
 */
export const SOURCE_TIMESTAMP_RANGE = Object.freeze({ min: MIN_WRITABLE_LONG, max: MAX_LONG });

/**
 * The `sourceTimestamp` of the entry for a record with this Kafka timestamp:
 * the timestamp itself, or −1 (Kafka's "no timestamp") when it is outside
 * SOURCE_TIMESTAMP_RANGE — the chainer then seals the record as REJECTED,
 * MALFORMED, and the verifier expects exactly that.
 */
export function sourceTimestampOf(kafkaTimestampMs: number): number {
  return Number.isInteger(kafkaTimestampMs) && kafkaTimestampMs >= SOURCE_TIMESTAMP_RANGE.min && kafkaTimestampMs <= SOURCE_TIMESTAMP_RANGE.max ? kafkaTimestampMs : -1;
}

/**
 * The reject reason the chainer records for an audit.events value that failed
 * to decode (FORMAT.md 9.3). Signature failures are decided by the chainer, not here.
 */
export function rejectReasonFor(error: unknown): RejectReason {
  if (!(error instanceof CodecError)) return 'MALFORMED';
  switch (error.code) {
    case 'unknown_fingerprint':
      return 'UNKNOWN_SCHEMA';
    case 'too_large':
      return 'TOO_LARGE';
    case 'invalid_event':
      return 'INVALID_EVENT';
    default:
      return 'MALFORMED';
  }
}
