import type { LockMode } from '@auditseal/core';

/**
 * Storage enters the archive through two small interfaces (CONVENTIONS.md,
 * after Tessera), so readers and checkers never know whether the bytes come
 * from S3 or from a copy of the bucket on a disk.
 *
 * Contract of every implementation:
 * - `get(key)` returns the bytes of the key's current version, or `undefined`
 *   when no object has that key. It never returns partial bytes. Any other
 *   failure throws an ArchiveError `storage_error` whose `retriable` says
 *   whether the same call may succeed later.
 * - `list(prefix)` yields every key that starts with `prefix`, in ascending
 *   lexicographic (byte) order, across all pages; `startAfter` skips keys
 *   ≤ it. A missing prefix yields nothing.
 */
export interface ArchiveFetcher {
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix: string, options?: { startAfter?: string }): AsyncIterable<ListedObject>;
}

export interface ListedObject {
  key: string;
  size: number;
  /** When the store last wrote the object, if its listing says (S3 does): the verifier's manifest grace (VERIFIER_MANIFEST_GRACE_MS) needs it. */
  lastModified?: Date;
}

export interface PutOnceOptions {
  lockMode: LockMode;
  /** Object Lock retain-until; rounded UP to a whole second (S3 keeps seconds). */
  retainUntil: Date;
  contentType?: string;
}

/** 'created': this call wrote the object. 'identical': an object with the same SHA-256 was already there (no-op). */
export type PutOnceResult = 'created' | 'identical';

export interface ObjectInfo {
  key: string;
  size: number;
  /** SHA-256 of the object as the store reports it (lowercase hex), when it keeps one. */
  sha256: string | undefined;
  versionId: string | undefined;
  lockMode: LockMode | undefined;
  retainUntil: Date | undefined;
  legalHold: boolean;
}

export interface ObjectVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  size: number;
  isDeleteMarker: boolean;
}

/**
 * The write side, for the archiver:
 * - `putOnce` writes a key exactly once, under Object Lock. When the key
 *   already holds an object with the same SHA-256 it is a no-op returning
 *   'identical'; a different object throws ArchiveError `conflict` with both
 *   SHA-256s in `details` (`expectedSha256` = ours, `actualSha256` = theirs).
 *   Never overwrites.
 * - `head` returns size, SHA-256, version and retention of the current
 *   version, or `undefined` when the key has no object.
 * - `listVersions` returns every version and delete marker of exactly `key`.
 * - `bucketObjectLockEnabled` says whether the bucket has Object Lock on.
 */
export interface ArchiveStore extends ArchiveFetcher {
  putOnce(key: string, bytes: Uint8Array, options: PutOnceOptions): Promise<PutOnceResult>;
  head(key: string): Promise<ObjectInfo | undefined>;
  listVersions(key: string): Promise<ObjectVersion[]>;
  bucketObjectLockEnabled(): Promise<boolean>;
}

/** Every key of `fetcher` under `prefix`, in order. */
export async function listAll(fetcher: ArchiveFetcher, prefix: string, options?: { startAfter?: string }): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for await (const item of fetcher.list(prefix, options)) out.push(item);
  return out;
}
