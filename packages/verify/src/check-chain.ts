import { decodeSealedEntry, toCoreEntry, type SealedEntry } from '@auditseal/codec';
import { ChainVerifier, parseChainId, type ChainFailure, type ChainHead, type CryptoBackend, type SealedEntry as CoreEntry } from '@auditseal/core';
import { finding, type FindingKind, type FindingSink, type ObjectRef, type OffsetRange } from './findings';
import type { SealedRecord } from './sources';

/**
 * Check 1 (DESIGN.md "Verifier"): the links and seqs of a stream of sealed
 * entries — one `audit.sealed` partition, or the entries of consecutive
 * segments — with core's ChainVerifier (FORMAT.md §4.3).
 *
 * Core stops at the first broken link; a verifier must go on, and must not
 * turn one tampered entry into thousands of findings. So after a failure the
 * check re-anchors on what the offending entry itself claims:
 *
 * | failure        | finding        | then                                                        |
 * |----------------|----------------|-------------------------------------------------------------|
 * | malformed      | invalid_entry  | continue from (seq, stored hash) when those are readable     |
 * | wrong_chain    | wrong_chain    | skip the entry                                              |
 * | gap            | gap            | continue from (seq − 1, its prevHash) and check the entry    |
 * | bad_prev_hash  | bad_prev_hash  | continue from (seq − 1, its prevHash) and check the entry    |
 * | bad_hash       | bad_hash       | continue from (seq, stored hash): the next entry links to it |
 * | duplicate      | duplicate      | skip the entry (same entry twice, e.g. a producer retry)     |
 * | fork           | fork           | skip the entry, keep the first one seen                       |
 * | out_of_order   | out_of_order   | skip the entry                                              |
 */

export { toCoreEntry };

/** Where an entry was read: a Kafka record or an archived object. */
export type EntryLocation = { partition: number; offset: number } | { object: ObjectRef };

export function locationEvidence(where: EntryLocation): { offsets?: OffsetRange; object?: ObjectRef } {
  return 'object' in where
    ? { object: where.object }
    : { offsets: { topic: 'sealed', partition: where.partition, first: where.offset, last: where.offset } };
}

export interface ChainCheckOptions {
  chainId: string;
  /** Trusted head to start from; default genesis. Ignored with anchorOnFirst. */
  from?: ChainHead;
  /**
   * Start from whatever the first entry links to, (seq − 1, prevHash): for a
   * stream known not to start at the chain's beginning (a truncated topic, a
   * resumed pass). Whoever sets this vouches for that first link elsewhere.
   */
  anchorOnFirst?: boolean;
  sink: FindingSink;
  /** Hashing backend (default core's nodeCrypto; portableCrypto for the portable verifier). */
  backend?: CryptoBackend;
}

const CHAIN_KINDS: Readonly<Record<ChainFailure['kind'], FindingKind>> = {
  malformed: 'invalid_entry',
  wrong_chain: 'wrong_chain',
  gap: 'gap',
  duplicate: 'duplicate',
  fork: 'fork',
  out_of_order: 'out_of_order',
  bad_prev_hash: 'bad_prev_hash',
  bad_hash: 'bad_hash',
};

const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === 32;

/** A continuing chain verifier: push entries in stream order; findings go to the sink. */
export class ChainCheck {
  readonly chainId: string;
  private readonly partition: number;
  private readonly sink: FindingSink;
  private readonly backend: CryptoBackend | undefined;
  private verifier: ChainVerifier | undefined;
  private acceptedCount = 0;
  private findingCount = 0;
  private lastVerified = false;

  constructor(options: ChainCheckOptions) {
    this.chainId = options.chainId;
    this.partition = parseChainId(options.chainId).partition;
    this.sink = (f) => {
      this.findingCount++;
      options.sink(f);
    };
    this.backend = options.backend;
    if (!options.anchorOnFirst) this.verifier = this.verifierFrom(options.from);
  }

