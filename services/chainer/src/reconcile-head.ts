import { CodecError, decodeSealedEntry, type SealedEntry, toCoreEntry } from '@auditseal/codec';
import { ChainVerifier, genesisHead, toHex, type ChainHead } from '@auditseal/core';
import type { DeliveryMode } from './config';

/**
 * Head recovery, the decision (DESIGN.md "Scale and fault tolerance": on
 * assignment the chainer recovers the chain head from the last committed
 * entry of the sealed partition). Pure: it gets what was read from Kafka and
 * says where sealing continues, or why it must not. It never guesses — when
 * the sealed chain and the group's committed offset disagree the partition is
 * stopped for an operator (docs/OPERATIONS.md "Chainer", stop conditions).
 */

/** A committed data record read from the tail of an audit.sealed partition. */
export interface TailRecord {
  /** Offset on audit.sealed. */
  offset: number;
  value: Uint8Array | null;
}

/** What the chainer stored with its committed offset: `auditseal:v1:<seq>:<hash hex>:<sealed offset>`. */
export interface CommitMetadata {
  seq: number;
  hashHex: string;
  sealedOffset: number;
}

export type StopReason =
  | 'head_undecodable'
  | 'head_wrong_chain'
  | 'head_bad_link'
  | 'entry_without_offset'
  | 'offset_without_entry'
  | 'offset_mismatch'
  | 'metadata_mismatch';

export interface ReconcileInput {
  chainId: string;
  partition: number;
  delivery: DeliveryMode;
  /** Committed data records of the sealed partition's tail, in offset order; empty when it holds none. */
  tail: readonly TailRecord[];
  /** The chainer group's committed offset for the events partition; null when there is none. */
  committedOffset: number | null;
  committedMetadata: string | null;
  /** Earliest offset of the events partition: where an empty chain starts. */
  eventsLowOffset: number;
}

export type Reconciled =
  | {
      readonly ok: true;
      readonly head: ChainHead;
      /** First events offset not yet sealed. */
      readonly nextOffset: number;
      /** Offset on audit.sealed of the last entry; -1 when the chain is empty. */
      readonly lastSealedOffset: number;
      /** Set when the decision was not the plain case; worth a log line. */
      readonly note?: string;
    }
  | { readonly ok: false; readonly reason: StopReason; readonly message: string; readonly evidence: Record<string, unknown> };

const METADATA = /^auditseal:v1:(0|[1-9][0-9]{0,15}):([0-9a-f]{64}):(0|[1-9][0-9]{0,15})$/;

export function formatCommitMetadata(m: CommitMetadata): string {
  return `auditseal:v1:${m.seq}:${m.hashHex}:${m.sealedOffset}`;
}

/** Parses commit metadata; undefined when absent or not ours. */
export function parseCommitMetadata(text: string | null | undefined): CommitMetadata | undefined {
  const match = text ? METADATA.exec(text) : null;
  if (!match) return undefined;
  return { seq: Number(match[1]), hashHex: match[2]!, sealedOffset: Number(match[3]) };
}

