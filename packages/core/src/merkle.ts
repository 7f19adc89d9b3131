import { isBytes, toHex } from './bytes';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { CoreError } from './errors';

/**
 * Merkle trees exactly as RFC 6962 §2.1 (FORMAT.md §5):
 *
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 ‖ d0)
 *   MTH(D[n])    = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])),  k = largest power of two < n
 *
 * A segment's tree has the 32-byte entry hashes as its leaf data.
 */

const HASH = 32;
export const MERKLE_LEAF_PREFIX = 0x00;
export const MERKLE_NODE_PREFIX = 0x01;

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new CoreError('invalid_argument', `${name} must be a safe integer ≥ 0`, { details: { [name]: String(value) } });
  }
  return value;
}

function checkLeaves(leaves: readonly Uint8Array[]): void {
  if (!Array.isArray(leaves)) throw new CoreError('invalid_argument', 'leaves must be an array of Uint8Array');
  for (let i = 0; i < leaves.length; i++) {
    if (!isBytes(leaves[i])) throw new CoreError('invalid_argument', `leaf ${i} is not a Uint8Array`);
  }
}

/** Largest power of two strictly less than n (n ≥ 2): RFC 6962's split point k. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** SHA-256(0x00 ‖ data): RFC 6962 §2.1 leaf hash. */
export function merkleLeafHash(data: Uint8Array, backend: CryptoBackend = nodeCrypto): Uint8Array {
  const input = new Uint8Array(1 + data.length);
  input[0] = MERKLE_LEAF_PREFIX;
  input.set(data, 1);
  return backend.sha256(input);
}

/** SHA-256(0x01 ‖ left ‖ right): RFC 6962 §2.1 interior node hash. */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array, backend: CryptoBackend = nodeCrypto): Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH);
  input[0] = MERKLE_NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + HASH);
  return backend.sha256(input);
}

/** Hashes every leaf into one flat buffer of n × 32 bytes. */
function hashLeaves(leaves: readonly Uint8Array[], backend: CryptoBackend): Uint8Array {
  const flat = new Uint8Array(leaves.length * HASH);
  let input = new Uint8Array(1 + HASH); // leaves are usually 32-byte entry hashes
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i]!;
    if (input.length !== leaf.length + 1) input = new Uint8Array(leaf.length + 1); // zero-filled: input[0] = 0x00
    input.set(leaf, 1);
    backend.sha256Into(input, flat, i * HASH);
  }
  return flat;
}

/**
 * Root of the hashes in `flat[start .. end)` (indices in hashes), computed in
 * place in `flat` — destroys that range. Pairing neighbours level by level and
 * carrying an odd last node up unchanged builds exactly RFC 6962's tree: at
 * every level the left part is a complete subtree of the largest power of two.
 */
function reduceInPlace(flat: Uint8Array, start: number, end: number, backend: CryptoBackend): Uint8Array {
  let count = end - start;
  if (count === 0) return backend.sha256(new Uint8Array(0));
  const base = start * HASH;
  const node = new Uint8Array(1 + 2 * HASH);
  node[0] = MERKLE_NODE_PREFIX;
  while (count > 1) {
    const pairs = Math.floor(count / 2);
    for (let i = 0; i < pairs; i++) {
      const from = base + 2 * i * HASH;
      for (let j = 0; j < 2 * HASH; j++) node[1 + j] = flat[from + j]!;
      backend.sha256Into(node, flat, base + i * HASH);
    }
    if (count % 2 === 1) flat.copyWithin(base + pairs * HASH, base + (count - 1) * HASH, base + count * HASH);
    count = pairs + (count % 2);
  }
  return flat.slice(base, base + HASH);
}

/**
 * MTH(leaves) (RFC 6962 §2.1) over leaf data. Iterative, two hashes per leaf,
 * one n × 32-byte buffer: suitable for million-entry segments.
 */
export function merkleRoot(leaves: readonly Uint8Array[], backend: CryptoBackend = nodeCrypto): Uint8Array {
  checkLeaves(leaves);
  const flat = hashLeaves(leaves, backend);
  return reduceInPlace(flat, 0, leaves.length, backend);
}

/** The same root, from leaf hashes (each SHA-256(0x00 ‖ data)) already computed. */
export function merkleRootFromLeafHashes(leafHashes: readonly Uint8Array[], backend: CryptoBackend = nodeCrypto): Uint8Array {
  checkLeaves(leafHashes);
  const flat = new Uint8Array(leafHashes.length * HASH);
  leafHashes.forEach((h, i) => {
    if (h.length !== HASH) throw new CoreError('invalid_hash', `leaf hash ${i} is not 32 bytes`);
    flat.set(h, i * HASH);
  });
  return reduceInPlace(flat, 0, leafHashes.length, backend);
}

