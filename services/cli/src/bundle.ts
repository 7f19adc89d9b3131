import { parseCheckpoint, parseManifest, verifyCheckpointSignature, verifyManifestSignature } from '@auditseal/archive';
import { decodeEvent, decodeSealedEntry, encodeSealedEntry, toCoreEntry, type AuditEvent, type SealedEntry } from '@auditseal/codec';
import { entryBodyHash, equalBytes, fromHex, linkHash, toHex, verifyInclusion, type PublicKeyring } from '@auditseal/core';
import { eventJson } from './event-json';

/**
 * Evidence bundles (docs/FORMAT.md §11): everything needed to show, offline
 * and with only the public keys, that one event is in the archive — the
 * sealed entry's bytes, its RFC 6962 inclusion proof to the Merkle root of
 * its segment, the signed manifest holding that root, and the first signed
 * checkpoint at or after the entry.
 */

export const BUNDLE_FORMAT = 'auditseal/v1/evidence-bundle';

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  createdAt: string;
  eventId: string;
  /** Informational: where the bundle was built from. */
  archive: string;
  entry: {
    /** The SealedEntry in Avro single-object encoding (FORMAT.md §9), base64. */
    sealedEntry: string;
    chainId: string;
    seq: number;
    /** Hex: SHA-256 of the entry body (§3), prevHash and hash (§4). */
    bodyHash: string;
    prevHash: string;
    hash: string;
    /** Decoded for humans; verify-proof checks it against sealedEntry. */
    event: Record<string, unknown>;
  };
  inclusion: {
    segmentKey: string;
    /** seq − manifest.firstSeq. */
    leafIndex: number;
    /** manifest.entryCount. */
    treeSize: number;
    /** Audit path, hex, the sibling nearest the leaf first (FORMAT.md §5). */
    proof: string[];
    merkleRoot: string;
  };
  manifest: { key: string; json: string };
  checkpoint: { key: string; json: string } | null;
  /** The keyring document (FORMAT.md §6.4) of the keys that signed the manifest and checkpoint, informational: verify-proof trusts only --keyring. */
  keys: unknown;
}

export interface BundleCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BundleVerification {
  valid: boolean;
  checks: BundleCheck[];
  /** The first failed check's detail. */
  reason?: string;
  summary?: { eventId: string; chainId: string; seq: number; segmentKey: string; manifestCreatedAt: string; checkpoint?: { headSeq: number; time: string } };
}

const HEX32 = /^[0-9a-f]{64}$/;

function hex32(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !HEX32.test(value)) throw new Error(`${what} must be 64 lowercase hex characters`);
  return fromHex(value);
}

/** The single-object bytes of an entry, as they go into a bundle. */
export function sealedEntryBytes(entry: SealedEntry): Uint8Array {
  return encodeSealedEntry(entry);
}

export function eventOf(entry: SealedEntry): AuditEvent {
  return decodeEvent(entry.value);
}

/**
 * Checks an UNTRUSTED bundle with the given keyring only, as a checklist
 * (CONVENTIONS.md, after sigstore): every step runs and is reported; the
 * bundle is valid when all pass. Never throws for bad input.
 */
