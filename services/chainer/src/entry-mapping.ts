import type { SealedEntry as WireEntry, RejectReason as WireRejectReason } from '@auditseal/codec';
import type { RejectReason, SealedEntry as CoreEntry } from '@auditseal/core';

/**
 * The same sealed entry has two shapes: the Avro record on audit.sealed
 * (codec, FORMAT.md §9: upper-case enums, `sourceTimestamp`, `sealedAt`) and
 * the fields core hashes (FORMAT.md §3–4: lower-case kinds and reasons,
 * `sourceTimestampMs`, `sealedAtMicros`). These two functions are the only
 * place that maps one onto the other.
 */

const TO_WIRE: Readonly<Record<Exclude<RejectReason, 'none'>, WireRejectReason>> = {
  malformed: 'MALFORMED',
  unknown_schema: 'UNKNOWN_SCHEMA',
  too_large: 'TOO_LARGE',
  bad_signature: 'BAD_SIGNATURE',
  missing_signature: 'MISSING_SIGNATURE',
  invalid_event: 'INVALID_EVENT',
};

const FROM_WIRE: Readonly<Record<WireRejectReason, Exclude<RejectReason, 'none'>>> = {
  MALFORMED: 'malformed',
  UNKNOWN_SCHEMA: 'unknown_schema',
  TOO_LARGE: 'too_large',
  BAD_SIGNATURE: 'bad_signature',
  MISSING_SIGNATURE: 'missing_signature',
  INVALID_EVENT: 'invalid_event',
};

export function wireRejectReason(reason: Exclude<RejectReason, 'none'>): WireRejectReason {
  return TO_WIRE[reason];
}

/** The fields core hashes and verifies, from a decoded audit.sealed record. */
export function toCoreEntry(entry: WireEntry): CoreEntry {
  return {
    chainId: entry.chainId,
    seq: entry.seq,
    prevHash: entry.prevHash,
    hash: entry.hash,
    kind: entry.kind === 'EVENT' ? 'event' : 'rejected',
    sourceOffset: entry.sourceOffset,
    sourceTimestampMs: entry.sourceTimestamp,
    sealedAtMicros: entry.sealedAt,
    key: entry.key,
    value: entry.value,
    rejectReason: entry.rejectReason === null ? 'none' : FROM_WIRE[entry.rejectReason],
    rejectDetail: entry.rejectDetail,
  };
}
