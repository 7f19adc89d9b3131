import type { EntryKind, RejectReason, SealedEntry } from './sealed-entry';
import { SINGLE_OBJECT_HEADER_BYTES, SINGLE_OBJECT_MARKER } from './single-object';
import { declining, StrictReader } from './strict-reader';

/**
 * The fast path of decodeSealedEntry: a reader written for exactly one schema,
 * schemas/sealed-entry.v1.avsc (fields in its order), over UNTRUSTED bytes
 * (strict-reader.ts). It reads the single object in one pass, without the
 * generic scan and avsc's decode, and returns undefined at the first thing it
 * does not accept — the caller then runs the detailed decode, which decides
 * and names the error. It accepts no less strictly than that decode (the same
 * size limit, header and fingerprint, the scan's rules, fixed sizes, no
 * trailing bytes) and returns the same entry; sealed-entry-reader.test.ts
 * checks both on valid and on damaged bytes.
 */

const ENTRY_KINDS: readonly EntryKind[] = ['EVENT', 'REJECTED'];
const REJECT_REASONS: readonly RejectReason[] = ['MALFORMED', 'UNKNOWN_SCHEMA', 'TOO_LARGE', 'BAD_SIGNATURE', 'MISSING_SIGNATURE', 'INVALID_EVENT'];

/** The chain id of the previous entry and its bytes (a copy: the input may be reused), so that a stream of one chain's entries decodes its text once. */
let lastChainId: { bytes: Buffer; text: string } | undefined;

/**
 * The entry in `bytes` when they are a valid single-object SealedEntry v1
 * within `maxBytes`; undefined otherwise (and for anything the detailed
 * decode should look at: see above).
 */
export function readSealedEntryFast(bytes: Uint8Array, fingerprint: bigint, maxBytes: number): SealedEntry | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length > maxBytes || bytes.length < SINGLE_OBJECT_HEADER_BYTES) return undefined;
  if (bytes[0] !== SINGLE_OBJECT_MARKER[0] || bytes[1] !== SINGLE_OBJECT_MARKER[1]) return undefined;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readBigUInt64LE(2) !== fingerprint) return undefined;
  const r = new StrictReader(buf, SINGLE_OBJECT_HEADER_BYTES);
  return declining(() => {
    const chainId = r.cachedString(lastChainId);
    const seq = r.long();
    const kind = ENTRY_KINDS[r.index(ENTRY_KINDS.length)]!;
    const sourcePartition = r.int();
    const sourceOffset = r.long();
    const sourceTimestamp = r.long();
    const sealedAt = r.long();
    const key = r.index(2) === 0 ? null : r.bytes();
    const value = r.bytes();
    const rejectReason = r.index(2) === 0 ? null : REJECT_REASONS[r.index(REJECT_REASONS.length)]!;
    const rejectDetail = r.index(2) === 0 ? null : r.string();
    const prevHash = r.fixed(32);
    const hash = r.fixed(32);
    if (!r.atEnd) return undefined;
    if (lastChainId?.text !== chainId) lastChainId = { bytes: Buffer.from(chainId, 'utf8'), text: chainId };
    const entry: SealedEntry = { chainId, seq, kind, sourcePartition, sourceOffset, sourceTimestamp, sealedAt, key, value, rejectReason, rejectDetail, prevHash, hash };
    return entry;
  });
}
