import { isBytes, utf8 } from './bytes';
import { assertChainId } from './chain-id';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { encodeEntryBody, EntryBodyEncoder, type EntryBodyFields } from './entry-body';
import { CoreError } from './errors';

/**
 * Chain links (FORMAT.md §4):
 *
 *   genesis(c) = SHA-256("auditseal/v1/genesis" ‖ u32(len c) ‖ c)
 *   hash_n     = SHA-256("auditseal/v1/link" ‖ u32(len c) ‖ c ‖ u64(n) ‖ hash_{n-1} ‖ SHA-256(body_n))
 *   hash_{-1}  = genesis(c)
 */

export const GENESIS_TAG = 'auditseal/v1/genesis';
export const LINK_TAG = 'auditseal/v1/link';
export const HASH_LENGTH = 32;

/** The last sealed entry of a chain: seq -1 and the genesis hash before the first entry. */
export interface ChainHead {
  readonly chainId: string;
  /** Seq of the last sealed entry; -1 when nothing is sealed yet. */
  readonly seq: number;
  /** hash of that entry; genesisHash(chainId) when seq is -1. */
  readonly hash: Uint8Array;
}

/** What sealing one entry produced. */
export interface SealedLink {
  readonly chainId: string;
  readonly seq: number;
  /** hash_{seq-1}: the head hash this entry links to. */
  readonly prevHash: Uint8Array;
  /** SHA-256 of the entry body. */
  readonly bodyHash: Uint8Array;
  /** hash_seq. */
  readonly hash: Uint8Array;
  /** The chain head after this entry. */
  readonly head: ChainHead;
}

/** Seqs are u64 in the format; this implementation handles 0 … 2^53-1. */
function checkSeq(seq: unknown, field = 'seq'): number {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new CoreError('invalid_seq', `${field} must be a safe integer ≥ 0`, { details: { [field]: String(seq) } });
  }
  return seq;
}

function checkHash(value: unknown, field: string): Uint8Array {
  if (!isBytes(value, HASH_LENGTH)) {
    throw new CoreError('invalid_hash', `${field} must be ${HASH_LENGTH} bytes`, {
      details: { field, length: value instanceof Uint8Array ? value.length : typeof value },
    });
  }
  return value;
}

/** tag ‖ u32(len chainId) ‖ chainId, the constant prefix of a chain's genesis or link input. */
function taggedChainId(tag: string, chainId: string): Uint8Array {
  const tagBytes = utf8(tag);
  const id = utf8(chainId);
  const out = new Uint8Array(tagBytes.length + 4 + id.length);
  out.set(tagBytes, 0);
  new DataView(out.buffer).setUint32(tagBytes.length, id.length);
  out.set(id, tagBytes.length + 4);
  return out;
}

/**
 * Links entries of one chain. It keeps the constant prefix (tag ‖ len ‖ chain
 * id) in a scratch buffer and writes seq, prevHash and the body hash in
 * place, so sealing an entry allocates only the hashes it returns. Not
 * reentrant across threads (JavaScript has none); one linker per chain.
 */
export class ChainLinker {
  readonly chainId: string;
  readonly genesis: Uint8Array;
  private readonly backend: CryptoBackend;
  private readonly scratch: Uint8Array;
  private readonly view: DataView;
  private readonly seqOffset: number;
  private readonly bodies = new EntryBodyEncoder();

  constructor(chainId: string, backend: CryptoBackend = nodeCrypto) {
    this.chainId = assertChainId(chainId);
    this.backend = backend;
    this.genesis = backend.sha256(taggedChainId(GENESIS_TAG, chainId));
    const prefix = taggedChainId(LINK_TAG, chainId);
    this.seqOffset = prefix.length;
    this.scratch = new Uint8Array(prefix.length + 8 + 2 * HASH_LENGTH);
    this.scratch.set(prefix, 0);
    this.view = new DataView(this.scratch.buffer);
  }

  /** The head of this chain before its first entry. */
  genesisHead(): ChainHead {
    return { chainId: this.chainId, seq: -1, hash: this.genesis };
  }

  /** hash_seq from its parts (FORMAT.md §4). */
  linkHash(seq: number, prevHash: Uint8Array, bodyHash: Uint8Array): Uint8Array {
    checkHash(bodyHash, 'bodyHash');
    this.scratch.set(bodyHash, this.seqOffset + 8 + HASH_LENGTH);
    return this.finishLink(checkSeq(seq), checkHash(prevHash, 'prevHash'));
  }

