import type { SealedEntry } from '@auditseal/codec';
import {
  checkpointSigningBytes,
  genesisHash,
  manifestSigningBytes,
  merkleRoot,
  nodeCrypto,
  toHex,
  verifySignature,
  type ChainHead,
  type CryptoBackend,
  type PublicKeyring,
} from '@auditseal/core';
import { ChainCheck, type EntryLocation } from './check-chain';
import { finding, type Finding, type FindingSink } from './findings';
import type { ArchiveFormats, Checkpoint, SegmentManifest } from './sources';

/**
 * Check 3 (DESIGN.md "Verifier", FORMAT.md §5, §7): every segment against its
 * signed manifest, continuity between consecutive segments, and signed
 * checkpoints against the entries they name. Reads as a checklist:
 *
 *   checkManifest:   parse → fields agree with the object key → signature (key window at createdAt)
 *   checkSegment:    size → SHA-256 → parse → chain from (firstSeq − 1, prevHash) → entry count and
 *                    seq range → Merkle root (RFC 6962 over entry hashes) → head hash
 *   ContinuityCheck: next.firstSeq = prev.lastSeq + 1 (gap / overlap) → next.prevHash = prev.headHash
 *   CheckpointCheck: parse → key names its seq → signature (window at its time) → head = entry at headSeq
 */

/**
 * Whether two SealedEntry records (plain Avro binary, FORMAT.md §9) are the
 * same bytes. A record ends with its two fixed 32-byte fields, prevHash and
 * hash: those are compared in constant time (FORMAT.md §1), the rest — no
 * hash, no secret, public copies of one entry — with a plain byte compare
 * (Node's Buffer.compare where there is one: a constant-time compare of a
 * 600-byte record costs ten times more), else a loop.
 */
const HASHES_BYTES = 64;
const samePrefix: (a: Uint8Array, b: Uint8Array) => boolean =
  typeof Buffer === 'function'
    ? (a, b) => Buffer.compare(a, b) === 0
    : (a, b) => {
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
        return true;
      };
function sameRecord(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length || n < HASHES_BYTES) return false;
  let diff = 0;
  for (let i = n - HASHES_BYTES; i < n; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0 && samePrefix(a.subarray(0, n - HASHES_BYTES), b.subarray(0, n - HASHES_BYTES));
}

const errorEvidence = (error: unknown) => ({
  code: typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'error',
  error: String((error as Error)?.message ?? error).slice(0, 500),
});

export interface ManifestCheckInput {
  chainId: string;
  manifestKey: string;
  segmentKey: string;
  firstSeq: number;
  lastSeq: number;
  bytes: Uint8Array;
  formats: Pick<ArchiveFormats, 'parseManifest'>;
  keyring: PublicKeyring;
  sink: FindingSink;
  backend?: CryptoBackend;
}

/**
 * Parses and checks a manifest. Returns it when it parsed (even if its
 * signature failed: its fields are still evidence), and whether it describes
 * the segment beside it at all — a manifest that names another chain, range
 * or key says nothing about this segment's bytes.
 */
