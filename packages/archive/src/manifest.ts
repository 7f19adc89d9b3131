import {
  checkpointSigningBytes,
  formatTimestamp,
  manifestSigningBytes,
  merkleRoot,
  sign,
  toBase64,
  toHex,
  verifySignature,
  type LockMode,
  type PublicKeyring,
  type SignatureVerification,
  type SigningKey,
} from '@auditseal/core';
import { createHash } from 'node:crypto';
import { ArchiveError } from './errors';
import { FieldReader, parseJsonObject } from './signed-json';

/**
 * Segment manifests and checkpoints as JSON documents (FORMAT.md §10.3–10.4).
 * JSON because a stranger can read and check them with any tool (`jq`,
 * `sha256sum`, an Ed25519 library): the signature covers the text signing
 * bytes of FORMAT.md §7, which are rebuilt line by line from the JSON fields,
 * never from the JSON text itself.
 */

export const MANIFEST_FORMAT = 'auditseal/v1/manifest';
export const CHECKPOINT_FORMAT = 'auditseal/v1/checkpoint';

/**
 * Where the segment's entries were read from. NOT signed and not part of the
 * format's guarantees: a hint that lets an archiver resume reading
 * audit.sealed after the last archived entry; whoever uses it checks that
 * the entry it finds there continues the chain.
 */
