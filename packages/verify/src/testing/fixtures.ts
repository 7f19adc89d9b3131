/* eslint-disable no-restricted-imports -- test fixtures only (excluded from the build): real segments,
   manifests and checkpoints are written with @auditseal/archive so the verifier is tested against the
   formats the archiver produces, not against a copy of them. */
import {
  encodeSegment,
  parseCheckpoint,
  parseManifest,
  readSegment,
  sealedEntryAvroBinary,
  serializeCheckpoint,
  serializeManifest,
  signCheckpoint,
  signManifest,
} from '@auditseal/archive';
import { encodeEvent, encodeSealedEntry, type SealedEntry } from '@auditseal/codec';
import {
  chainId as makeChainId,
  createKeyring,
  genesisHead,
  merkleRoot,
  nodeCrypto,
  publicKeyEntry,
  sealEntry,
  serializeKeyring,
  signingKeyFromSeed,
  type ChainHead,
  type LockMode,
  type PublicKeyring,
  type SigningKey,
} from '@auditseal/core';
import { segmentKeyOf } from '../layout';
import type {
  ArchiveFormats,
  ArchiveReader,
  EventRecord,
  EventSource,
  ListedObject,
  ObjectMetadata,
  ObjectVersionInfo,
  PartitionOffsets,
  SealedRecord,
  SealedSource,
} from '../sources';

export const PREFIX = 'auditseal-archive';
export const CHAIN = makeChainId({ cluster: 'test-cluster', topic: 'audit.events', partition: 0 });
export const CHAIN_1 = makeChainId({ cluster: 'test-cluster', topic: 'audit.events', partition: 1 });
/** The time the archive was written in these tests. */
export const NOW = new Date('2026-11-26T20:00:00.000Z');
export const SEVEN_YEARS_MS = 7 * 365 * 24 * 3600 * 1000;

const seed = (n: number) => nodeCrypto.sha256(new TextEncoder().encode(`auditseal/v1/test-key/${n}`));
export const KEY_1: SigningKey = signingKeyFromSeed(seed(1));
export const KEY_2: SigningKey = signingKeyFromSeed(seed(2));
export const ROGUE_KEY: SigningKey = signingKeyFromSeed(seed(99));
/** Key 1 signs until 2026-11-26T21:00Z, key 2 from then on. */
export const KEYRING: PublicKeyring = createKeyring([
  publicKeyEntry(KEY_1, new Date('2026-01-01T00:00:00.000Z'), new Date('2026-11-26T21:00:00.000Z')),
  publicKeyEntry(KEY_2, new Date('2026-11-26T21:00:00.000Z')),
]);

export const FORMATS: ArchiveFormats = { parseSegment: readSegment, parseManifest, parseCheckpoint };

/** Source offset of seq n: every other offset, as if a transaction marker followed each record. */
export const offsetOf = (seq: number) => seq * 2;
/** Offset of seq n in audit.sealed. */
export const sealedOffsetOf = (seq: number) => seq * 2 + 1;

/** A real audit event (single-object encoding) for seq n. */
export function eventValue(seq: number, timeMs: number): Buffer {
  const hex = seq.toString(16).padStart(12, '0');
  return encodeEvent({
    eventId: `019468a1-f800-7abc-8def-${hex}`,
    eventTime: timeMs * 1000,
    tenant: `tenant-${seq % 3}`,
    actor: { type: 'service', id: 'scheduler' },
    action: 'report.generate',
    target: { type: 'report', id: `r-${seq}` },
    outcome: 'SUCCESS',
    source: { service: 'reports', instance: 'reports-0' },
  });
}