export function checkManifest(input: ManifestCheckInput): { manifest: SegmentManifest | undefined; ok: boolean; describesSegment: boolean } {
  const { chainId, manifestKey, sink } = input;
  const object = { key: manifestKey };
  const seqs = { first: input.firstSeq, last: input.lastSeq };
  let manifest: SegmentManifest;
  try {
    manifest = input.formats.parseManifest(input.bytes);
  } catch (error) {
    sink(finding({ kind: 'manifest_unreadable', chainId, seqs, object, message: `manifest ${manifestKey} does not parse`, details: errorEvidence(error) }));
    return { manifest: undefined, ok: false, describesSegment: false };
  }
  let ok = true;
  // The manifest must describe the object it sits beside: a valid manifest copied over another one is a replacement.
  const fields: Array<[string, string, string]> = [
    ['chainId', chainId, manifest.chainId],
    ['firstSeq', String(input.firstSeq), String(manifest.firstSeq)],
    ['lastSeq', String(input.lastSeq), String(manifest.lastSeq)],
    ['entryCount', String(input.lastSeq - input.firstSeq + 1), String(manifest.entryCount)],
    ['segmentKey', input.segmentKey, manifest.segmentKey],
  ];
  const wrong = fields.filter(([, expected, actual]) => expected !== actual);
  if (wrong.length > 0) {
    ok = false;
    const [field, expected, actual] = wrong[0]!;
    sink(
      finding({
        kind: 'manifest_mismatch',
        chainId,
        seqs,
        object,
        expected,
        actual,
        message: `manifest ${manifestKey} does not describe its segment (${wrong.map((w) => w[0]).join(', ')} differ)`,
        details: { field, fields: wrong.map((w) => w[0]) },
      }),
    );
  }
  // FORMAT.md §6.3: the key must be valid at the time the manifest states it was signed.
  let signing: Uint8Array | undefined;
  try {
    signing = manifestSigningBytes(manifest);
  } catch {
    signing = undefined;
  }
  const verdict = signing
    ? verifySignature(signing, manifest.signature, manifest.keyId, input.keyring, new Date(manifest.createdAt), input.backend ?? nodeCrypto)
    : ({ ok: false, reason: 'malformed', keyId: String(manifest.keyId), message: 'manifest fields cannot form signing bytes' } as const);
  if (!verdict.ok) {
    ok = false;
    sink(
      finding({
        kind: 'manifest_signature_invalid',
        chainId,
        seqs,
        object,
        expected: 'a valid signature by a key of the keyring',
        actual: verdict.reason,
        message: `manifest ${manifestKey}: ${verdict.message}`,
        details: { reason: verdict.reason, keyId: verdict.keyId, createdAt: String(manifest.createdAt) },
      }),
    );
  }
  return { manifest, ok, describesSegment: wrong.length === 0 };
}

export interface SegmentCheckInput {
  chainId: string;
  segmentKey: string;
  firstSeq: number;
  lastSeq: number;
  /** The segment's manifest when it exists and parsed. */
  manifest: SegmentManifest | undefined;
  /** Without a manifest: a trusted head to verify the first entry against (the previous segment's signed head). */
  from?: ChainHead;
  backend?: CryptoBackend;
  bytes: Uint8Array;
  formats: Pick<ArchiveFormats, 'parseSegment'>;
  sink: FindingSink;
  /**
   * The record bytes (SealedEntry Avro binary, without the single-object
   * header) of the entry at `seq` from another copy of the chain whose link
   * hash was verified (audit.sealed), if there is one. An archived entry
   * with exactly those bytes has exactly those fields, so its hash is not
   * computed again (ChainCheck.push's `linkVerified`); any other entry, and
   * every entry when the parser gives no record bytes, is checked in full.
   */
  verifiedCopy?: (seq: number) => Uint8Array | undefined;
  /**
   * Each entry, in file order, once it has been checked (for the agreement,
   * completeness and checkpoint checks). `signed` is false when the segment's
   * bytes are not the ones its manifest signed (or it has no manifest): its
   * entries are then evidence of that finding, not a basis for comparisons.
   */
  onEntry?: (entry: SealedEntry, where: EntryLocation, inChain: boolean, signed: boolean) => void | Promise<void>;
}

export interface SegmentCheckResult {
  ok: boolean;
  entries: number;
  /** sealedAt (µs) of the first and last entries. */
  firstSealedAt: number | undefined;
  lastSealedAt: number | undefined;
}

/**
 * Steps 1–2 of a segment check (FORMAT.md §10.2): the object's size and
 * SHA-256 against its signed manifest. Because the manifest's signature
 * covers that digest, bytes that pass are the bytes that were signed — this
 * is all a later pass does for a segment a previous pass verified whole
 * (VerifyArchiveOptions.resume): re-hash it.
 */
export function checkSegmentBytes(input: {
  chainId: string;
  segmentKey: string;
  seqs: { first: number; last: number };
  manifest: Pick<SegmentManifest, 'segmentBytes' | 'segmentSha256'>;
  bytes: Uint8Array;
  sink: FindingSink;
  backend?: CryptoBackend;
}): boolean {
  const { chainId, segmentKey, seqs, manifest, bytes } = input;
  const backend = input.backend ?? nodeCrypto;
  const object = { key: segmentKey };
  let ok = true;
  if (bytes.length !== manifest.segmentBytes) {
    ok = false;
    input.sink(
      finding({
        kind: 'segment_size_mismatch',
        chainId,
        seqs,
        object,
        expected: String(manifest.segmentBytes),
        actual: String(bytes.length),
        message: `segment ${segmentKey} has ${bytes.length} bytes, its manifest says ${manifest.segmentBytes}`,
      }),
    );
  }
  const digest = backend.sha256(bytes);
  if (!backend.equalBytes(digest, manifest.segmentSha256)) {
    ok = false;
    input.sink(
      finding({
        kind: 'segment_sha256_mismatch',
        chainId,
        seqs,
        object,
        expected: toHex(manifest.segmentSha256),
        actual: toHex(digest),
        message: `segment ${segmentKey} is not the object its manifest signed`,
      }),
    );
  }
  return ok;
}

