import { isBytes, toHex } from './bytes';
import { ChainLinker, HASH_LENGTH, type ChainHead } from './chain';
import { parseChainId } from './chain-id';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { EntryBodyEncoder, type EntryBodyFields } from './entry-body';
import { CoreError, isAuditSealError } from './errors';

/**
 * Chain verification (FORMAT.md §4.3, DESIGN.md "Verifier" check 1). Each
 * entry is checked in this order, and the first failure ends verification:
 *
 *   1. malformed      the entry is not well-formed (bad types, bad lengths, invalid body fields)
 *   2. wrong_chain    its chain id is not the chain being verified
 *   3. gap | duplicate | fork | out_of_order
 *                     its seq is not head.seq + 1
 *   4. bad_prev_hash  its prevHash is not the head hash
 *   5. bad_hash       its hash is not the recomputed link hash
 */

/** A sealed entry as it appears on `audit.sealed`: link fields plus the body fields. */
export interface SealedEntry extends EntryBodyFields {
  chainId: string;
  seq: number;
  prevHash: Uint8Array;
  hash: Uint8Array;
}

/** A link whose body is known only by its hash. */
export interface SealedLinkRecord {
  chainId: string;
  seq: number;
  prevHash: Uint8Array;
  hash: Uint8Array;
  bodyHash: Uint8Array;
}

export type VerifiableEntry = SealedEntry | SealedLinkRecord;

export type ChainFailureKind =
  | 'malformed'
  | 'wrong_chain'
  | 'gap'
  | 'duplicate'
  | 'fork'
  | 'out_of_order'
  | 'bad_prev_hash'
  | 'bad_hash';

/**
 * The first broken link, with its evidence. `seq` is where the chain breaks:
 * for a gap the first missing seq, otherwise the seq the entry claims.
 * `expected`/`actual` are lowercase hex for hashes, decimal for seqs (gap,
 * duplicate, out_of_order) and the chain ids for wrong_chain.
 */
export interface ChainFailure {
  readonly kind: ChainFailureKind;
  readonly chainId: string;
  readonly seq: number;
  /** 0-based position of the offending entry in the verified sequence. */
  readonly index: number;
  readonly expected: string;
  readonly actual: string;
  readonly message: string;
}

export type ChainVerification =
  | { readonly ok: true; readonly chainId: string; readonly checked: number; readonly head: ChainHead }
  | { readonly ok: false; readonly chainId: string; readonly checked: number; readonly head: ChainHead; readonly failure: ChainFailure };

export interface VerifyChainOptions {
  /** The chain being verified; every entry must carry it. */
  chainId: string;
  /**
   * A trusted head to continue from (e.g. the previous segment's last entry,
   * or a manifest's firstSeq-1 and prevHash). Default: the genesis head.
   */
  from?: ChainHead;
  backend?: CryptoBackend;
}

/**
 * Verifies entries one at a time, for callers that receive them over time
 * (the continuous verifier). Stops at the first failure: later pushes return
 * that same failure without looking at the entry.
 */
export class ChainVerifier {
  private readonly linker: ChainLinker;
  private readonly backend: CryptoBackend;
  private currentHead: ChainHead;
  private failure: ChainFailure | undefined;
  private count = 0;
  private readonly bodies = new EntryBodyEncoder();

  constructor(options: VerifyChainOptions) {
    parseChainId(options.chainId);
    this.backend = options.backend ?? nodeCrypto;
    this.linker = new ChainLinker(options.chainId, this.backend);
    const from = options.from ?? this.linker.genesisHead();
    if (from.chainId !== options.chainId) {
      throw new CoreError('invalid_argument', `options.from belongs to ${from.chainId}, not ${options.chainId}`);
    }
    if (!Number.isSafeInteger(from.seq) || from.seq < -1 || !isBytes(from.hash, HASH_LENGTH)) {
      throw new CoreError('invalid_argument', 'options.from must have a seq ≥ -1 and a 32-byte hash');
    }
    this.currentHead = { chainId: from.chainId, seq: from.seq, hash: from.hash };
  }

  get head(): ChainHead {
    return this.currentHead;
  }

  /** Number of entries verified good. */
  get checked(): number {
    return this.count;
  }

  /** Checks the next entry; returns the failure, if any. */
  push(entry: VerifiableEntry): ChainFailure | undefined {
    return this.pushChecked(entry, false);
  }

  /**
   * Checks the next entry like push, except that its hash is taken as the
   * right one for its contents (steps 1–4 only: no body or link hash is
   * computed). Only for an entry whose very fields have been verified
   * against their hash already — e.g. an archived entry whose bytes equal
   * those of the audit.sealed record of its seq, which the chain check of
   * audit.sealed verified: equal bytes, equal fields, equal link hash.
   */
  pushVerifiedLink(entry: SealedEntry): ChainFailure | undefined {
    return this.pushChecked(entry, true);
  }

