import { finding, type FindingSink, type SeqRange } from './findings';
import type { ArchiveReader } from './sources';

/**
 * Check 4 (DESIGN.md "Archive layout", "Verifier" 3): every archived object
 * is written once under Object Lock in COMPLIANCE mode with a retain-until
 * date from policy, and nothing is ever put on top of it.
 *
 *   head:         lock mode COMPLIANCE (none → object_unlocked, GOVERNANCE → object_lock_governance)
 *                 retain-until ≥ createdAt + policy retention − clock skew, and ≥ what the manifest
 *                 says the archiver set (→ retention_too_short)
 *   listVersions: exactly one version, no delete marker (→ extra_object_version)
 *
 * A legal hold does not matter either way: it only ever adds protection.
 * Needs a reader with `head` and `listVersions` (S3); over a plain copy of a
 * bucket the check cannot run and the report says so.
 */

export interface RetentionPolicy {
  /** Minimum retention from an object's creation, ms (e.g. 7 years). */
  retentionMs: number;
  /** Allowance for the archiver's clock running behind, ms. Default 5 minutes. */
  clockSkewMs?: number;
}

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** S3 keeps retain-until in whole seconds and the archiver rounds up; allow that much below a stated date. */
const ROUNDING_MS = 1000;

export interface ObjectRetentionInput {
  reader: ArchiveReader;
  chainId: string;
  key: string;
  seqs?: SeqRange;
  /** When the object was created, as its signed document states (manifest createdAt, checkpoint time). */
  createdAt: Date | undefined;
  /** The retain-until the manifest says the archiver set (for segments and manifests). */
  statedRetainUntil?: Date;
  policy: RetentionPolicy | undefined;
  sink: FindingSink;
}

/** True when the reader can report Object Lock metadata and versions. */
export function canCheckRetention(reader: ArchiveReader): boolean {
  return typeof reader.head === 'function' && typeof reader.listVersions === 'function';
}

/** Checks one object's lock and versions; resolves to whether it passed. */
export async function checkObjectRetention(input: ObjectRetentionInput): Promise<boolean> {
  const { reader, chainId, key, sink } = input;
  if (!reader.head || !reader.listVersions) return true;
  const meta = await reader.head(key);
  if (!meta) return true; // gone since it was listed: the segment/manifest checks report a missing object
  const base = { chainId, ...(input.seqs ? { seqs: input.seqs } : {}), object: meta.versionId ? { key, versionId: meta.versionId } : { key } };
  let ok = true;
  if (meta.lockMode === undefined) {
    ok = false;
    sink(finding({ kind: 'object_unlocked', ...base, expected: 'COMPLIANCE', actual: 'none', message: `object ${key} has no Object Lock retention` }));
  } else if (meta.lockMode !== 'COMPLIANCE') {
    ok = false;
    sink(
      finding({
        kind: 'object_lock_governance',
        ...base,
        expected: 'COMPLIANCE',
        actual: String(meta.lockMode),
        message: `object ${key} is locked in ${meta.lockMode} mode, which privileged users can bypass`,
      }),
    );
  }
  if (meta.lockMode !== undefined) {
    const skew = input.policy?.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    const floors: Array<{ why: string; at: number }> = [];
    if (input.policy && input.createdAt) floors.push({ why: 'policy', at: input.createdAt.getTime() + input.policy.retentionMs - skew });
    if (input.statedRetainUntil) floors.push({ why: 'manifest', at: input.statedRetainUntil.getTime() - ROUNDING_MS });
    const actual = meta.retainUntil?.getTime();
    const broken = floors.filter((f) => actual === undefined || actual < f.at);
    if (broken.length > 0) {
      ok = false;
      const floor = Math.max(...broken.map((f) => f.at));
      sink(
        finding({
          kind: 'retention_too_short',
          ...base,
          expected: `>= ${new Date(floor).toISOString()}`,
          actual: meta.retainUntil ? meta.retainUntil.toISOString() : 'none',
          message: `object ${key} is retained until ${meta.retainUntil?.toISOString() ?? 'no date'}, short of the ${broken.map((b) => b.why).join(' and ')} minimum`,
          details: { below: broken.map((b) => b.why), ...(input.createdAt ? { createdAt: input.createdAt.toISOString() } : {}) },
        }),
      );
    }
  }
  const versions = await reader.listVersions(key);
  if (versions.length > 1 || versions.some((v) => v.isDeleteMarker)) {
    ok = false;
    sink(
      finding({
        kind: 'extra_object_version',
        ...base,
        expected: '1 version',
        actual: `${versions.length} versions${versions.some((v) => v.isDeleteMarker) ? ' (with a delete marker)' : ''}`,
        message: `object ${key} has been written more than once`,
        details: { versions: versions.slice(0, 20).map((v) => `${v.versionId}${v.isLatest ? ' (latest)' : ''}${v.isDeleteMarker ? ' (delete marker)' : ''}`) },
      }),
    );
  }
  return ok;
}

/** A key under the archive prefix that the layout does not name. */
export function reportUnexpectedKey(sink: FindingSink, key: string, chainId = ''): void {
  sink(finding({ kind: 'unexpected_key', chainId, object: { key }, message: `object ${key} does not belong to the archive layout` }));
}
