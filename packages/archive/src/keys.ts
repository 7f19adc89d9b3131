import { assertChainId } from '@auditseal/core';
import { ArchiveError } from './errors';

/**
 * Object keys of the archive (FORMAT.md §10.1). Everything a chain owns lives
 * under `<prefix>/v1/<chain id>/`; chain ids (FORMAT.md §2) are
 * `auditseal/v1/<cluster>/<topic>/<partition>` with names of [A-Za-z0-9._-]
 * that are never "." or "..", so they are safe S3 key segments as they are
 * and need no escaping. Seqs are zero-padded to 20 digits (u64 max is 20
 * digits), so lexicographic key order — the order S3 lists keys in — is seq order.
 *
 *   <prefix>/v1/<chain id>/segments/<firstSeq>-<lastSeq>.avro
 *   <prefix>/v1/<chain id>/segments/<firstSeq>-<lastSeq>.manifest.json
 *   <prefix>/v1/<chain id>/checkpoints/<headSeq>.json
 *   <prefix>/v1/keys/<key id>.json
 */

export const SEGMENT_SUFFIX = '.avro';
export const MANIFEST_SUFFIX = '.manifest.json';
export const SEQ_DIGITS = 20;

const PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const SEGMENT_NAME = /^(\d{20})-(\d{20})(\.avro|\.manifest\.json)$/;
const CHECKPOINT_NAME = /^(\d{20})\.json$/;

export function padSeq(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new ArchiveError('invalid_argument', `seq must be a safe integer >= 0, got ${seq}`);
  return String(seq).padStart(SEQ_DIGITS, '0');
}

export interface ParsedSegmentKey {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
  kind: 'segment' | 'manifest';
}

export interface ArchiveLayout {
  readonly prefix: string;
  /** `<prefix>/v1/<chain id>/segments/` — list it to find a chain's segments and manifests. */
  segmentsPrefix(chainId: string): string;
  segmentKey(chainId: string, firstSeq: number, lastSeq: number): string;
  manifestKey(chainId: string, firstSeq: number, lastSeq: number): string;
  /** The manifest beside a segment key. */
  manifestKeyFor(segmentKey: string): string;
  checkpointsPrefix(chainId: string): string;
  checkpointKey(chainId: string, headSeq: number): string;
  keysPrefix(): string;
  keyFileKey(keyId: string): string;
  /** Parses a key listed under segmentsPrefix(chainId); undefined for anything else (an unexpected key). */
  parseSegmentKey(chainId: string, key: string): ParsedSegmentKey | undefined;
  /** Parses a key listed under checkpointsPrefix(chainId). */
  parseCheckpointKey(chainId: string, key: string): number | undefined;
}

/** The layout under `prefix` (1+ path segments of [A-Za-z0-9._-], no leading or trailing slash). */
export function archiveLayout(prefix: string): ArchiveLayout {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new ArchiveError('invalid_argument', `archive prefix must be path segments of [A-Za-z0-9._-] without leading or trailing "/", got ${JSON.stringify(prefix)}`);
  }
  const chainRoot = (chainId: string) => `${prefix}/v1/${assertChainId(chainId)}`;
  const layout: ArchiveLayout = {
    prefix,
    segmentsPrefix: (chainId) => `${chainRoot(chainId)}/segments/`,
    segmentKey: (chainId, firstSeq, lastSeq) => {
      if (lastSeq < firstSeq) throw new ArchiveError('invalid_argument', `lastSeq ${lastSeq} is before firstSeq ${firstSeq}`);
      return `${layout.segmentsPrefix(chainId)}${padSeq(firstSeq)}-${padSeq(lastSeq)}${SEGMENT_SUFFIX}`;
    },
    manifestKey: (chainId, firstSeq, lastSeq) => layout.manifestKeyFor(layout.segmentKey(chainId, firstSeq, lastSeq)),
    manifestKeyFor: (segmentKey) => {
      if (!segmentKey.endsWith(SEGMENT_SUFFIX)) throw new ArchiveError('invalid_argument', `not a segment key: ${segmentKey}`);
      return segmentKey.slice(0, -SEGMENT_SUFFIX.length) + MANIFEST_SUFFIX;
    },
    checkpointsPrefix: (chainId) => `${chainRoot(chainId)}/checkpoints/`,
    checkpointKey: (chainId, headSeq) => `${layout.checkpointsPrefix(chainId)}${padSeq(headSeq)}.json`,
    keysPrefix: () => `${prefix}/v1/keys/`,
    keyFileKey: (keyId) => {
      if (!/^[0-9a-f]{16}$/.test(keyId)) throw new ArchiveError('invalid_argument', `key id must be 16 lowercase hex characters, got ${keyId}`);
      return `${layout.keysPrefix()}${keyId}.json`;
    },
    parseSegmentKey: (chainId, key) => {
      const base = layout.segmentsPrefix(chainId);
      if (!key.startsWith(base)) return undefined;
      const match = SEGMENT_NAME.exec(key.slice(base.length));
      if (!match) return undefined;
      const firstSeq = Number(match[1]);
      const lastSeq = Number(match[2]);
      if (!Number.isSafeInteger(firstSeq) || !Number.isSafeInteger(lastSeq) || lastSeq < firstSeq) return undefined;
      return { chainId, firstSeq, lastSeq, kind: match[3] === SEGMENT_SUFFIX ? 'segment' : 'manifest' };
    },
    parseCheckpointKey: (chainId, key) => {
      const base = layout.checkpointsPrefix(chainId);
      if (!key.startsWith(base)) return undefined;
      const match = CHECKPOINT_NAME.exec(key.slice(base.length));
      const seq = match ? Number(match[1]) : NaN;
      return Number.isSafeInteger(seq) ? seq : undefined;
    },
  };
  return layout;
}