  private pushChecked(entry: VerifiableEntry, linkVerified: boolean): ChainFailure | undefined {
    if (this.failure) return this.failure;
    const failure = this.check(entry, linkVerified);
    if (failure) {
      this.failure = failure;
      return failure;
    }
    this.count++;
    return undefined;
  }

  result(): ChainVerification {
    const base = { chainId: this.linker.chainId, checked: this.count, head: this.currentHead };
    return this.failure ? { ok: false, ...base, failure: this.failure } : { ok: true, ...base };
  }

  private fail(kind: ChainFailureKind, seq: number, expected: string, actual: string, message: string): ChainFailure {
    return { kind, chainId: this.linker.chainId, seq, index: this.count, expected, actual, message };
  }

  private check(entry: VerifiableEntry, linkVerified: boolean): ChainFailure | undefined {
    const head = this.currentHead;
    const next = head.seq + 1;
    // 1. Well-formedness. Entries come from Kafka or S3: untrusted.
    if (typeof entry !== 'object' || entry === null) return this.fail('malformed', next, 'an entry object', typeof entry, 'entry is not an object');
    const { chainId, seq, prevHash, hash } = entry;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
      return this.fail('malformed', next, 'a seq ≥ 0', String(seq), 'entry seq is not a non-negative safe integer');
    }
    if (typeof chainId !== 'string') return this.fail('malformed', seq, 'a chain id', typeof chainId, 'entry chain id is not a string');
    if (!isBytes(prevHash, HASH_LENGTH) || !isBytes(hash, HASH_LENGTH)) {
      return this.fail('malformed', seq, '32-byte prevHash and hash', 'other lengths or types', 'entry prevHash/hash are not 32 bytes');
    }
    let bodyHash: Uint8Array | undefined;
    if ('bodyHash' in entry) {
      if (!isBytes(entry.bodyHash, HASH_LENGTH)) return this.fail('malformed', seq, '32-byte bodyHash', 'other', 'entry bodyHash is not 32 bytes');
      bodyHash = entry.bodyHash;
    } else if (!linkVerified) {
      try {
        bodyHash = this.backend.sha256(this.bodies.encode(entry));
      } catch (error) {
        if (!isAuditSealError(error)) throw error;
        return this.fail('malformed', seq, 'valid body fields (FORMAT.md §3)', error.message, `entry body is invalid: ${error.message}`);
      }
    }
    // 2. Chain id: entries cannot be spliced between chains.
    if (chainId !== this.linker.chainId) {
      return this.fail('wrong_chain', seq, this.linker.chainId, chainId.slice(0, 600), `entry ${seq} belongs to another chain`);
    }
    // 3. Seq continuity.
    if (seq > next) return this.fail('gap', next, String(next), String(seq), `seqs ${next}…${seq - 1} are missing`);
    if (seq === head.seq) {
      // A true duplicate is the same entry again: same hash, and its contents really hash to it.
      const identical = this.backend.equalBytes(hash, head.hash) && (linkVerified || this.backend.equalBytes(this.linker.linkHash(seq, prevHash, bodyHash!), hash));
      return identical
        ? this.fail('duplicate', seq, String(next), String(seq), `entry ${seq} appears twice`)
        : this.fail('fork', seq, toHex(head.hash), toHex(hash), `two different entries claim seq ${seq}`);
    }
    if (seq < next) return this.fail('out_of_order', seq, String(next), String(seq), `entry ${seq} arrived after entry ${head.seq}`);
    // 4. Linkage to the previous entry.
    if (!this.backend.equalBytes(prevHash, head.hash)) {
      return this.fail('bad_prev_hash', seq, toHex(head.hash), toHex(prevHash), `entry ${seq} does not link to entry ${head.seq}`);
    }
    // 5. The entry's own hash (verified before for pushVerifiedLink).
    if (linkVerified) {
      this.currentHead = { chainId, seq, hash };
      return undefined;
    }
    const recomputed = this.linker.linkHash(seq, prevHash, bodyHash!);
    if (!this.backend.equalBytes(recomputed, hash)) {
      return this.fail('bad_hash', seq, toHex(recomputed), toHex(hash), `entry ${seq} hash does not match its contents`);
    }
    this.currentHead = { chainId, seq, hash: recomputed };
    return undefined;
  }
}

/** Verifies a whole (sync) sequence of entries; returns, never throws, on a bad chain. */
export function verifyChain(entries: Iterable<VerifiableEntry>, options: VerifyChainOptions): ChainVerification {
  const verifier = new ChainVerifier(options);
  for (const entry of entries) {
    if (verifier.push(entry)) break;
  }
  return verifier.result();
}

/** Streaming form of verifyChain over an async (or sync) iterable; stops reading at the first failure. */
export async function verifyChainAsync(
  entries: AsyncIterable<VerifiableEntry> | Iterable<VerifiableEntry>,
  options: VerifyChainOptions,
): Promise<ChainVerification> {
  const verifier = new ChainVerifier(options);
  for await (const entry of entries) {
    if (verifier.push(entry)) break;
  }
  return verifier.result();
}