  /** Last entry in the chain as verified so far (undefined before the first entry with anchorOnFirst). */
  get head(): ChainHead | undefined {
    return this.verifier?.head;
  }

  /** Entries taken into the chain (linked, possibly after re-anchoring on a finding). */
  get accepted(): number {
    return this.acceptedCount;
  }

  get findings(): number {
    return this.findingCount;
  }

  /**
   * Whether the entry pushed last stands in the chain with a hash that
   * matches its contents (computed here, or vouched for with `linkVerified`):
   * false when it was skipped, and when its hash was wrong (the check
   * re-anchored on it after a bad_hash finding).
   */
  get lastLinkVerified(): boolean {
    return this.lastVerified;
  }

  /**
   * Checks the next entry. Returns true when the entry now stands in the
   * chain at its seq (it linked, or the check re-anchored on it), false when
   * it was skipped (duplicate, fork, out of order, wrong chain, unreadable).
   *
   * `linkVerified`: the caller vouches that these exact fields were verified
   * against `entry.hash` before (an archived entry whose bytes equal those of
   * an audit.sealed record whose link was verified, lastLinkVerified): the
   * body and link hashes are not computed again; every other check runs
   * (core's ChainVerifier.pushVerifiedLink).
   */
  push(entry: SealedEntry, where: EntryLocation, linkVerified = false): boolean {
    this.lastVerified = false;
    if (!this.verifier) {
      if (!Number.isSafeInteger(entry.seq) || entry.seq < 0 || !isHash(entry.prevHash)) {
        this.report({ kind: 'malformed', chainId: this.chainId, seq: 0, index: 0, expected: 'a seq and a 32-byte prevHash', actual: 'other', message: 'first entry is not well-formed' }, where);
        return false;
      }
      this.verifier = this.verifierFrom({ chainId: this.chainId, seq: entry.seq - 1, hash: entry.prevHash });
    }
    // The partition is not hashed (FORMAT.md §3): check it here (FORMAT.md §9.2). An entry of another
    // chain is reported as that, once.
    if (entry.chainId === this.chainId && entry.sourcePartition !== this.partition) {
      this.sink(
        finding({
          kind: 'invalid_entry',
          chainId: this.chainId,
          seqs: { first: entry.seq, last: entry.seq },
          expected: String(this.partition),
          actual: String(entry.sourcePartition),
          message: `entry ${entry.seq} names source partition ${entry.sourcePartition}, not its chain's ${this.partition}`,
          ...locationEvidence(where),
        }),
      );
      this.findingCount++;
    }
    const core = toCoreEntry(entry);
    const failure = linkVerified ? this.verifier.pushVerifiedLink(core) : this.verifier.push(core);
    if (!failure) {
      this.acceptedCount++;
      this.lastVerified = true;
      return true;
    }
    this.report(failure, where);
    switch (failure.kind) {
      case 'gap':
      case 'bad_prev_hash':
        return this.reanchorAndPush(core, { chainId: this.chainId, seq: entry.seq - 1, hash: entry.prevHash }, where, linkVerified);
      case 'bad_hash':
        this.reanchor({ chainId: this.chainId, seq: entry.seq, hash: entry.hash });
        this.acceptedCount++;
        return true;
      case 'malformed': {
        const head = this.verifier.head;
        if (Number.isSafeInteger(entry.seq) && entry.seq > head.seq && isHash(entry.hash)) {
          this.reanchor({ chainId: this.chainId, seq: entry.seq, hash: entry.hash });
        } else {
          this.reanchor(head);
        }
        return false;
      }
      default:
        // duplicate, fork, out_of_order, wrong_chain: the entry is not part of the chain; keep the head.
        this.reanchor(this.verifier.head);
        return false;
    }
  }