/** Checks a segment's bytes and entries against its manifest (or, without one, just its own chain). */
export async function checkSegment(input: SegmentCheckInput): Promise<SegmentCheckResult> {
  const { chainId, segmentKey, manifest, bytes } = input;
  const backend = input.backend ?? nodeCrypto;
  const equalBytes = (a: Uint8Array, b: Uint8Array) => backend.equalBytes(a, b);
  const object = { key: segmentKey };
  const seqs = { first: input.firstSeq, last: input.lastSeq };
  const direct: Finding[] = [];
  const content: Finding[] = [];
  const emit = (f: Finding) => direct.push(f);
  // 1–2. Size and SHA-256 against the signed manifest: the bytes are what was signed, or everything inside is suspect.
  const bytesMatch = manifest ? checkSegmentBytes({ chainId, segmentKey, seqs, manifest, bytes, backend, sink: emit }) : true;
  // When the bytes are not the signed ones, what is wrong inside them is evidence of that one
  // finding (folded into its details), not a flood of separate findings.
  const sink = (f: Finding) => (bytesMatch ? direct.push(f) : content.push(f));
  const result: SegmentCheckResult = { ok: true, entries: 0, firstSealedAt: undefined, lastSealedAt: undefined };
  // 3. Parse (untrusted bytes).
  const where: EntryLocation = { object };
  const hashes: Uint8Array[] = [];
  let lastEntry: SealedEntry | undefined;
  const chain = new ChainCheck(
    manifest
      ? { chainId, from: { chainId, seq: manifest.firstSeq - 1, hash: manifest.prevHash }, sink, backend }
      : input.from
        ? { chainId, from: input.from, sink, backend }
        : input.firstSeq === 0
          ? { chainId, sink, backend }
          : { chainId, anchorOnFirst: true, sink, backend },
  );
  let unreadable: unknown;
  try {
    const parsed = await input.formats.parseSegment(bytes);
    const meta = parsed.metadata;
    if (meta && (meta['auditseal.chainId'] !== chainId || meta['auditseal.firstSeq'] !== String(input.firstSeq) || meta['auditseal.lastSeq'] !== String(input.lastSeq))) {
      sink(
        finding({
          kind: 'segment_entries_mismatch',
          chainId,
          seqs,
          object,
          expected: `${chainId} ${input.firstSeq}..${input.lastSeq}`,
          actual: `${meta['auditseal.chainId']} ${meta['auditseal.firstSeq']}..${meta['auditseal.lastSeq']}`,
          message: `segment ${segmentKey} header names another chain or seq range`,
          details: { field: 'header' },
        }),
      );
    }
    // 4. The entries form a chain from the manifest's (firstSeq − 1, prevHash).
    const records = input.verifiedCopy ? parsed.records : undefined;
    const signed = manifest !== undefined && bytesMatch;
    /** One entry; a promise only when onEntry returned one (entries in memory need no await each). */
    const step = (entry: SealedEntry): void | Promise<void> => {
      const record = records?.[result.entries];
      const copy = record ? input.verifiedCopy!(entry.seq) : undefined;
      const inChain = chain.push(entry, where, copy !== undefined && sameRecord(copy, record!));
      result.entries++;
      if (result.firstSealedAt === undefined) result.firstSealedAt = entry.sealedAt;
      result.lastSealedAt = entry.sealedAt;
      hashes.push(entry.hash);
      lastEntry = entry;
      return input.onEntry?.(entry, where, inChain, signed);
    };
    const entries = parsed.entries;
    if (Symbol.iterator in entries) {
      for (const entry of entries) {
        const pending = step(entry);
        if (pending) await pending;
      }
    } else {
      for await (const entry of entries) await step(entry);
    }
  } catch (error) {
    unreadable = error;
    sink(finding({ kind: 'segment_unreadable', chainId, seqs, object, message: `segment ${segmentKey} does not parse`, details: errorEvidence(error) }));
  }
  if (unreadable === undefined) {
    // 5. Entry count and seq range.
    const expectedCount = input.lastSeq - input.firstSeq + 1;
    const lastSeq = lastEntry?.seq;
    if (result.entries !== expectedCount || lastSeq !== input.lastSeq) {
      sink(
        finding({
          kind: 'segment_entries_mismatch',
          chainId,
          seqs,
          object,
          expected: `${expectedCount} entries ending at seq ${input.lastSeq}`,
          actual: `${result.entries} entries ending at seq ${lastSeq ?? 'none'}`,
          message: `segment ${segmentKey} holds ${result.entries} entries, not ${expectedCount}`,
          details: { field: 'entries' },
        }),
      );
    }
    if (manifest) {
      // 6. Merkle root over the entry hashes, size entryCount (FORMAT.md §5).
      const root = merkleRoot(hashes, backend);
      if (!equalBytes(root, manifest.merkleRoot)) {
        sink(
          finding({
            kind: 'merkle_root_mismatch',
            chainId,
            seqs,
            object,
            expected: toHex(manifest.merkleRoot),
            actual: toHex(root),
            message: `Merkle root of segment ${segmentKey}'s entries differs from its manifest`,
          }),
        );
      }
      // 7. Head hash.
      if (lastEntry && !equalBytes(lastEntry.hash, manifest.headHash)) {
        sink(
          finding({
            kind: 'head_hash_mismatch',
            chainId,
            seqs: { first: lastEntry.seq, last: lastEntry.seq },
            object,
            expected: toHex(manifest.headHash),
            actual: toHex(lastEntry.hash),
            message: `last entry of segment ${segmentKey} is not the head its manifest signed`,
          }),
        );
      }
    }
  }
  if (content.length > 0) {
    const main = direct.find((f) => f.kind === 'segment_sha256_mismatch') ?? direct[0]!;
    main.details = { ...main.details, content: content.slice(0, 20).map((f) => `${f.kind}${f.seqs ? `@${f.seqs.first}` : ''}`), contentFindings: content.length };
  }
  for (const f of direct) input.sink(f);
  result.ok = direct.length === 0;
  return result;
}