/** MTH of leaf hashes [start, end) of `flat`, without touching `flat`. */
function subtreeRoot(flat: Uint8Array, start: number, end: number, backend: CryptoBackend): Uint8Array {
  const copy = flat.slice(start * HASH, end * HASH);
  return reduceInPlace(copy, 0, end - start, backend);
}

/** RFC 6962 §2.1.1 PATH(m, D[start:end]). */
function path(flat: Uint8Array, m: number, start: number, end: number, backend: CryptoBackend, out: Uint8Array[]): void {
  const n = end - start;
  if (n <= 1) return;
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    path(flat, m, start, start + k, backend, out);
    out.push(subtreeRoot(flat, start + k, end, backend));
  } else {
    path(flat, m - k, start + k, end, backend, out);
    out.push(subtreeRoot(flat, start, start + k, backend));
  }
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[start:end], b). */
function subproof(flat: Uint8Array, m: number, start: number, end: number, b: boolean, backend: CryptoBackend, out: Uint8Array[]): void {
  const n = end - start;
  if (m === n) {
    if (!b) out.push(subtreeRoot(flat, start, end, backend));
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproof(flat, m, start, start + k, b, backend, out);
    out.push(subtreeRoot(flat, start + k, end, backend));
  } else {
    subproof(flat, m - k, start + k, end, false, backend, out);
    out.push(subtreeRoot(flat, start, start + k, backend));
  }
}

/**
 * Audit path of leaf `index` in the tree of `leaves` (RFC 6962 §2.1.1), deepest
 * sibling first. Costs O(n) hashes: meant for proving single entries.
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number, backend: CryptoBackend = nodeCrypto): Uint8Array[] {
  checkLeaves(leaves);
  checkCount(index, 'index');
  if (index >= leaves.length) {
    throw new CoreError('invalid_argument', `index ${index} is outside a tree of ${leaves.length} leaves`);
  }
  const out: Uint8Array[] = [];
  path(hashLeaves(leaves, backend), index, 0, leaves.length, backend, out);
  return out;
}

/**
 * Consistency proof between the first `m` leaves and all `leaves`
 * (RFC 6962 §2.1.2). Empty when m is 0 or equals the tree size.
 */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, backend: CryptoBackend = nodeCrypto): Uint8Array[] {
  checkLeaves(leaves);
  checkCount(m, 'm');
  if (m > leaves.length) throw new CoreError('invalid_argument', `m ${m} is larger than the tree (${leaves.length} leaves)`);
  const out: Uint8Array[] = [];
  if (m === 0 || m === leaves.length) return out;
  subproof(hashLeaves(leaves, backend), m, 0, leaves.length, true, backend, out);
  return out;
}

export type ProofFailureReason = 'malformed' | 'out_of_range' | 'wrong_proof_length' | 'root_mismatch';

export interface ProofFailure {
  readonly ok: false;
  readonly reason: ProofFailureReason;
  readonly message: string;
  /** Hex of the trusted value (the root given) and of what the proof led to, for root_mismatch. */
  readonly expected?: string;
  readonly actual?: string;
}

export type ProofVerification = { readonly ok: true } | ProofFailure;

/** Identifies the leaf of an inclusion proof: its data (hashed here) or its leaf hash. */
export type MerkleLeafInput = { readonly leaf: Uint8Array } | { readonly leafHash: Uint8Array };

function failed(reason: ProofFailureReason, message: string, expected?: Uint8Array, actual?: Uint8Array): ProofFailure {
  return expected && actual ? { ok: false, reason, message, expected: toHex(expected), actual: toHex(actual) } : { ok: false, reason, message };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isProof(proof: unknown): proof is readonly Uint8Array[] {
  return Array.isArray(proof) && proof.every((p) => isBytes(p, HASH));
}

/** Hashes 0x01 ‖ left ‖ right with a reusable input buffer. */
function nodeHasher(backend: CryptoBackend): (left: Uint8Array, right: Uint8Array) => Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH);
  input[0] = MERKLE_NODE_PREFIX;
  return (left, right) => {
    input.set(left, 1);
    input.set(right, 1 + HASH);
    return backend.sha256(input);
  };
}