export function reconcileHead(input: ReconcileInput): Reconciled {
  const { chainId, partition } = input;
  const stop = (reason: StopReason, message: string, evidence: Record<string, unknown>): Reconciled => ({
    ok: false,
    reason,
    message,
    evidence: { chainId, partition, ...evidence },
  });

  // 1. The tail entries must decode and form a valid piece of this chain.
  const entries: { offset: number; entry: SealedEntry }[] = [];
  for (const record of input.tail) {
    try {
      entries.push({ offset: record.offset, entry: decodeSealedEntry(record.value ?? new Uint8Array(0)) });
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      return stop('head_undecodable', `the record at audit.sealed offset ${record.offset} is not a sealed entry: ${error.message}`, {
        sealedOffset: record.offset,
        codecError: error.code,
      });
    }
  }
  const last = entries[entries.length - 1];
  let head: ChainHead = genesisHead(chainId);
  if (last) {
    const first = entries[0]!;
    for (const { offset, entry } of entries) {
      if (entry.chainId !== chainId || entry.sourcePartition !== partition) {
        return stop('head_wrong_chain', `the entry at audit.sealed offset ${offset} belongs to chain ${entry.chainId} (source partition ${entry.sourcePartition})`, {
          sealedOffset: offset,
          expectedChainId: chainId,
          actualChainId: entry.chainId.slice(0, 600),
          sourcePartition: entry.sourcePartition,
        });
      }
    }
    // Seq 0 must link to genesis; a later first entry is trusted for its prevHash
    // only, and everything after it (the last entry included) must recompute.
    const from = first.entry.seq === 0 ? undefined : { chainId, seq: first.entry.seq - 1, hash: first.entry.prevHash };
    let verifier: ChainVerifier;
    try {
      verifier = new ChainVerifier(from ? { chainId, from } : { chainId });
    } catch (error) {
      return stop('head_bad_link', `the entry at audit.sealed offset ${first.offset} has an invalid seq or prevHash`, {
        sealedOffset: first.offset,
        error: (error as Error).message,
      });
    }
    let previousSource = -1;
    for (const { offset, entry } of entries) {
      const failure = verifier.push(toCoreEntry(entry));
      if (failure) {
        return stop('head_bad_link', `the chain tail does not verify at audit.sealed offset ${offset}: ${failure.kind}: ${failure.message}`, {
          sealedOffset: offset,
          failure,
        });
      }
      if (entry.sourceOffset <= previousSource) {
        return stop('head_bad_link', `source offsets go backwards at audit.sealed offset ${offset}`, {
          sealedOffset: offset,
          sourceOffset: entry.sourceOffset,
          previousSourceOffset: previousSource,
        });
      }
      previousSource = entry.sourceOffset;
    }
    head = verifier.head;
  }

  // 2. The committed offset must be exactly one past the last entry's source offset.
  const committed = input.committedOffset;
  const metadata = parseCommitMetadata(input.committedMetadata);
  if (!last) {
    if (committed === null) return { ok: true, head, nextOffset: input.eventsLowOffset, lastSealedOffset: -1 };
    return stop(
      'offset_without_entry',
      `the group committed events offset ${committed} but audit.sealed partition ${partition} holds no committed entry: records before ${committed} would be unaccounted for`,
      { committedOffset: committed, lastEntry: null },
    );
  }
  const lastEntry = last.entry;
  const expected = lastEntry.sourceOffset + 1;
  const evidence = {
    committedOffset: committed,
    lastEntry: { seq: lastEntry.seq, sourceOffset: lastEntry.sourceOffset, sealedOffset: last.offset, hash: toHex(lastEntry.hash) },
  };
  if (committed !== expected) {
    // At-least-once (benchmark baseline only) commits after the send, so a
    // crash in between leaves the chain ahead of the offset: continue after
    // the chain, the records in between are sealed already.
    if (input.delivery === 'at-least-once' && (committed === null || committed < expected)) {
      return {
        ok: true,
        head,
        nextOffset: expected,
        lastSealedOffset: last.offset,
        note: `at-least-once: chain is ahead of the committed offset (${committed ?? 'none'}); continuing at ${expected}`,
      };
    }
    if (committed === null) {
      return stop('entry_without_offset', `audit.sealed partition ${partition} ends with seq ${lastEntry.seq} (source offset ${lastEntry.sourceOffset}) but the group has no committed offset`, evidence);
    }
    return stop(
      'offset_mismatch',
      `the last sealed entry (seq ${lastEntry.seq}) has source offset ${lastEntry.sourceOffset}, so the committed offset must be ${expected}, but it is ${committed}`,
      evidence,
    );
  }
  // 3. Our commit metadata, when present, names the same entry.
  if (metadata && (metadata.seq !== lastEntry.seq || metadata.hashHex !== toHex(lastEntry.hash) || metadata.sealedOffset !== last.offset)) {
    return stop('metadata_mismatch', `the committed offset's metadata names seq ${metadata.seq} at audit.sealed offset ${metadata.sealedOffset}, but the last entry is seq ${lastEntry.seq} at offset ${last.offset}`, {
      ...evidence,
      metadata: input.committedMetadata,
    });
  }
  return { ok: true, head, nextOffset: expected, lastSealedOffset: last.offset };
}