/** Seals `count` real entries after `head`, one sealed a second, the last one second before NOW. */
export function buildEntries(count: number, options: { chainId?: string; head?: ChainHead; total?: number } = {}): { entries: SealedEntry[]; head: ChainHead } {
  const chainId = options.chainId ?? CHAIN;
  const partition = Number(chainId.slice(chainId.lastIndexOf('/') + 1));
  let head = options.head ?? genesisHead(chainId);
  const total = options.total ?? head.seq + 1 + count;
  const entries: SealedEntry[] = [];
  for (let i = 0; i < count; i++) {
    const seq = head.seq + 1;
    const rejected = seq % 7 === 3;
    const sealedAtMs = NOW.getTime() - (total - seq) * 1000;
    const fields = {
      kind: rejected ? ('rejected' as const) : ('event' as const),
      sourceOffset: offsetOf(seq),
      sourceTimestampMs: sealedAtMs - 5,
      sealedAtMicros: sealedAtMs * 1000,
      key: seq % 5 === 0 ? null : Buffer.from(`tenant-${seq % 3}`),
      value: rejected ? Buffer.alloc(30 + (seq % 13), seq % 251) : eventValue(seq, sealedAtMs),
      rejectReason: rejected ? ('malformed' as const) : ('none' as const),
      rejectDetail: rejected ? `bad record ${seq}` : null,
    };
    const link = sealEntry(fields, head);
    entries.push({
      chainId,
      seq,
      kind: rejected ? 'REJECTED' : 'EVENT',
      sourcePartition: partition,
      sourceOffset: fields.sourceOffset,
      sourceTimestamp: fields.sourceTimestampMs,
      sealedAt: fields.sealedAtMicros,
      key: fields.key,
      value: fields.value,
      rejectReason: rejected ? 'MALFORMED' : null,
      rejectDetail: fields.rejectDetail,
      prevHash: link.prevHash,
      hash: link.hash,
    });
    head = link.head;
  }
  return { entries, head };
}

interface StoredVersion {
  bytes: Uint8Array;
  versionId: string;
  lockMode: LockMode | undefined;
  retainUntil: Date | undefined;
  isDeleteMarker: boolean;
  lastModified?: Date;
}

/** An in-memory versioned bucket implementing ArchiveReader (with head and listVersions, like S3). */
export class MemoryArchive implements ArchiveReader {
  readonly objects = new Map<string, StoredVersion[]>();
  private versionCounter = 0;

  put(key: string, bytes: Uint8Array, lock: { lockMode?: LockMode; retainUntil?: Date } = { lockMode: 'COMPLIANCE', retainUntil: new Date(NOW.getTime() + SEVEN_YEARS_MS) }): void {
    const versions = this.objects.get(key) ?? [];
    versions.push({ bytes: Uint8Array.from(bytes), versionId: `v${++this.versionCounter}`, lockMode: lock.lockMode, retainUntil: lock.retainUntil, isDeleteMarker: false });
    this.objects.set(key, versions);
  }

  /** Replaces the current version's bytes in place, as an attacker with disk access would. */
  overwrite(key: string, change: (bytes: Uint8Array) => Uint8Array): void {
    const latest = this.objects.get(key)?.at(-1);
    if (!latest) throw new Error(`no object ${key}`);
    latest.bytes = change(Uint8Array.from(latest.bytes));
  }

  /** Removes every trace of the key (a file deleted from the gateway's disk). */
  remove(key: string): void {
    this.objects.delete(key);
  }

  setLock(key: string, lockMode: LockMode | undefined, retainUntil: Date | undefined): void {
    const latest = this.objects.get(key)!.at(-1)!;
    latest.lockMode = lockMode;
    latest.retainUntil = retainUntil;
  }

  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const latest = this.objects.get(key)?.at(-1);
    return latest && !latest.isDeleteMarker ? latest.bytes : undefined;
  }

  async *list(prefix: string, options?: { startAfter?: string }): AsyncIterable<ListedObject> {
    for (const key of this.keys()) {
      const latest = this.objects.get(key)!.at(-1)!;
      if (key.startsWith(prefix) && !latest.isDeleteMarker && (options?.startAfter === undefined || key > options.startAfter)) {
        yield { key, size: latest.bytes.length, ...(latest.lastModified ? { lastModified: latest.lastModified } : {}) };
      }
    }
  }

  async head(key: string): Promise<ObjectMetadata | undefined> {
    const latest = this.objects.get(key)?.at(-1);
    if (!latest || latest.isDeleteMarker) return undefined;
    return { key, size: latest.bytes.length, versionId: latest.versionId, lockMode: latest.lockMode, retainUntil: latest.retainUntil, legalHold: false };
  }

  async listVersions(key: string): Promise<ObjectVersionInfo[]> {
    const versions = this.objects.get(key) ?? [];
    return versions.map((v, i) => ({ key, versionId: v.versionId, isLatest: i === versions.length - 1, size: v.bytes.length, isDeleteMarker: v.isDeleteMarker }));
  }
}