/** RFC 9162 §2.1.3.2 steps 1–4: the root an inclusion proof implies, or why there is none. */
function inclusionRoot(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  backend: CryptoBackend,
): Uint8Array | ProofFailure {
  if (!isCount(index) || !isCount(treeSize) || !isBytes(leafHash, HASH) || !isProof(proof)) {
    return failed('malformed', 'index/treeSize must be safe integers ≥ 0, the leaf hash and every proof element 32 bytes');
  }
  if (index >= treeSize) return failed('out_of_range', `index ${index} is outside a tree of ${treeSize} leaves`);
  const node = nodeHasher(backend);
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return failed('wrong_proof_length', 'inclusion proof is longer than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return failed('wrong_proof_length', 'inclusion proof is shorter than the path to the root');
  return r;
}

/**
 * The root that an inclusion proof implies (RFC 9162 §2.1.3.2). Throws
 * `invalid_proof` when the proof cannot belong to a tree of that size.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  backend: CryptoBackend = nodeCrypto,
): Uint8Array {
  const r = inclusionRoot(leafHash, index, treeSize, proof, backend);
  if (r instanceof Uint8Array) return r;
  throw new CoreError('invalid_proof', r.message, { details: { reason: r.reason } });
}

/**
 * Verifies that a leaf is at `index` in the tree of `treeSize` leaves whose
 * root is `root` (RFC 9162 §2.1.3.2). Proofs are untrusted input: any
 * malformed argument yields `{ ok: false }`, never a throw.
 */
export function verifyInclusion(
  leaf: MerkleLeafInput,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  backend: CryptoBackend = nodeCrypto,
): ProofVerification {
  if (typeof leaf !== 'object' || leaf === null) return failed('malformed', 'leaf must be { leaf } or { leafHash }');
  let leafHash: Uint8Array;
  if ('leafHash' in leaf) leafHash = leaf.leafHash;
  else if ('leaf' in leaf && isBytes(leaf.leaf)) leafHash = merkleLeafHash(leaf.leaf, backend);
  else return failed('malformed', 'leaf must be { leaf } or { leafHash }');
  if (!isBytes(root, HASH)) return failed('malformed', 'root must be 32 bytes');
  const r = inclusionRoot(leafHash, index, treeSize, proof, backend);
  if (!(r instanceof Uint8Array)) return r;
  return backend.equalBytes(r, root) ? { ok: true } : failed('root_mismatch', 'proof leads to a different root', root, r);
}

/**
 * Verifies that the tree of size m with root `oldRoot` is a prefix of the
 * tree of size n with root `newRoot` (RFC 9162 §2.1.4.2). Edge cases, which
 * need an empty proof: m = n (roots must be equal) and m = 0 (the empty tree,
 * `oldRoot` must be SHA-256 of nothing, is a prefix of every tree).
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  backend: CryptoBackend = nodeCrypto,
): ProofVerification {
  if (!isCount(m) || !isCount(n) || !isBytes(oldRoot, HASH) || !isBytes(newRoot, HASH) || !isProof(proof)) {
    return failed('malformed', 'sizes must be safe integers ≥ 0, the roots and every proof element 32 bytes');
  }
  if (m > n) return failed('out_of_range', `old size ${m} is larger than new size ${n}`);
  if (m === 0) {
    if (proof.length !== 0) return failed('wrong_proof_length', 'a proof from the empty tree must be empty');
    const empty = backend.sha256(new Uint8Array(0));
    return backend.equalBytes(oldRoot, empty) ? { ok: true } : failed('root_mismatch', 'old root is not the empty-tree hash', empty, oldRoot);
  }
  if (m === n) {
    if (proof.length !== 0) return failed('wrong_proof_length', 'a proof between equal sizes must be empty');
    return backend.equalBytes(oldRoot, newRoot) ? { ok: true } : failed('root_mismatch', 'equal sizes with different roots', oldRoot, newRoot);
  }
  // RFC 9162 §2.1.4.2, steps 1–7.
  if (proof.length === 0) return failed('wrong_proof_length', 'consistency proof is empty');
  const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : proof;
  const node = nodeHasher(backend);
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return failed('wrong_proof_length', 'consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return failed('wrong_proof_length', 'consistency proof is too short');
  if (!backend.equalBytes(fr, oldRoot)) return failed('root_mismatch', 'proof does not lead to the old root', oldRoot, fr);
  if (!backend.equalBytes(sr, newRoot)) return failed('root_mismatch', 'proof does not lead to the new root', newRoot, sr);
  return { ok: true };
}

function isPowerOfTwo(x: number): boolean {
  let k = 1;
  while (k < x) k *= 2;
  return k === x;
}