  private verifierFrom(from: ChainHead | undefined): ChainVerifier {
    return new ChainVerifier({ chainId: this.chainId, ...(from ? { from } : {}), ...(this.backend ? { backend: this.backend } : {}) });
  }

  private reanchor(from: ChainHead): void {
    this.verifier = this.verifierFrom(from);
  }

  private reanchorAndPush(core: CoreEntry, from: ChainHead, where: EntryLocation, linkVerified: boolean): boolean {
    this.reanchor(from);
    const again = linkVerified ? this.verifier!.pushVerifiedLink(core) : this.verifier!.push(core);
    if (again) {
      // The entry links to what it claims but its own hash is wrong: a second, distinct problem.
      this.report(again, where);
      this.reanchor({ chainId: this.chainId, seq: core.seq, hash: core.hash });
    } else this.lastVerified = true;
    this.acceptedCount++;
    return true;
  }

  private report(failure: ChainFailure, where: EntryLocation): void {
    const seqs = failure.kind === 'gap' ? { first: failure.seq, last: Number(failure.actual) - 1 } : { first: failure.seq, last: failure.seq };
    this.sink(
      finding({
        kind: CHAIN_KINDS[failure.kind],
        chainId: this.chainId,
        seqs,
        expected: failure.expected,
        actual: failure.actual,
        message: failure.message,
        ...locationEvidence(where),
      }),
    );
  }
}

/** An `audit.sealed` record decoded, or why it could not be. */
export type DecodedRecord = { ok: true; entry: SealedEntry } | { ok: false; code: string; message: string };

/** Decodes an UNTRUSTED audit.sealed record value (FORMAT.md §9.3 steps 1–2). Never throws. */
export function decodeSealedRecord(value: Uint8Array | null): DecodedRecord {
  if (value === null) return { ok: false, code: 'null_value', message: 'record has a null value' };
  try {
    return { ok: true, entry: decodeSealedEntry(value) };
  } catch (error) {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'malformed';
    return { ok: false, code, message: (error as Error)?.message ?? String(error) };
  }
}

/**
 * The chain check over one `audit.sealed` partition: decodes each record
 * (an undecodable one is a `malformed_record` finding with its offset) and
 * pushes the entry through a ChainCheck.
 */
export class SealedStreamCheck {
  readonly chain: ChainCheck;
  private readonly chainId: string;
  private readonly partition: number;
  private readonly sink: FindingSink;
  private malformedCount = 0;

  constructor(options: ChainCheckOptions) {
    this.chain = new ChainCheck(options);
    this.chainId = options.chainId;
    this.partition = parseChainId(options.chainId).partition;
    this.sink = options.sink;
  }

  get malformed(): number {
    return this.malformedCount;
  }

  /** The entry when it decoded and now stands in the chain; undefined otherwise. */
  push(record: SealedRecord): SealedEntry | undefined {
    const where = { partition: this.partition, offset: record.offset };
    const decoded = decodeSealedRecord(record.value);
    if (!decoded.ok) {
      this.malformedCount++;
      this.sink(
        finding({
          kind: 'malformed_record',
          chainId: this.chainId,
          ...locationEvidence(where),
          message: `audit.sealed record at offset ${record.offset} does not decode as a SealedEntry: ${decoded.message}`,
          details: { code: decoded.code, bytes: record.value?.length ?? 0 },
        }),
      );
      return undefined;
    }
    return this.chain.push(decoded.entry, where) ? decoded.entry : undefined;
  }
}

/** Runs the chain check over a whole partition stream; resolves to the final head and counts. */
export async function checkSealedChain(
  records: AsyncIterable<SealedRecord> | Iterable<SealedRecord>,
  options: ChainCheckOptions,
): Promise<{ head: ChainHead | undefined; accepted: number; malformed: number }> {
  const check = new SealedStreamCheck(options);
  for await (const record of records) check.push(record);
  return { head: check.chain.head, accepted: check.chain.accepted, malformed: check.malformed };
}