/** The same bucket without Object Lock metadata (a local copy). */
export function withoutMetadata(archive: MemoryArchive): ArchiveReader {
  return { get: (key) => archive.get(key), list: (prefix, options) => archive.list(prefix, options) };
}

export interface ArchiveWriteOptions {
  chainId?: string;
  key?: SigningKey;
  createdAt?: Date;
  retainUntil?: Date;
  lockMode?: LockMode;
}

/** Writes one segment and its signed manifest, as the archiver does; returns their keys. */
export async function writeSegment(archive: MemoryArchive, entries: readonly SealedEntry[], options: ArchiveWriteOptions = {}): Promise<{ segmentKey: string; manifestKey: string }> {
  const chainId = options.chainId ?? CHAIN;
  const first = entries[0]!;
  const last = entries.at(-1)!;
  const segmentKey = segmentKeyOf(PREFIX, chainId, first.seq, last.seq);
  const bytes = await encodeSegment({ chainId, firstSeq: first.seq, lastSeq: last.seq, firstHash: first.hash, records: entries.map(sealedEntryAvroBinary) });
  const createdAt = options.createdAt ?? new Date(Math.floor(last.sealedAt / 1000) + 500);
  const retainUntil = options.retainUntil ?? new Date(createdAt.getTime() + SEVEN_YEARS_MS);
  const lockMode = options.lockMode ?? 'COMPLIANCE';
  const manifest = signManifest(
    {
      chainId,
      firstSeq: first.seq,
      lastSeq: last.seq,
      prevHash: first.prevHash,
      headHash: last.hash,
      merkleRoot: merkleRoot(entries.map((e) => e.hash)),
      segmentKey,
      segmentSha256: nodeCrypto.sha256(bytes),
      segmentBytes: bytes.length,
      lockMode,
      retainUntil,
      createdAt,
    },
    options.key ?? KEY_1,
  );
  const manifestKey = `${segmentKey.slice(0, -'.avro'.length)}.manifest.json`;
  archive.put(segmentKey, bytes, { lockMode, retainUntil });
  archive.put(manifestKey, serializeManifest(manifest), { lockMode, retainUntil });
  return { segmentKey, manifestKey };
}

/** Publishes `key` under `<prefix>/v1/keys/<key id>.json` (FORMAT.md §10.5), as the archiver does on first use. */
export function writeKeyFile(archive: MemoryArchive, key: SigningKey): string {
  const objectKey = `${PREFIX}/v1/keys/${key.keyId}.json`;
  archive.put(objectKey, Buffer.from(serializeKeyring(createKeyring([publicKeyEntry(key, new Date('2026-01-01T00:00:00.000Z'))])), 'utf8'));
  return objectKey;
}

export function checkpointKeyOf(chainId: string, headSeq: number): string {
  return `${PREFIX}/v1/${chainId}/checkpoints/${String(headSeq).padStart(20, '0')}.json`;
}

export function writeCheckpoint(archive: MemoryArchive, entry: SealedEntry, options: { time?: Date; key?: SigningKey; headHash?: Uint8Array } = {}): string {
  const time = options.time ?? new Date(Math.floor(entry.sealedAt / 1000) + 100);
  const cp = signCheckpoint({ chainId: entry.chainId, headSeq: entry.seq, headHash: options.headHash ?? entry.hash, time }, options.key ?? KEY_1);
  const key = checkpointKeyOf(entry.chainId, entry.seq);
  archive.put(key, serializeCheckpoint(cp), { lockMode: 'COMPLIANCE', retainUntil: new Date(time.getTime() + SEVEN_YEARS_MS) });
  return key;
}