  /** Seals already-encoded entry body bytes onto `head`. */
  sealBody(head: ChainHead, body: Uint8Array): SealedLink {
    if (head.chainId !== this.chainId) {
      throw new CoreError('invalid_argument', 'head belongs to another chain', { details: { expected: this.chainId, actual: head.chainId } });
    }
    if (!isBytes(body)) throw new CoreError('invalid_entry', 'entry body must be a Uint8Array');
    const seq = head.seq + 1;
    checkSeq(seq, 'head.seq + 1');
    const prevHash = checkHash(head.hash, 'head.hash');
    const bodyOffset = this.seqOffset + 8 + HASH_LENGTH;
    this.backend.sha256Into(body, this.scratch, bodyOffset);
    const bodyHash = this.scratch.slice(bodyOffset, bodyOffset + HASH_LENGTH);
    const hash = this.finishLink(seq, prevHash);
    return { chainId: this.chainId, seq, prevHash, bodyHash, hash, head: { chainId: this.chainId, seq, hash } };
  }

  /** Encodes `fields` (FORMAT.md §3) and seals them onto `head`. */
  seal(head: ChainHead, fields: EntryBodyFields): SealedLink {
    return this.sealBody(head, this.bodies.encode(fields));
  }

  /** Expects the body hash already in the scratch buffer. */
  private finishLink(seq: number, prevHash: Uint8Array): Uint8Array {
    const o = this.seqOffset;
    const hi = Math.floor(seq / 4294967296);
    this.view.setUint32(o, hi);
    this.view.setUint32(o + 4, seq - hi * 4294967296);
    this.scratch.set(prevHash, o + 8);
    const out = new Uint8Array(HASH_LENGTH);
    this.backend.sha256Into(this.scratch, out, 0);
    return out;
  }
}

/** Creates the linker of one chain; the fast path for sealing many entries. */
export function createChainLinker(chainId: string, backend: CryptoBackend = nodeCrypto): ChainLinker {
  return new ChainLinker(chainId, backend);
}

// The free functions below reuse one linker per (backend, chain id), so the
// constant prefix is not rebuilt per entry. Bounded: a process touches few chains.
const MAX_CACHED_LINKERS = 1024;
const linkerCache = new WeakMap<CryptoBackend, Map<string, ChainLinker>>();

function cachedLinker(chainId: string, backend: CryptoBackend): ChainLinker {
  let byId = linkerCache.get(backend);
  if (!byId) {
    byId = new Map();
    linkerCache.set(backend, byId);
  }
  let linker = byId.get(chainId);
  if (!linker) {
    linker = new ChainLinker(chainId, backend);
    if (byId.size >= MAX_CACHED_LINKERS) byId.clear();
    byId.set(chainId, linker);
  }
  return linker;
}

/** genesis(chainId), the prevHash of seq 0 (FORMAT.md §4). */
export function genesisHash(chainId: string, backend: CryptoBackend = nodeCrypto): Uint8Array {
  return cachedLinker(chainId, backend).genesis.slice();
}

/** The head of a chain before its first entry: seq -1, hash = genesis. */
export function genesisHead(chainId: string, backend: CryptoBackend = nodeCrypto): ChainHead {
  return { chainId, seq: -1, hash: genesisHash(chainId, backend) };
}

export interface LinkInput {
  chainId: string;
  seq: number;
  prevHash: Uint8Array;
  bodyHash: Uint8Array;
}

/** hash_seq (FORMAT.md §4). */
export function linkHash(input: LinkInput, backend: CryptoBackend = nodeCrypto): Uint8Array {
  return cachedLinker(input.chainId, backend).linkHash(input.seq, input.prevHash, input.bodyHash);
}

/** SHA-256 of the canonical entry body of `fields`. */
export function entryBodyHash(fields: EntryBodyFields, backend: CryptoBackend = nodeCrypto): Uint8Array {
  return backend.sha256(encodeEntryBody(fields));
}

/** Seals one entry onto `head`: returns its seq, prevHash, bodyHash, hash and the new head. */
export function sealEntry(fields: EntryBodyFields, head: ChainHead, backend: CryptoBackend = nodeCrypto): SealedLink {
  return cachedLinker(head.chainId, backend).seal(head, fields);
}
