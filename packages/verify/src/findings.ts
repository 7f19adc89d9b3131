import { nodeCrypto, toHex, type CryptoBackend } from '@auditseal/core';

/**
 * Findings: what the verifier reports, each with its evidence (CONVENTIONS.md
 * habit 3). The list of kinds, their severity and evidence fields is in
 * packages/verify/README.md; keep both in step.
 */

export type Severity = 'critical' | 'high' | 'warning' | 'info';

export type FindingKind =
  // check-chain: links and seqs of a stream of sealed entries (FORMAT.md §4.3, §9.3)
  | 'malformed_record'
  | 'invalid_entry'
  | 'wrong_chain'
  | 'gap'
  | 'duplicate'
  | 'fork'
  | 'out_of_order'
  | 'bad_prev_hash'
  | 'bad_hash'
  // check-completeness: audit.events ↔ chain accounting (DESIGN.md "Completeness")
  | 'missing_entry'
  | 'unexpected_entry'
  | 'duplicate_entry'
  | 'source_out_of_order'
  | 'value_mismatch'
  | 'input_truncated'
  // check-segments: segments vs manifests, continuity, checkpoints (FORMAT.md §5, §7)
  | 'manifest_unreadable'
  | 'manifest_mismatch'
  | 'manifest_signature_invalid'
  | 'segment_missing'
  | 'segment_without_manifest'
  | 'segment_size_mismatch'
  | 'segment_sha256_mismatch'
  | 'segment_unreadable'
  | 'segment_entries_mismatch'
  | 'merkle_root_mismatch'
  | 'head_hash_mismatch'
  | 'segment_gap'
  | 'segment_overlap'
  | 'segment_discontinuity'
  | 'checkpoint_unreadable'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_mismatch'
  | 'archive_truncated'
  // check-retention: Object Lock and the key layout
  | 'object_unlocked'
  | 'object_lock_governance'
  | 'retention_too_short'
  | 'extra_object_version'
  | 'unexpected_key'
  | 'key_file_mismatch'
  // check-agreement: Kafka ↔ S3
  | 'archive_mismatch'
  | 'sealed_truncated'
  | 'sealed_behind_archive'
  // check-liveness
  | 'archive_stalled'
  | 'checkpoint_stale';

/** Default severity of each kind (a check may raise it, e.g. a hole nobody holds any more). */
export const SEVERITY: Readonly<Record<FindingKind, Severity>> = Object.freeze({
  malformed_record: 'critical',
  invalid_entry: 'critical',
  wrong_chain: 'critical',
  gap: 'critical',
  duplicate: 'warning',
  fork: 'critical',
  out_of_order: 'critical',
  bad_prev_hash: 'critical',
  bad_hash: 'critical',
  missing_entry: 'critical',
  unexpected_entry: 'critical',
  duplicate_entry: 'critical',
  source_out_of_order: 'critical',
  value_mismatch: 'critical',
  input_truncated: 'high',
  manifest_unreadable: 'critical',
  manifest_mismatch: 'critical',
  manifest_signature_invalid: 'critical',
  segment_missing: 'critical',
  segment_without_manifest: 'high',
  segment_size_mismatch: 'critical',
  segment_sha256_mismatch: 'critical',
  segment_unreadable: 'critical',
  segment_entries_mismatch: 'critical',
  merkle_root_mismatch: 'critical',
  head_hash_mismatch: 'critical',
  segment_gap: 'critical',
  segment_overlap: 'high',
  segment_discontinuity: 'critical',
  checkpoint_unreadable: 'high',
  checkpoint_signature_invalid: 'critical',
  checkpoint_mismatch: 'critical',
  archive_truncated: 'critical',
  object_unlocked: 'critical',
  object_lock_governance: 'high',
  retention_too_short: 'high',
  extra_object_version: 'critical',
  unexpected_key: 'warning',
  key_file_mismatch: 'high',
  archive_mismatch: 'critical',
  sealed_truncated: 'high',
  sealed_behind_archive: 'critical',
  archive_stalled: 'high',
  checkpoint_stale: 'warning',
});

export const FINDING_KINDS: readonly FindingKind[] = Object.freeze(Object.keys(SEVERITY) as FindingKind[]);

/** Inclusive seq range of a chain. */
export interface SeqRange {
  first: number;
  last: number;
}

/** Inclusive offset range of a Kafka partition. */
export interface OffsetRange {
  topic: 'sealed' | 'events';
  partition: number;
  first: number;
  last: number;
}

export interface ObjectRef {
  key: string;
  versionId?: string;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  chainId: string;
  /** The seqs the problem concerns. */
  seqs?: SeqRange;
  /** What the verifier expected and what it found: hashes in lowercase hex, seqs and offsets in decimal. */
  expected?: string;
  actual?: string;
  /** The object the evidence is in (segment, manifest, checkpoint, …). */
  object?: ObjectRef;
  /** The Kafka records the evidence is in. */
  offsets?: OffsetRange;
  message: string;
  /** More evidence: error codes, counts, times. Values are plain JSON. */
  details?: Record<string, string | number | boolean | string[]>;
}

export type FindingInput = Omit<Finding, 'severity'> & { severity?: Severity };

export function finding(input: FindingInput): Finding {
  const out: Finding = { ...input, severity: input.severity ?? SEVERITY[input.kind] };
  for (const key of Object.keys(out) as (keyof Finding)[]) if (out[key] === undefined) delete out[key];
  return out;
}

/**
 * A stable key for one distinct problem, so the continuous verifier raises
 * each problem once rather than on every pass. It covers what locates the
 * problem — kind, chain, seq range, object key and version, offsets — and not
 * the message, the severity or values that drift from pass to pass (a lag, an
 * age): a liveness finding names the seq where progress stopped, so the same
 * stall keeps its id and a new stall gets a new one. 32 hex characters
 * (128 bits of SHA-256).
 */
export function findingId(f: Finding, backend: CryptoBackend = nodeCrypto): string {
  const parts = [
    f.kind,
    f.chainId,
    f.seqs ? `${f.seqs.first}-${f.seqs.last}` : '',
    f.object ? `${f.object.key}@${f.object.versionId ?? ''}` : '',
    f.offsets ? `${f.offsets.topic}/${f.offsets.partition}/${f.offsets.first}-${f.offsets.last}` : '',
  ];
  return toHex(backend.sha256(new TextEncoder().encode(JSON.stringify(parts)))).slice(0, 32);
}

/** Where a check sends its findings. */
export type FindingSink = (finding: Finding) => void;