export function verifyBundle(input: unknown, keyring: PublicKeyring): BundleVerification {
  const checks: BundleCheck[] = [];
  const check = (name: string, fn: () => string): boolean => {
    try {
      checks.push({ name, ok: true, detail: fn() });
      return true;
    } catch (error) {
      checks.push({ name, ok: false, detail: (error as Error)?.message ?? String(error) });
      return false;
    }
  };
  const finish = (summary?: BundleVerification['summary']): BundleVerification => {
    const failed = checks.find((c) => !c.ok);
    return failed ? { valid: false, checks, reason: `${failed.name}: ${failed.detail}` } : { valid: true, checks, ...(summary ? { summary } : {}) };
  };
  const b = input as EvidenceBundle;
  if (!check('format', () => {
    if (typeof b !== 'object' || b === null || b.format !== BUNDLE_FORMAT) throw new Error(`not an ${BUNDLE_FORMAT} document`);
    if (typeof b.entry !== 'object' || typeof b.inclusion !== 'object' || typeof b.manifest !== 'object' || b.entry === null || b.inclusion === null || b.manifest === null) throw new Error('entry, inclusion and manifest are required');
    return BUNDLE_FORMAT;
  })) return finish();

  // 1. The entry: its bytes decode, its hash is the link over its body (FORMAT.md §3–4), it carries the event.
  let entry: SealedEntry | undefined;
  let event: AuditEvent | undefined;
  check('entry decodes', () => {
    // FORMAT.md §1: base64 is canonical (padded, zero pad bits); Buffer.from is lenient, so re-encode and compare.
    const bytes = typeof b.entry.sealedEntry === 'string' ? Buffer.from(b.entry.sealedEntry, 'base64') : undefined;
    if (!bytes || bytes.toString('base64') !== b.entry.sealedEntry) throw new Error('entry.sealedEntry must be canonical base64');
    entry = decodeSealedEntry(bytes);
    if (entry.chainId !== b.entry.chainId || entry.seq !== b.entry.seq) throw new Error(`the bytes are entry ${entry.chainId} #${entry.seq}, the bundle says ${String(b.entry.chainId)} #${String(b.entry.seq)}`);
    return `${entry.chainId} seq ${entry.seq}`;
  });
  if (!entry) return finish();
  const e = entry;
  check('event', () => {
    if (e.kind !== 'EVENT') throw new Error(`entry is ${e.kind}, not an event`);
    event = decodeEvent(e.value);
    if (event.eventId !== b.eventId) throw new Error(`entry holds event ${event.eventId}, the bundle claims ${String(b.eventId)}`);
    const summary = JSON.stringify(eventJson(event, e));
    if (summary !== JSON.stringify(b.entry.event)) throw new Error('entry.event (the decoded summary) differs from the event in entry.sealedEntry');
    return event.eventId;
  });
  check('entry hash', () => {
    const bodyHash = entryBodyHash(toCoreEntry(e));
    if (!equalBytes(bodyHash, hex32(b.entry.bodyHash, 'entry.bodyHash'))) throw new Error(`body hash is ${toHex(bodyHash)}, the bundle says ${String(b.entry.bodyHash)}`);
    if (!equalBytes(e.prevHash, hex32(b.entry.prevHash, 'entry.prevHash'))) throw new Error('entry.prevHash differs from the entry');
    const recomputed = linkHash({ chainId: e.chainId, seq: e.seq, prevHash: e.prevHash, bodyHash });
    if (!equalBytes(recomputed, e.hash)) throw new Error(`link hash recomputes to ${toHex(recomputed)}, the entry says ${toHex(e.hash)}`);
    if (!equalBytes(recomputed, hex32(b.entry.hash, 'entry.hash'))) throw new Error('entry.hash differs from the entry');
    return toHex(recomputed);
  });

  // 2. The manifest: parses, is signed by a trusted key valid at its createdAt, covers the entry.
  let manifest: ReturnType<typeof parseManifest> | undefined;
  check('manifest signature', () => {
    if (typeof b.manifest.json !== 'string') throw new Error('manifest.json must be the manifest text');
    manifest = parseManifest(Buffer.from(b.manifest.json, 'utf8'));
    const sig = verifyManifestSignature(manifest, keyring);
    if (!sig.ok) throw new Error(`${sig.reason}: ${sig.message}`);
    return `key ${manifest.keyId} at ${manifest.createdAt}`;
  });
  if (manifest) {
    const m = manifest;
    check('manifest covers entry', () => {
      if (m.chainId !== e.chainId) throw new Error(`manifest is for chain ${m.chainId}`);
      if (e.seq < m.firstSeq || e.seq > m.lastSeq) throw new Error(`seq ${e.seq} is outside the manifest's ${m.firstSeq}–${m.lastSeq}`);
      if (m.segmentKey !== b.inclusion.segmentKey || b.manifest.key !== m.segmentKey.replace(/\.avro$/, '.manifest.json')) throw new Error('segment/manifest keys differ from the manifest');
      return `${m.segmentKey} (${m.firstSeq}–${m.lastSeq})`;
    });
    // 3. Inclusion: the entry hash is leaf seq − firstSeq of the tree of entryCount leaves whose root the manifest signs (FORMAT.md §5: size and root from the same signed statement).
    check('inclusion proof', () => {
      const proof = Array.isArray(b.inclusion.proof) ? b.inclusion.proof.map((p, i) => hex32(p, `inclusion.proof[${i}]`)) : [];
      if (!Array.isArray(b.inclusion.proof)) throw new Error('inclusion.proof must be an array');
      const index = e.seq - m.firstSeq;
      const result = verifyInclusion({ leaf: e.hash }, index, m.entryCount, proof, m.merkleRoot);
      if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
      return `leaf ${index} of ${m.entryCount}, root ${toHex(m.merkleRoot)}`;
    });
  }

  // 4. The checkpoint, when present: signed by a trusted key at its time, same chain, at or after the entry.
  let checkpoint: ReturnType<typeof parseCheckpoint> | undefined;
  if (b.checkpoint !== null && b.checkpoint !== undefined) {
    check('checkpoint', () => {
      if (typeof b.checkpoint?.json !== 'string') throw new Error('checkpoint.json must be the checkpoint text');
      const cp = parseCheckpoint(Buffer.from(b.checkpoint.json, 'utf8'));
      const sig = verifyCheckpointSignature(cp, keyring);
      if (!sig.ok) throw new Error(`signature ${sig.reason}: ${sig.message}`);
      if (cp.chainId !== e.chainId) throw new Error(`checkpoint is for chain ${cp.chainId}`);
      if (cp.headSeq < e.seq) throw new Error(`checkpoint head ${cp.headSeq} is before the entry's seq ${e.seq}`);
      if (cp.headSeq === e.seq && !equalBytes(cp.headHash, e.hash)) throw new Error('checkpoint at the entry\'s seq names another hash');
      checkpoint = cp;
      return `head ${cp.headSeq} at ${cp.time}, key ${cp.keyId}`;
    });
  }
  return finish(
    manifest && event
      ? {
          eventId: event.eventId,
          chainId: e.chainId,
          seq: e.seq,
          segmentKey: manifest.segmentKey,
          manifestCreatedAt: manifest.createdAt,
          ...(checkpoint ? { checkpoint: { headSeq: checkpoint.headSeq, time: checkpoint.time } } : {}),
        }
      : undefined,
  );
}
