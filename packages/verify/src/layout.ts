import { parseChainId } from '@auditseal/core';
import { VerificationError } from './errors';

/**
 * The archive's key layout (the layout @auditseal/archive writes, keys.ts;
 * FORMAT.md §10.1 when published), parsed independently so that the
 * verifier does not take the writer's word for what belongs in the bucket:
 *
 *   <prefix>/v1/<chain id>/segments/<firstSeq 20 digits>-<lastSeq 20 digits>.avro
 *   <prefix>/v1/<chain id>/segments/<firstSeq 20 digits>-<lastSeq 20 digits>.manifest.json
 *   <prefix>/v1/<chain id>/checkpoints/<headSeq 20 digits>.json
 *   <prefix>/v1/keys/<key id>.json
 *
 * Anything else under `<prefix>/` is an unexpected key.
 */

export type ArchiveKey =
  | { type: 'segment'; chainId: string; firstSeq: number; lastSeq: number; key: string }
  | { type: 'manifest'; chainId: string; firstSeq: number; lastSeq: number; key: string }
  | { type: 'checkpoint'; chainId: string; headSeq: number; key: string }
  | { type: 'keyfile'; keyId: string; key: string };

const SEGMENT_NAME = /^(\d{20})-(\d{20})(\.avro|\.manifest\.json)$/;
const CHECKPOINT_NAME = /^(\d{20})\.json$/;
const KEY_FILE_NAME = /^([0-9a-f]{16})\.json$/;
const PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export function assertArchivePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new VerificationError('invalid_argument', `archive prefix must be path segments of [A-Za-z0-9._-] without leading or trailing "/", got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

const seq = (digits: string): number | undefined => {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
};

/** Classifies a key listed under `<prefix>/`; undefined for anything the layout does not name. */
export function parseArchiveKey(prefix: string, key: string): ArchiveKey | undefined {
  const root = `${prefix}/v1/`;
  if (!key.startsWith(root)) return undefined;
  const parts = key.slice(root.length).split('/');
  if (parts.length === 2 && parts[0] === 'keys') {
    const m = KEY_FILE_NAME.exec(parts[1]!);
    return m ? { type: 'keyfile', keyId: m[1]!, key } : undefined;
  }
  if (parts.length !== 7) return undefined;
  const chainId = parts.slice(0, 5).join('/');
  try {
    parseChainId(chainId);
  } catch {
    return undefined;
  }
  const name = parts[6]!;
  if (parts[5] === 'segments') {
    const m = SEGMENT_NAME.exec(name);
    if (!m) return undefined;
    const firstSeq = seq(m[1]!);
    const lastSeq = seq(m[2]!);
    if (firstSeq === undefined || lastSeq === undefined || lastSeq < firstSeq) return undefined;
    return { type: m[3] === '.avro' ? 'segment' : 'manifest', chainId, firstSeq, lastSeq, key };
  }
  if (parts[5] === 'checkpoints') {
    const m = CHECKPOINT_NAME.exec(name);
    const headSeq = m ? seq(m[1]!) : undefined;
    return headSeq === undefined ? undefined : { type: 'checkpoint', chainId, headSeq, key };
  }
  return undefined;
}

/** The manifest key beside a segment key. */
export function manifestKeyFor(segmentKey: string): string {
  return `${segmentKey.slice(0, -'.avro'.length)}.manifest.json`;
}

/** The key a segment of `chainId` covering firstSeq..lastSeq has. */
export function segmentKeyOf(prefix: string, chainId: string, firstSeq: number, lastSeq: number): string {
  const pad = (n: number) => String(n).padStart(20, '0');
  return `${prefix}/v1/${chainId}/segments/${pad(firstSeq)}-${pad(lastSeq)}.avro`;
}

/** The prefix under which a chain's objects live. */
export function chainRoot(prefix: string, chainId: string): string {
  return `${prefix}/v1/${chainId}/`;
}
