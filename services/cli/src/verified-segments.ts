import { createHash } from 'node:crypto';
import { parseManifest, readSegment, verifyManifestSignature, type SegmentManifest } from '@auditseal/archive';
import { toCoreEntry, type SealedEntry } from '@auditseal/codec';
import { equalBytes, merkleRoot, toHex, verifyChain, type PublicKeyring } from '@auditseal/core';
import { manifestKeyFor, parseArchiveKey } from '@auditseal/verify';
import type { OpenedArchive } from './archive-source';
import { prefetchingReader } from './archive-source';
import { CliError } from './errors';

/**
 * Segments read for export and prove, each verified before any of its
 * entries is used (docs/FORMAT.md §10.2 "what a verifier checks against the
 * manifest"): manifest parse and signature at createdAt, key and range, the
 * segment's size and SHA-256, its entries' chain links from the manifest's
 * prevHash to its headHash, entry count and the RFC 6962 root; and
 * continuity with the chain's previous segment. verify-archive checks the
 * whole archive; this is the per-segment subset an export relies on.
 */

export interface VerifiedSegment {
  chainId: string;
  segmentKey: string;
  manifestKey: string;
  /** The manifest object as stored. */
  manifestBytes: Uint8Array;
  manifest: SegmentManifest;
  entries: SealedEntry[];
}

export interface ScanSummary {
  segmentsVerified: number;
  entriesVerified: number;
  /** Segments listed without a manifest: not verifiable, not used. */
  segmentsWithoutManifest: string[];
}

export class SegmentRejected extends CliError {
  constructor(
    readonly objectKey: string,
    readonly reason: string,
  ) {
    super('verification_failed', `segment ${objectKey} failed verification: ${reason}`, 'run `auditseal verify-archive` for the full report');
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

export async function verifySegment(archive: { get(key: string): Promise<Uint8Array | undefined> }, chainId: string, manifestKey: string, range: { firstSeq: number; lastSeq: number }, keyring: PublicKeyring): Promise<VerifiedSegment> {
  const segmentKey = manifestKey.slice(0, -'.manifest.json'.length) + '.avro';
  const manifestBytes = await archive.get(manifestKey);
  if (!manifestBytes) throw new SegmentRejected(manifestKey, 'the manifest disappeared while reading');
  let manifest: SegmentManifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (error) {
    throw new SegmentRejected(manifestKey, `manifest does not parse: ${(error as Error).message}`);
  }
  const sig = verifyManifestSignature(manifest, keyring);
  if (!sig.ok) throw new SegmentRejected(manifestKey, `manifest signature invalid (${sig.reason}): ${sig.message}`);
  if (manifest.chainId !== chainId || manifest.firstSeq !== range.firstSeq || manifest.lastSeq !== range.lastSeq || manifest.segmentKey !== segmentKey) {
    throw new SegmentRejected(manifestKey, `manifest describes ${manifest.chainId} ${manifest.firstSeq}–${manifest.lastSeq} (${manifest.segmentKey}), not its key`);
  }
  const bytes = await archive.get(segmentKey);
  if (!bytes) throw new SegmentRejected(segmentKey, 'segment object is missing');
  if (bytes.length !== manifest.segmentBytes) throw new SegmentRejected(segmentKey, `size ${bytes.length} bytes, manifest says ${manifest.segmentBytes}`);
  const digest = sha256(bytes);
  if (!equalBytes(digest, manifest.segmentSha256)) throw new SegmentRejected(segmentKey, `SHA-256 ${toHex(digest)}, manifest says ${toHex(manifest.segmentSha256)}`);
  let entries: SealedEntry[];
  try {
    entries = [...readSegment(bytes).entries];
  } catch (error) {
    throw new SegmentRejected(segmentKey, `segment does not parse: ${(error as Error).message}`);
  }
  if (entries.length !== manifest.entryCount) throw new SegmentRejected(segmentKey, `${entries.length} entries, manifest says ${manifest.entryCount}`);
  const chain = verifyChain(
    entries.map((e) => toCoreEntry(e)),
    { chainId, from: { chainId, seq: manifest.firstSeq - 1, hash: manifest.prevHash } },
  );
  if (!chain.ok) throw new SegmentRejected(segmentKey, `${chain.failure.kind} at seq ${chain.failure.seq}: ${chain.failure.message}`);
  if (!equalBytes(chain.head.hash, manifest.headHash) || chain.head.seq !== manifest.lastSeq) throw new SegmentRejected(segmentKey, 'last entry is not the manifest head');
  const root = merkleRoot(entries.map((e) => e.hash));
  if (!equalBytes(root, manifest.merkleRoot)) throw new SegmentRejected(segmentKey, `Merkle root ${toHex(root)}, manifest says ${toHex(manifest.merkleRoot)}`);
  return { chainId, segmentKey, manifestKey, manifestBytes, manifest, entries };
}

/** Every segment that has a manifest, chain by chain in seq order, verified; throws SegmentRejected at the first that fails. */
export async function* verifiedSegments(archive: OpenedArchive, keyring: PublicKeyring, summary: ScanSummary, concurrency = 8): AsyncIterable<VerifiedSegment> {
  const reader = prefetchingReader(archive.reader, concurrency);
  const previous = new Map<string, SegmentManifest>();
  let pendingSegment: string | undefined;
  for await (const item of reader.list(`${archive.prefix}/v1/`)) {
    const key = parseArchiveKey(archive.prefix, item.key);
    if (!key || (key.type !== 'segment' && key.type !== 'manifest')) continue;
    if (key.type === 'segment') {
      if (pendingSegment) summary.segmentsWithoutManifest.push(pendingSegment);
      pendingSegment = item.key;
      continue;
    }
    if (pendingSegment && manifestKeyFor(pendingSegment) !== item.key) summary.segmentsWithoutManifest.push(pendingSegment);
    pendingSegment = undefined;
    const segment = await verifySegment(reader, key.chainId, item.key, key, keyring);
    const before = previous.get(key.chainId);
    if (before && before.lastSeq + 1 === segment.manifest.firstSeq && !equalBytes(before.headHash, segment.manifest.prevHash)) {
      throw new SegmentRejected(segment.segmentKey, `does not continue the previous segment ${before.segmentKey} (prevHash ≠ its headHash)`);
    }
    previous.set(key.chainId, segment.manifest);
    summary.segmentsVerified++;
    summary.entriesVerified += segment.entries.length;
    yield segment;
  }
  if (pendingSegment) summary.segmentsWithoutManifest.push(pendingSegment);
}