export interface ManifestSource {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

export interface SegmentManifest {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
  entryCount: number;
  prevHash: Uint8Array;
  headHash: Uint8Array;
  merkleRoot: Uint8Array;
  segmentKey: string;
  segmentSha256: Uint8Array;
  segmentBytes: number;
  lockMode: LockMode;
  /** Canonical RFC 3339 UTC (FORMAT.md §1). */
  retainUntil: string;
  createdAt: string;
  keyId: string;
  signature: Uint8Array;
  source?: ManifestSource;
}

export type UnsignedManifest = Omit<SegmentManifest, 'keyId' | 'signature' | 'entryCount' | 'retainUntil' | 'createdAt'> & {
  retainUntil: Date | string;
  createdAt: Date | string;
};

const asTime = (t: Date | string) => (t instanceof Date ? formatTimestamp(t) : t);

/** Signs a manifest with `key` (Ed25519 over manifestSigningBytes, FORMAT.md §7.1). */
export function signManifest(fields: UnsignedManifest, key: SigningKey): SegmentManifest {
  const manifest: SegmentManifest = {
    chainId: fields.chainId,
    firstSeq: fields.firstSeq,
    lastSeq: fields.lastSeq,
    entryCount: fields.lastSeq - fields.firstSeq + 1,
    prevHash: fields.prevHash,
    headHash: fields.headHash,
    merkleRoot: fields.merkleRoot,
    segmentKey: fields.segmentKey,
    segmentSha256: fields.segmentSha256,
    segmentBytes: fields.segmentBytes,
    lockMode: fields.lockMode,
    retainUntil: asTime(fields.retainUntil),
    createdAt: asTime(fields.createdAt),
    keyId: key.keyId,
    signature: new Uint8Array(0),
  };
  if (fields.source) manifest.source = { ...fields.source };
  manifest.signature = sign(manifestSigningBytes(manifest), key);
  return manifest;
}

/** The manifest fields that describe a segment's content: hashes and Merkle root from its entries, SHA-256 and size of its bytes. */
export function describeSegment(segment: Uint8Array, entryHashes: readonly Uint8Array[]): { segmentSha256: Uint8Array; segmentBytes: number; merkleRoot: Uint8Array } {
  return {
    segmentSha256: createHash('sha256').update(segment).digest(),
    segmentBytes: segment.length,
    merkleRoot: merkleRoot(entryHashes),
  };
}

/** JSON text of a manifest: fixed field order, 2-space indent, trailing newline; hashes hex, signature base64. */
export function serializeManifest(m: SegmentManifest): Buffer {
  const doc: Record<string, unknown> = {
    format: MANIFEST_FORMAT,
    chainId: m.chainId,
    firstSeq: m.firstSeq,
    lastSeq: m.lastSeq,
    entryCount: m.entryCount,
    prevHash: toHex(m.prevHash),
    headHash: toHex(m.headHash),
    merkleRoot: toHex(m.merkleRoot),
    segmentKey: m.segmentKey,
    segmentSha256: toHex(m.segmentSha256),
    segmentBytes: m.segmentBytes,
    lockMode: m.lockMode,
    retainUntil: m.retainUntil,
    createdAt: m.createdAt,
    keyId: m.keyId,
    signature: toBase64(m.signature),
  };
  if (m.source) doc.source = { topic: m.source.topic, partition: m.source.partition, firstOffset: m.source.firstOffset, lastOffset: m.source.lastOffset };
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
}

const MANIFEST_FIELDS = [
  'format',
  'chainId',
  'firstSeq',
  'lastSeq',
  'entryCount',
  'prevHash',
  'headHash',
  'merkleRoot',
  'segmentKey',
  'segmentSha256',
  'segmentBytes',
  'lockMode',
  'retainUntil',
  'createdAt',
  'keyId',
  'signature',
  'source',
];

/**
 * Parses an UNTRUSTED manifest. Throws only ArchiveError (`too_large`,
 * `malformed`, `unsupported` for another format). Checks structure and that
 * the signed fields are representable in signing bytes (FORMAT.md §7.1);
 * the signature is checked by verifyManifestSignature.
 */
export function parseManifest(bytes: Uint8Array): SegmentManifest {
  const doc = parseJsonObject(bytes, 'manifest');
  if (doc.format !== MANIFEST_FORMAT) throw new ArchiveError('unsupported', `manifest format is not ${MANIFEST_FORMAT}`, { details: { format: String(doc.format).slice(0, 60) } });
  const f = new FieldReader(doc, 'manifest', MANIFEST_FIELDS);
  const lockMode = f.string('lockMode', 16);
  if (lockMode !== 'COMPLIANCE' && lockMode !== 'GOVERNANCE') throw f.bad('lockMode', 'must be COMPLIANCE or GOVERNANCE');
  const m: SegmentManifest = {
    chainId: f.string('chainId', 1024),
    firstSeq: f.count('firstSeq'),
    lastSeq: f.count('lastSeq'),
    entryCount: f.count('entryCount'),
    prevHash: f.hash('prevHash'),
    headHash: f.hash('headHash'),
    merkleRoot: f.hash('merkleRoot'),
    segmentKey: f.string('segmentKey', 1024),
    segmentSha256: f.hash('segmentSha256'),
    segmentBytes: f.count('segmentBytes'),
    lockMode,
    retainUntil: f.time('retainUntil'),
    createdAt: f.time('createdAt'),
    keyId: f.string('keyId', 16),
    signature: f.base64('signature', 64),
  };
  const source = f.object('source');
  if (source) {
    const s = new FieldReader(source, 'manifest.source', ['topic', 'partition', 'firstOffset', 'lastOffset']);
    m.source = { topic: s.string('topic', 249), partition: s.count('partition'), firstOffset: s.count('firstOffset'), lastOffset: s.count('lastOffset') };
  }
  try {
    manifestSigningBytes(m);
  } catch (error) {
    throw new ArchiveError('malformed', `manifest fields are invalid: ${(error as Error).message}`, { cause: error });
  }
  return m;
}

/** Checks a manifest's signature against the keyring at its createdAt (FORMAT.md §6.3). Never throws for bad input. */
export function verifyManifestSignature(m: SegmentManifest, keyring: PublicKeyring): SignatureVerification {
  let bytes: Uint8Array;
  try {
    bytes = manifestSigningBytes(m);
  } catch (error) {
    return { ok: false, reason: 'malformed', keyId: String(m.keyId).slice(0, 64), message: (error as Error).message };
  }
  return verifySignature(bytes, m.signature, m.keyId, keyring, new Date(m.createdAt));
}

/** A signed chain head (FORMAT.md §10.4). */
export interface Checkpoint {
  chainId: string;
  headSeq: number;
  headHash: Uint8Array;
  time: string;
  keyId: string;
  signature: Uint8Array;
}

export function signCheckpoint(fields: { chainId: string; headSeq: number; headHash: Uint8Array; time: Date | string }, key: SigningKey): Checkpoint {
  const cp: Checkpoint = { chainId: fields.chainId, headSeq: fields.headSeq, headHash: fields.headHash, time: asTime(fields.time), keyId: key.keyId, signature: new Uint8Array(0) };
  cp.signature = sign(checkpointSigningBytes(cp), key);
  return cp;
}

export function serializeCheckpoint(cp: Checkpoint): Buffer {
  const doc = { format: CHECKPOINT_FORMAT, chainId: cp.chainId, headSeq: cp.headSeq, headHash: toHex(cp.headHash), time: cp.time, keyId: cp.keyId, signature: toBase64(cp.signature) };
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
}

/** Parses an UNTRUSTED checkpoint. Throws only ArchiveError. */
export function parseCheckpoint(bytes: Uint8Array): Checkpoint {
  const doc = parseJsonObject(bytes, 'checkpoint');
  if (doc.format !== CHECKPOINT_FORMAT) throw new ArchiveError('unsupported', `checkpoint format is not ${CHECKPOINT_FORMAT}`);
  const f = new FieldReader(doc, 'checkpoint', ['format', 'chainId', 'headSeq', 'headHash', 'time', 'keyId', 'signature']);
  const cp: Checkpoint = {
    chainId: f.string('chainId', 1024),
    headSeq: f.count('headSeq'),
    headHash: f.hash('headHash'),
    time: f.time('time'),
    keyId: f.string('keyId', 16),
    signature: f.base64('signature', 64),
  };
  try {
    checkpointSigningBytes(cp);
  } catch (error) {
    throw new ArchiveError('malformed', `checkpoint fields are invalid: ${(error as Error).message}`, { cause: error });
  }
  return cp;
}

export function verifyCheckpointSignature(cp: Checkpoint, keyring: PublicKeyring): SignatureVerification {
  let bytes: Uint8Array;
  try {
    bytes = checkpointSigningBytes(cp);
  } catch (error) {
    return { ok: false, reason: 'malformed', keyId: String(cp.keyId).slice(0, 64), message: (error as Error).message };
  }
  return verifySignature(bytes, cp.signature, cp.keyId, keyring, new Date(cp.time));
}
