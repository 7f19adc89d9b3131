import { encodeSealedEntry, type SealedEntry, sourceTimestampOf, wireRejectReason } from '@auditseal/codec';
import { ChainLinker, CoreError, type ChainHead } from '@auditseal/core';
import type { Classification } from './classify-record';

/**
 * Sealing (DESIGN.md "Chains and hashes"): turns consecutive records of one
 * audit.events partition into exactly one sealed entry each, linked onto the
 * chain head. Pure: the clock and the classifier are passed in, nothing is
 * written anywhere. The caller publishes the entries and, only once they are
 * committed, adopts the returned head.
 */

/** One record of audit.events as the chainer received it. */
export interface SourceRecord {
  /** Kafka offset (exact up to 2^53). */
  offset: number;
  /** Kafka record timestamp, ms since the epoch. */
  timestampMs: number;
  key: Uint8Array | null;
  /** Null for a tombstone. */
  value: Uint8Array | null;
}

export interface SealBatchInput {
  linker: ChainLinker;
  /** Partition of audit.events (and of audit.sealed) this chain accounts for. */
  partition: number;
  /** Head of the chain before the first record: the last committed entry, or genesis. */
  head: ChainHead;
  /** Offsets must be strictly increasing; the caller has already dropped sealed ones. */
  records: readonly SourceRecord[];
  classify: (value: Uint8Array | null) => Classification;
  /** Sealing time in µs since the epoch. */
  nowMicros: () => number;
}

export interface SealedOutput {
  entry: SealedEntry;
  /** Single-object encoding of `entry`, the value written to audit.sealed. */
  bytes: Buffer;
  classification: Classification;
}

export interface SealBatchResult {
  entries: SealedOutput[];
  /** Head after the last entry (the input head when there were no records). */
  head: ChainHead;
}

const EMPTY = new Uint8Array(0);

export function sealBatch(input: SealBatchInput): SealBatchResult {
  const { linker, partition } = input;
  if (input.head.chainId !== linker.chainId) {
    throw new CoreError('invalid_argument', 'head belongs to another chain', { details: { expected: linker.chainId, actual: input.head.chainId } });
  }
  let head = input.head;
  let previousOffset = -1;
  const entries: SealedOutput[] = [];
  for (const record of input.records) {
    if (!Number.isSafeInteger(record.offset) || record.offset < 0 || record.offset <= previousOffset) {
      throw new CoreError('invalid_argument', 'record offsets must be safe integers ≥ 0 in strictly increasing order', {
        details: { partition, offset: record.offset, previousOffset },
      });
    }
    previousOffset = record.offset;
    // A Kafka timestamp the entry cannot hold makes the record MALFORMED, whatever its value (FORMAT.md §9.3).
    const sourceTimestamp = sourceTimestampOf(record.timestampMs);
    const classification = sourceTimestamp === record.timestampMs ? input.classify(record.value) : timestampRejection(record.timestampMs);
    const value = record.value ?? EMPTY;
    const sealedAt = input.nowMicros();
    const rejected = classification.kind === 'rejected';
    const link = linker.seal(head, {
      kind: classification.kind,
      sourceOffset: record.offset,
      sourceTimestampMs: sourceTimestamp,
      sealedAtMicros: sealedAt,
      key: record.key,
      value,
      rejectReason: rejected ? classification.reason : 'none',
      rejectDetail: rejected ? classification.detail : null,
    });
    const entry: SealedEntry = {
      chainId: linker.chainId,
      seq: link.seq,
      kind: rejected ? 'REJECTED' : 'EVENT',
      sourcePartition: partition,
      sourceOffset: record.offset,
      sourceTimestamp,
      sealedAt,
      key: record.key,
      value,
      rejectReason: rejected ? wireRejectReason(classification.reason) : null,
      rejectDetail: rejected ? classification.detail : null,
      prevHash: link.prevHash,
      hash: link.hash,
    };
    entries.push({ entry, bytes: encodeSealedEntry(entry), classification });
    head = link.head;
  }
  return { entries, head };
}

function timestampRejection(timestampMs: number): Classification {
  return {
    kind: 'rejected',
    reason: 'malformed',
    detail: `Kafka record timestamp ${String(timestampMs)} ms is outside -(2^52) … 2^53 - 2 ms, which a sealed entry holds; sourceTimestamp is -1`,
  };
}
