import { isBytes, toHex, utf8 } from './bytes';
import { parseChainId } from './chain-id';
import { CoreError, isAuditSealError, type CoreErrorCode } from './errors';
import { KEY_ID_PATTERN, type KeyId } from './keys';
import { formatTimestamp, parseTimestamp } from './timestamps';

/**
 * The bytes a manifest or checkpoint signature covers (FORMAT.md §7): a text
 * body in the spirit of C2SP signed notes — a header line, then one
 * `name SP value LF` line per field in a fixed order. Every value is
 * validated to printable ASCII without spaces (so no field can inject a line
 * or a field) and has a single canonical spelling, so equal documents have
 * equal bytes.
 */

export const MANIFEST_HEADER = 'auditseal/v1/manifest';
export const CHECKPOINT_HEADER = 'auditseal/v1/checkpoint';
export type LockMode = 'COMPLIANCE' | 'GOVERNANCE';
export const MAX_SEGMENT_KEY_LENGTH = 1024;

/** The signed fields of a segment manifest (DESIGN.md "Archive layout"). */
export interface ManifestFields {
  chainId: string;
  firstSeq: number;
  lastSeq: number;
  /** hash_{firstSeq-1}: the genesis hash when firstSeq is 0. */
  prevHash: Uint8Array;
  /** hash_{lastSeq}. */
  headHash: Uint8Array;
  /** RFC 6962 root over the segment's entry hashes (FORMAT.md §5). */
  merkleRoot: Uint8Array;
  /** lastSeq - firstSeq + 1. */
  entryCount: number;
  /** S3 key of the segment object. */
  segmentKey: string;
  /** SHA-256 of the segment object's bytes. */
  segmentSha256: Uint8Array;
  segmentBytes: number;
  lockMode: LockMode;
  /** Object Lock retain-until (canonical RFC 3339 UTC, or a Date). */
  retainUntil: Date | string;
  createdAt: Date | string;
  keyId: KeyId;
}

/** The signed fields of a chain checkpoint (a signed chain head). */
export interface CheckpointFields {
  chainId: string;
  headSeq: number;
  headHash: Uint8Array;
  time: Date | string;
  keyId: KeyId;
}

type Line = readonly [name: string, value: string];

function fieldError(code: CoreErrorCode, field: string, message: string, cause?: unknown): CoreError {
  return new CoreError(code, `${field}: ${message}`, cause === undefined ? { details: { field } } : { cause, details: { field } });
}

function makeCheckers(code: CoreErrorCode) {
  const fail = (field: string, message: string, cause?: unknown) => fieldError(code, field, message, cause);
  return {
    fail,
    count(field: string, value: unknown): string {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw fail(field, 'must be a safe integer ≥ 0');
      return String(value);
    },
    hash(field: string, value: unknown): string {
      if (!isBytes(value, 32)) throw fail(field, 'must be 32 bytes');
      return toHex(value);
    },
    time(field: string, value: unknown): string {
      try {
        return value instanceof Date ? formatTimestamp(value) : formatTimestamp(parseTimestamp(value, { canonical: true }));
      } catch (error) {
        throw fail(field, error instanceof Error ? error.message : 'invalid timestamp', error);
      }
    },
    chainId(field: string, value: unknown): string {
      try {
        parseChainId(value);
      } catch (error) {
        if (!isAuditSealError(error)) throw error;
        throw fail(field, error.message, error);
      }
      return value as string;
    },
    keyId(field: string, value: unknown): string {
      if (typeof value !== 'string' || !KEY_ID_PATTERN.test(value)) throw fail(field, 'must be 16 lowercase hex characters');
      return value;
    },
  };
}

function render(header: string, lines: readonly Line[]): Uint8Array {
  let text = `${header}\n`;
  for (const [name, value] of lines) text += `${name} ${value}\n`;
  return utf8(text);
}

const manifestCheck = makeCheckers('invalid_manifest');
const checkpointCheck = makeCheckers('invalid_checkpoint');

/** Printable ASCII without space: U+0021 … U+007E. */
const SEGMENT_KEY = /^[\x21-\x7e]+$/;

/** Bytes a manifest signature covers (FORMAT.md §7.1). Throws `invalid_manifest`. */
export function manifestSigningBytes(m: ManifestFields): Uint8Array {
  const c = manifestCheck;
  const firstSeq = c.count('firstSeq', m.firstSeq);
  const lastSeq = c.count('lastSeq', m.lastSeq);
  const entryCount = c.count('entryCount', m.entryCount);
  if (m.lastSeq < m.firstSeq) throw c.fail('lastSeq', 'must not be before firstSeq');
  if (m.entryCount !== m.lastSeq - m.firstSeq + 1) throw c.fail('entryCount', 'must equal lastSeq - firstSeq + 1');
  if (typeof m.segmentKey !== 'string' || m.segmentKey.length > MAX_SEGMENT_KEY_LENGTH || !SEGMENT_KEY.test(m.segmentKey)) {
    throw c.fail('segmentKey', `must be 1-${MAX_SEGMENT_KEY_LENGTH} printable ASCII characters without spaces`);
  }
  if (m.lockMode !== 'COMPLIANCE' && m.lockMode !== 'GOVERNANCE') throw c.fail('lockMode', 'must be COMPLIANCE or GOVERNANCE');
  return render(MANIFEST_HEADER, [
    ['chainId', c.chainId('chainId', m.chainId)],
    ['firstSeq', firstSeq],
    ['lastSeq', lastSeq],
    ['prevHash', c.hash('prevHash', m.prevHash)],
    ['headHash', c.hash('headHash', m.headHash)],
    ['merkleRoot', c.hash('merkleRoot', m.merkleRoot)],
    ['entryCount', entryCount],
    ['segmentKey', m.segmentKey],
    ['segmentSha256', c.hash('segmentSha256', m.segmentSha256)],
    ['segmentBytes', c.count('segmentBytes', m.segmentBytes)],
    ['lockMode', m.lockMode],
    ['retainUntil', c.time('retainUntil', m.retainUntil)],
    ['createdAt', c.time('createdAt', m.createdAt)],
    ['keyId', c.keyId('keyId', m.keyId)],
  ]);
}

/** Bytes a checkpoint signature covers (FORMAT.md §7.2). Throws `invalid_checkpoint`. */
export function checkpointSigningBytes(cp: CheckpointFields): Uint8Array {
  const c = checkpointCheck;
  return render(CHECKPOINT_HEADER, [
    ['chainId', c.chainId('chainId', cp.chainId)],
    ['headSeq', c.count('headSeq', cp.headSeq)],
    ['headHash', c.hash('headHash', cp.headHash)],
    ['time', c.time('time', cp.time)],
    ['keyId', c.keyId('keyId', cp.keyId)],
  ]);
}
