import type { SealedEntry } from '@auditseal/codec';
import type { LockMode } from '@auditseal/core';

/**
 * Everything the verifier reads enters through the small interfaces of this
 * file (CONVENTIONS.md, after Tessera): the engine never knows whether bytes
 * come from S3, a copy of the bucket on a disk, Kafka or a test fake. The
 * services and the CLI implement them; the contracts below are what every
 * implementation promises.
 */

// ---------------------------------------------------------------------------
// The archive (S3 bucket, or a local copy of it)

export interface ListedObject {
  key: string;
  size: number;
  /** When the store last wrote the object, if the listing says (S3 does). Lets the verifier tell a segment whose manifest is still being written from an orphan. */
  lastModified?: Date;
}

/** What a store reports about an object's current version (`head`). */
export interface ObjectMetadata {
  key: string;
  size: number;
  versionId: string | undefined;
  /** Object Lock mode; undefined when the object has no retention. */
  lockMode: LockMode | undefined;
  retainUntil: Date | undefined;
  legalHold: boolean;
}

export interface ObjectVersionInfo {
  key: string;
  versionId: string;
  isLatest: boolean;
  size: number;
  isDeleteMarker: boolean;
}

/**
 * Read-only access to the archive. Structurally the `ArchiveFetcher` /
 * `ArchiveStore` of @auditseal/archive, so either can be passed as it is.
 *
 * Contract:
 * - `get(key)` resolves to the bytes of the key's current version, or
 *   `undefined` when no object has that key (a missing object is a finding,
 *   not an error). It never returns partial bytes. Any other failure rejects;
 *   the verifier does not catch it (a storage outage is not evidence of
 *   tampering, and the caller decides whether to retry).
 * - `list(prefix)` yields every key that starts with `prefix`, in ascending
 *   byte order, across all pages; `startAfter` skips keys ≤ it.
 * - `head` and `listVersions` are optional: a local copy of a bucket has no
 *   Object Lock metadata and no versions. Without them the retention check
 *   (check-retention.ts) is skipped and the report says so. `head(key)`
 *   resolves to `undefined` when the key has no object; `listVersions(key)`
 *   lists every version and delete marker of exactly `key`.
 */
export interface ArchiveReader {
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix: string, options?: { startAfter?: string }): AsyncIterable<ListedObject>;
  head?(key: string): Promise<ObjectMetadata | undefined>;
  listVersions?(key: string): Promise<ObjectVersionInfo[]>;
}

/**
 * A signed segment manifest, as parsed from its object (FORMAT.md §7.1 fields;
 * the JSON document of @auditseal/archive `parseManifest`). Times are
 * canonical RFC 3339 UTC strings (FORMAT.md §1).
 */
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
  retainUntil: string;
  createdAt: string;
  keyId: string;
  signature: Uint8Array;
}

/** A signed chain head (FORMAT.md §7.2), as parsed from its object. */
export interface Checkpoint {
  chainId: string;
  headSeq: number;
  headHash: Uint8Array;
  time: string;
  keyId: string;
  signature: Uint8Array;
}

/** What a segment parser gives back: its entries in file order, and its header metadata when it has any. */
export interface ParsedSegment {
  entries: Iterable<SealedEntry> | AsyncIterable<SealedEntry>;
  /**
   * Optional: each entry's record bytes as stored (plain Avro binary of the
   * SealedEntry, i.e. an audit.sealed value without its 10-byte header), in
   * the order of `entries`. With them, an entry whose bytes equal an
   * audit.sealed record already verified is not hashed a second time.
   */
  records?: readonly Uint8Array[];
  /** Avro header metadata (`auditseal.chainId`, `auditseal.firstSeq`, `auditseal.lastSeq`), when available. */
  metadata?: Record<string, string>;
}

/**
 * The parsers of the archive's object formats, injected so this package does
 * not depend on @auditseal/archive (an I/O package: it talks to S3) and
 * stays usable in any runtime. The CLI and services pass
 * `{ parseSegment: readSegment, parseManifest, parseCheckpoint }` from
 * @auditseal/archive.
 *
 * Contract: each parser takes UNTRUSTED bytes and either returns or throws
 * (any error; its `code` and `message` become the finding's evidence).
 * Iterating `entries` may throw too (a corrupt block found late); the
 * verifier reports that as an unreadable segment.
 */
export interface ArchiveFormats {
  parseSegment(bytes: Uint8Array): ParsedSegment | Promise<ParsedSegment>;
  parseManifest(bytes: Uint8Array): SegmentManifest;
  parseCheckpoint(bytes: Uint8Array): Checkpoint;
}

// ---------------------------------------------------------------------------
// Kafka

/** One record of an `audit.sealed` partition. */
export interface SealedRecord {
  offset: number;
  /** The record value (null for a Kafka tombstone: malformed). */
  value: Uint8Array | null;
}

/** One committed record of an `audit.events` partition. */
export interface EventRecord {
  offset: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** Kafka record timestamp, ms since the epoch. */
  timestamp: number;
}

export interface PartitionOffsets {
  /** The first offset still in the log (moves up when records are deleted). */
  logStartOffset: number;
  /** The offset the next record will get (read_committed: the last stable offset). */
  endOffset: number;
}

/**
 * Partition p of `audit.sealed` (chain p).
 *
 * Contract:
 * - `read(partition, fromOffset)` yields the partition's committed records
 *   (as a read_committed consumer sees them) with offset ≥ `fromOffset`, in
 *   offset order, and ends at the end offset it saw when it started (it does
 *   not wait for new records). Offsets need not be contiguous (transaction
 *   markers and aborted records take offsets).
 * - `offsets(partition)` reports the log start and end offsets now.
 * Failures reject; the verifier does not catch them.
 */
export interface SealedSource {
  read(partition: number, fromOffset: number): AsyncIterable<SealedRecord>;
  offsets(partition: number): Promise<PartitionOffsets>;
}

/**
 * Partition p of `audit.events`: same contract as SealedSource — committed
 * records only, in offset order, ending at the end offset seen at the start.
 * `offsets` reports where the log starts, so records deleted from the input
 * topic (which has infinite retention) are detected.
 */
export interface EventSource {
  read(partition: number, fromOffset: number): AsyncIterable<EventRecord>;
  offsets(partition: number): Promise<PartitionOffsets>;
}