/** A chain of `total` entries archived in segments of `segmentSize` (the last `unarchived` entries only on Kafka). */
export async function buildArchive(options: { total?: number; segmentSize?: number; unarchived?: number; chainId?: string; archive?: MemoryArchive; checkpointEvery?: number } = {}) {
  const total = options.total ?? 30;
  const size = options.segmentSize ?? 10;
  const archive = options.archive ?? new MemoryArchive();
  const chainId = options.chainId ?? CHAIN;
  const { entries } = buildEntries(total, { chainId });
  const archivedCount = total - (options.unarchived ?? 0);
  const segments: Array<{ segmentKey: string; manifestKey: string; entries: SealedEntry[] }> = [];
  for (let start = 0; start < archivedCount; start += size) {
    const slice = entries.slice(start, Math.min(start + size, archivedCount));
    segments.push({ ...(await writeSegment(archive, slice, { chainId })), entries: slice });
  }
  const checkpoints: string[] = [];
  if (options.checkpointEvery) {
    for (let seq = options.checkpointEvery - 1; seq < archivedCount; seq += options.checkpointEvery) checkpoints.push(writeCheckpoint(archive, entries[seq]!));
  }
  return { archive, entries, segments, checkpoints, chainId };
}

/** audit.sealed partitions in memory. */
export class MemorySealedSource implements SealedSource {
  readonly partitions = new Map<number, SealedRecord[]>();
  readonly logStart = new Map<number, number>();

  static of(entries: readonly SealedEntry[], partition = 0): MemorySealedSource {
    const source = new MemorySealedSource();
    source.partitions.set(partition, entries.map((e) => ({ offset: sealedOffsetOf(e.seq), value: encodeSealedEntry(e) })));
    return source;
  }

  append(partition: number, value: Uint8Array | null): number {
    const records = this.partitions.get(partition) ?? [];
    const offset = (records.at(-1)?.offset ?? -1) + 1;
    records.push({ offset, value });
    this.partitions.set(partition, records);
    return offset;
  }

  /** Admin deleteRecords: the log starts at `offset` from now on. */
  deleteRecordsBefore(partition: number, offset: number): void {
    this.logStart.set(partition, offset);
  }

  async *read(partition: number, fromOffset: number): AsyncIterable<SealedRecord> {
    const start = Math.max(fromOffset, this.logStart.get(partition) ?? 0);
    for (const r of this.partitions.get(partition) ?? []) if (r.offset >= start) yield r;
  }

  async offsets(partition: number): Promise<PartitionOffsets> {
    const records = this.partitions.get(partition) ?? [];
    return { logStartOffset: this.logStart.get(partition) ?? 0, endOffset: (records.at(-1)?.offset ?? -1) + 1 };
  }
}

/** audit.events partitions in memory (committed records only, offsets as given). */
export class MemoryEventSource implements EventSource {
  readonly partitions = new Map<number, EventRecord[]>();
  readonly logStart = new Map<number, number>();

  /** The committed input records the entries account for. */
  static of(entries: readonly SealedEntry[], partition = 0): MemoryEventSource {
    const source = new MemoryEventSource();
    source.partitions.set(
      partition,
      entries.map((e) => ({ offset: e.sourceOffset, key: e.key, value: e.value, timestamp: e.sourceTimestamp })),
    );
    return source;
  }

  deleteRecordsBefore(partition: number, offset: number): void {
    this.logStart.set(partition, offset);
  }

  async *read(partition: number, fromOffset: number): AsyncIterable<EventRecord> {
    const start = Math.max(fromOffset, this.logStart.get(partition) ?? 0);
    for (const r of this.partitions.get(partition) ?? []) if (r.offset >= start) yield r;
  }

  async offsets(partition: number): Promise<PartitionOffsets> {
    const records = this.partitions.get(partition) ?? [];
    return { logStartOffset: this.logStart.get(partition) ?? 0, endOffset: (records.at(-1)?.offset ?? -1) + 2 };
  }
}

export const sinkInto = (out: import('../findings').Finding[]) => (f: import('../findings').Finding) => void out.push(f);
