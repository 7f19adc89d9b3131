import type { RejectReason as CoreRejectReason, SealedEntry as CoreEntry } from '@auditseal/core';
import type { RejectReason, SealedEntry } from './sealed-entry';

/**
 * The same sealed entry has two shapes: the Avro record on audit.sealed and in
 * segments (FORMAT.md §9: upper-case enum symbols, `sourceTimestamp`,
 * `sealedAt`) and the fields core hashes (FORMAT.md §3–4: lower-case kinds and
 * reasons, `sourceTimestampMs`, `sealedAtMicros`). Symbols map by name
 * (FORMAT.md §9.1). These functions are the only place that maps one onto the
 * other; the chainer, the archiver and the verifier all use them.
 */

const TO_WIRE: Readonly<Record<Exclude<CoreRejectReason, 'none'>, RejectReason>> = {
  malformed: 'MALFORMED',
  unknown_schema: 'UNKNOWN_SCHEMA',
  too_large: 'TOO_LARGE',
  bad_signature: 'BAD_SIGNATURE',
  missing_signature: 'MISSING_SIGNATURE',
  invalid_event: 'INVALID_EVENT',
};

const FROM_WIRE: Readonly<Record<RejectReason, Exclude<CoreRejectReason, 'none'>>> = {
  MALFORMED: 'malformed',
  UNKNOWN_SCHEMA: 'unknown_schema',
  TOO_LARGE: 'too_large',
  BAD_SIGNATURE: 'bad_signature',
  MISSING_SIGNATURE: 'missing_signature',
  INVALID_EVENT: 'invalid_event',
};

/** The Avro symbol of one of core's reject reasons. */
export function wireRejectReason(reason: Exclude<CoreRejectReason, 'none'>): RejectReason {
  return TO_WIRE[reason];
}

/** The fields core hashes and verifies, from a decoded sealed entry. */
export function toCoreEntry(entry: SealedEntry): CoreEntry {
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
    // An unknown symbol cannot come out of the Avro decoder; a hand-built entry
    // with one is passed through so that core's body check reports it as malformed.
    rejectReason: entry.rejectReason === null ? 'none' : (FROM_WIRE[entry.rejectReason] ?? (entry.rejectReason as unknown as CoreRejectReason)),
    rejectDetail: entry.rejectDetail,
  };
}
