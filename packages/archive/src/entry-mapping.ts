import type { SealedEntry as WireEntry, RejectReason as WireRejectReason } from '@auditseal/codec';
import type { RejectReason, SealedEntry as CoreEntry } from '@auditseal/core';

/**
 * A sealed entry as Avro (codec, FORMAT.md §9: upper-case enums,
 * `sourceTimestamp`, `sealedAt`) → the fields core hashes (FORMAT.md §3–4).
 */
const FROM_WIRE: Readonly<Record<WireRejectReason, Exclude<RejectReason, 'none'>>> = {
  MALFORMED: 'malformed',
  UNKNOWN_SCHEMA: 'unknown_schema',
  TOO_LARGE: 'too_large',
  BAD_SIGNATURE: 'bad_signature',
  MISSING_SIGNATURE: 'missing_signature',
  INVALID_EVENT: 'invalid_event',
};

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