/** What continuity needs of a segment: its range from the key, its hashes from the signed manifest when there is one. */
export interface SegmentBounds {
  key: string;
  firstSeq: number;
  lastSeq: number;
  prevHash?: Uint8Array;
  headHash?: Uint8Array;
}

/**
 * Continuity between consecutive segments of a chain (FORMAT.md §7.1): the
 * first segment starts at seq 0 from the genesis hash; each next one starts
 * at the previous lastSeq + 1 and its prevHash is the previous headHash.
 */
export class ContinuityCheck {
  private prev: SegmentBounds | undefined;
  private readonly genesis: Uint8Array;

  constructor(
    private readonly chainId: string,
    private readonly sink: FindingSink,
    private readonly backend: CryptoBackend = nodeCrypto,
  ) {
    this.genesis = genesisHash(chainId, backend);
  }

  /** The last segment seen. */
  get last(): SegmentBounds | undefined {
    return this.prev;
  }

  push(next: SegmentBounds): void {
    const prev = this.prev ?? { key: '(chain start)', firstSeq: -1, lastSeq: -1, headHash: this.genesis };
    const object = { key: next.key };
    if (next.firstSeq > prev.lastSeq + 1) {
      this.sink(
        finding({
          kind: 'segment_gap',
          chainId: this.chainId,
          seqs: { first: prev.lastSeq + 1, last: next.firstSeq - 1 },
          object,
          expected: String(prev.lastSeq + 1),
          actual: String(next.firstSeq),
          message: `no segment holds seqs ${prev.lastSeq + 1}..${next.firstSeq - 1} (between ${prev.key} and ${next.key})`,
          details: { previousKey: prev.key },
        }),
      );
    } else if (next.firstSeq <= prev.lastSeq) {
      this.sink(
        finding({
          kind: 'segment_overlap',
          chainId: this.chainId,
          seqs: { first: next.firstSeq, last: Math.min(prev.lastSeq, next.lastSeq) },
          object,
          expected: String(prev.lastSeq + 1),
          actual: String(next.firstSeq),
          message: `segments ${prev.key} and ${next.key} both hold seqs ${next.firstSeq}..${Math.min(prev.lastSeq, next.lastSeq)}`,
          details: { previousKey: prev.key },
        }),
      );
    } else if (prev.headHash && next.prevHash && !this.backend.equalBytes(prev.headHash, next.prevHash)) {
      this.sink(
        finding({
          kind: 'segment_discontinuity',
          chainId: this.chainId,
          seqs: { first: next.firstSeq, last: next.firstSeq },
          object,
          expected: toHex(prev.headHash),
          actual: toHex(next.prevHash),
          message: `segment ${next.key} does not continue ${prev.key}: its prevHash is not the previous head`,
          details: { previousKey: prev.key },
        }),
      );
    }
    if (!this.prev || next.lastSeq >= this.prev.lastSeq) this.prev = next;
  }
}

