import { nodeCrypto, parseChainId, toHex, type CryptoBackend } from '@auditseal/core';
import { finding, type FindingSink, type Severity } from './findings';

/**
 * Check 5 (DESIGN.md "Verifier" 4): Kafka ↔ S3 agreement on every archived
 * range. For each archived entry, the entry at the same seq in `audit.sealed`
 * must have the same hash. The sealed topic may be ahead of the archive; it
 * may lack archived entries only when its log start moved past them
 * (`sealed_truncated`); an archive ahead of the sealed topic's end is
 * `sealed_behind_archive`. Seqs inside the sealed range that the topic lacks
 * are the chain check's `gap`, not reported again here.
 *
 * The caller streams both sides in seq order and keeps, per segment, only
 * the sealed entries of that segment's range (memory bounded by a segment).
 */

export interface SealedSide {
  /** Seq of the first entry the sealed topic still holds (undefined: none). */
  firstSeq: number | undefined;
  /** Highest seq read so far. */
  lastSeq: number | undefined;
  /** True once the sealed stream has ended (no seq beyond lastSeq exists). */
  ended: boolean;
  logStartOffset: number;
  /** The sealed entry at `seq` if it was read and kept. */
  get(seq: number): { hash: Uint8Array; offset: number } | undefined;
}

interface Run {
  first: number;
  last: number;
  key: string;
}

export class AgreementCheck {
  private readonly partition: number;
  private truncated: Run | undefined;
  private behind: Run | undefined;
  private comparedCount = 0;

  constructor(
    private readonly chainId: string,
    private readonly sink: FindingSink,
    private readonly backend: CryptoBackend = nodeCrypto,
  ) {
    this.partition = parseChainId(chainId).partition;
  }

  get compared(): number {
    return this.comparedCount;
  }

  /** One archived entry against the sealed side. */
  archived(seq: number, hash: Uint8Array, segmentKey: string, sealed: SealedSide): void {
    const other = sealed.get(seq);
    if (other) {
      this.comparedCount++;
      if (!this.backend.equalBytes(other.hash, hash)) {
        this.sink(
          finding({
            kind: 'archive_mismatch',
            chainId: this.chainId,
            seqs: { first: seq, last: seq },
            object: { key: segmentKey },
            offsets: { topic: 'sealed', partition: this.partition, first: other.offset, last: other.offset },
            expected: toHex(hash),
            actual: toHex(other.hash),
            message: `entry ${seq} differs between the archive (${segmentKey}) and audit.sealed offset ${other.offset}`,
          }),
        );
      }
      return;
    }
    if (sealed.firstSeq === undefined || seq < sealed.firstSeq) {
      // Deleted from the topic's start; an empty, never-truncated topic has lost everything the archive holds;
      // otherwise the topic simply starts late, which the chain check reports as a gap from genesis.
      if (sealed.logStartOffset > 0) this.truncated = extend(this.truncated, seq, segmentKey);
      else if (sealed.firstSeq === undefined && sealed.ended) this.behind = extend(this.behind, seq, segmentKey);
      return;
    }
    if (sealed.ended && sealed.lastSeq !== undefined && seq > sealed.lastSeq) this.behind = extend(this.behind, seq, segmentKey);
  }

  /**
   * Ends the pass. `archivedHead` is the last archived seq: when the sealed
   * topic's first entry lies beyond it, entries in between exist nowhere.
   */
  finish(sealed: SealedSide, archivedHead: number | undefined): void {
    const hole = sealed.firstSeq !== undefined && sealed.firstSeq > (archivedHead ?? -1) + 1 && sealed.logStartOffset > 0;
    if (this.truncated || hole) {
      const first = this.truncated?.first ?? (archivedHead ?? -1) + 1;
      const last = hole ? sealed.firstSeq! - 1 : this.truncated!.last;
      const severity: Severity = hole ? 'critical' : 'high';
      this.sink(
        finding({
          kind: 'sealed_truncated',
          severity,
          chainId: this.chainId,
          seqs: { first, last },
          offsets: { topic: 'sealed', partition: this.partition, first: 0, last: Math.max(0, sealed.logStartOffset - 1) },
          expected: 'log start offset 0',
          actual: String(sealed.logStartOffset),
          message: hole
            ? `audit.sealed no longer holds seqs ${first}..${last}, and the archive holds only up to ${archivedHead ?? 'none'}: entries ${(archivedHead ?? -1) + 1}..${last} exist nowhere`
            : `audit.sealed no longer holds archived seqs ${first}..${last} (records deleted); the archive still does`,
          details: { firstSealedSeq: sealed.firstSeq ?? -1, archivedHead: archivedHead ?? -1 },
        }),
      );
    }
    if (this.behind) {
      this.sink(
        finding({
          kind: 'sealed_behind_archive',
          chainId: this.chainId,
          seqs: { first: this.behind.first, last: this.behind.last },
          object: { key: this.behind.key },
          expected: `audit.sealed up to seq ${this.behind.last}`,
          actual: sealed.lastSeq === undefined ? 'no entries' : `ends at seq ${sealed.lastSeq}`,
          message: `the archive holds seqs ${this.behind.first}..${this.behind.last} that audit.sealed does not (its tail was lost)`,
        }),
      );
    }
    this.truncated = undefined;
    this.behind = undefined;
  }
}

function extend(run: Run | undefined, seq: number, key: string): Run {
  if (!run) return { first: seq, last: seq, key };
  run.last = seq;
  return run;
}