export interface CheckpointCheckInput {
  chainId: string;
  key: string;
  headSeq: number;
  bytes: Uint8Array;
  formats: Pick<ArchiveFormats, 'parseCheckpoint'>;
  keyring: PublicKeyring;
  sink: FindingSink;
  backend?: CryptoBackend;
}

/** Parses a checkpoint object and checks its key, chain and signature. Returns it when it can be trusted. */
export function checkCheckpoint(input: CheckpointCheckInput): Checkpoint | undefined {
  const { chainId, key, sink } = input;
  const object = { key };
  const seqs = { first: input.headSeq, last: input.headSeq };
  let cp: Checkpoint;
  try {
    cp = input.formats.parseCheckpoint(input.bytes);
  } catch (error) {
    sink(finding({ kind: 'checkpoint_unreadable', chainId, seqs, object, message: `checkpoint ${key} does not parse`, details: errorEvidence(error) }));
    return undefined;
  }
  if (cp.chainId !== chainId || cp.headSeq !== input.headSeq) {
    sink(
      finding({
        kind: 'checkpoint_mismatch',
        chainId,
        seqs,
        object,
        expected: `${chainId} ${input.headSeq}`,
        actual: `${cp.chainId} ${cp.headSeq}`,
        message: `checkpoint ${key} names another chain or seq than its key`,
        details: { field: 'key' },
      }),
    );
    return undefined;
  }
  let signing: Uint8Array | undefined;
  try {
    signing = checkpointSigningBytes(cp);
  } catch {
    signing = undefined;
  }
  const verdict = signing
    ? verifySignature(signing, cp.signature, cp.keyId, input.keyring, new Date(cp.time), input.backend ?? nodeCrypto)
    : ({ ok: false, reason: 'malformed', keyId: String(cp.keyId), message: 'checkpoint fields cannot form signing bytes' } as const);
  if (!verdict.ok) {
    sink(
      finding({
        kind: 'checkpoint_signature_invalid',
        chainId,
        seqs,
        object,
        expected: 'a valid signature by a key of the keyring',
        actual: verdict.reason,
        message: `checkpoint ${key}: ${verdict.message}`,
        details: { reason: verdict.reason, keyId: verdict.keyId, time: String(cp.time) },
      }),
    );
    return undefined;
  }
  return cp;
}

/**
 * Compares trusted checkpoints with the entries at their seqs as entries
 * stream past in seq order (from segments, then from audit.sealed).
 */
export class CheckpointMatcher {
  private readonly pending: Array<{ cp: Checkpoint; key: string }>;

  constructor(
    private readonly chainId: string,
    checkpoints: ReadonlyArray<{ cp: Checkpoint; key: string }>,
    private readonly sink: FindingSink,
    private readonly backend: CryptoBackend = nodeCrypto,
  ) {
    this.pending = [...checkpoints].sort((a, b) => a.cp.headSeq - b.cp.headSeq);
  }

  /** An entry seen at `seq` with `hash`. Entries must come in ascending seq order (repeats and stragglers are ignored). */
  observe(seq: number, hash: Uint8Array, where: EntryLocation): void {
    while (this.pending.length > 0 && this.pending[0]!.cp.headSeq < seq) this.pending.shift();
    while (this.pending.length > 0 && this.pending[0]!.cp.headSeq === seq) {
      const { cp, key } = this.pending.shift()!;
      if (!this.backend.equalBytes(cp.headHash, hash)) {
        this.sink(
          finding({
            kind: 'checkpoint_mismatch',
            chainId: this.chainId,
            seqs: { first: seq, last: seq },
            object: { key },
            expected: toHex(cp.headHash),
            actual: toHex(hash),
            message: `checkpoint ${key} signed a head that differs from entry ${seq}`,
            details: { field: 'headHash', entryAt: 'object' in where ? where.object.key : `audit.sealed offset ${where.offset}` },
          }),
        );
      }
    }
  }

  /** Checkpoints whose seq no entry passed (beyond every stream read). */
  get unmatched(): number {
    return this.pending.length;
  }
}
