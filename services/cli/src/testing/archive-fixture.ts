import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  archiveLayout,
  describeSegment,
  encodeSegment,
  sealedEntryAvroBinary,
  serializeCheckpoint,
  serializeManifest,
  signCheckpoint,
  signManifest,
  type ArchiveStore,
} from '@auditseal/archive';
import { encodeEvent, type AuditEvent, type SealedEntry } from '@auditseal/codec';
import {
  chainId as makeChainId,
  createKeyring,
  genesisHead,
  nodeCrypto,
  publicKeyEntry,
  sealEntry,
  serializeKeyring,
  signingKeyFromSeed,
  type SigningKey,
} from '@auditseal/core';

/** A small, real archive (FORMAT.md §10) built with the packages' APIs, as the archiver writes it. */

export const TEST_KEY: SigningKey = signingKeyFromSeed(nodeCrypto.sha256(new TextEncoder().encode('auditseal/v1/test-key/1')));
export const OTHER_KEY: SigningKey = signingKeyFromSeed(nodeCrypto.sha256(new TextEncoder().encode('auditseal/v1/test-key/2')));
export const KEY_NOT_BEFORE = new Date('2026-01-01T00:00:00.000Z');
export const keyringJson = (key: SigningKey = TEST_KEY) => serializeKeyring(createKeyring([publicKeyEntry(key, KEY_NOT_BEFORE)]));

export const TENANTS = ['acme', 'globex'] as const;
export const ACTIONS = ['invoice.approve', 'user.login'] as const;
/** Events start here, one a minute. */
export const FIRST_EVENT_TIME = Date.parse('2026-11-26T10:00:00.000Z');

export interface FixtureObject {
  key: string;
  bytes: Uint8Array;
}

export interface FixtureArchive {
  prefix: string;
  chains: string[];
  entries: Map<string, SealedEntry[]>;
  events: AuditEvent[];
  objects: FixtureObject[];
  segmentKeys: string[];
  manifestKeys: string[];
  checkpointKeys: string[];
  retainUntil: Date;
}

export function fixtureEvent(partition: number, seq: number, time: { first: number; spacingMs: number } = { first: FIRST_EVENT_TIME, spacingMs: 60_000 }): AuditEvent {
  const n = partition * 1000 + seq;
  return {
    eventId: `019468a1-f800-7abc-8def-${n.toString(16).padStart(12, '0')}`,
    eventTime: (time.first + n * time.spacingMs) * 1000 + 123,
    tenant: TENANTS[n % 2]!,
    actor: { type: 'user', id: `u-${n % 3}`, displayName: n % 3 === 0 ? 'Ann "the auditor", CFO' : null },
    action: ACTIONS[Math.floor(n / 2) % 2]!,
    target: { type: 'invoice', id: `inv-${n}` },
    outcome: n % 4 === 3 ? 'DENIED' : 'SUCCESS',
    source: { service: 'billing', instance: 'billing-0' },
    attributes: { amount: String(100 + n), note: 'line1\nline2, "quoted"' },
  };
}

/**
 * Event ids and times derive from n = 1000p + s: unique while entriesPerChain ≤ 1000.
 * Events of chain p at seq s happen at firstEventTime + (1000p + s) × eventSpacingMs.
 * Chains of `entriesPerChain` entries (every 7th a REJECTED record) in
 * segments of `segmentSize`, checkpoints every `checkpointEvery` entries,
 * the key file, all signed by `key` at `createdAt`.
 */
export async function buildFixtureArchive(
  options: { prefix?: string; cluster?: string; topic?: string; firstEventTime?: number; eventSpacingMs?: number; partitions?: number[]; entriesPerChain?: number; segmentSize?: number; checkpointEvery?: number; key?: SigningKey; createdAt?: Date; retainUntil?: Date } = {},
): Promise<FixtureArchive> {
  const prefix = options.prefix ?? 'auditseal-archive';
  const layout = archiveLayout(prefix);
  const key = options.key ?? TEST_KEY;
  const createdAt = options.createdAt ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const retainUntil = options.retainUntil ?? new Date(Math.ceil((Date.now() + 86_400_000) / 1000) * 1000);
  const out: FixtureArchive = { prefix, chains: [], entries: new Map(), events: [], objects: [], segmentKeys: [], manifestKeys: [], checkpointKeys: [], retainUntil };
  for (const partition of options.partitions ?? [0, 1]) {
    const chainId = makeChainId({ cluster: options.cluster ?? 'cli-test', topic: options.topic ?? 'audit.events', partition });
    out.chains.push(chainId);
    let head = genesisHead(chainId);
    const entries: SealedEntry[] = [];
    for (let i = 0; i < (options.entriesPerChain ?? 25); i++) {
      const seq = head.seq + 1;
      const rejected = seq % 7 === 6;
      const time = { first: options.firstEventTime ?? FIRST_EVENT_TIME, spacingMs: options.eventSpacingMs ?? 60_000 };
      const event = fixtureEvent(partition, seq, time);
      const value = rejected ? Buffer.from(`not an event ${seq}`) : encodeEvent(event);
      if (!rejected) out.events.push(event);
      const sealedAtMicros = (time.first + (partition * 1000 + seq) * time.spacingMs + 500) * 1000;
      const fields = {
        kind: rejected ? ('rejected' as const) : ('event' as const),
        sourceOffset: seq * 2,
        sourceTimestampMs: Math.floor(sealedAtMicros / 1000) - 100,
        sealedAtMicros,
        key: Buffer.from(event.tenant),
        value,
        rejectReason: rejected ? ('malformed' as const) : ('none' as const),
        rejectDetail: rejected ? 'not a single-object encoding' : null,
      };
      const link = sealEntry(fields, head);
      entries.push({
        chainId,
        seq,
        kind: rejected ? 'REJECTED' : 'EVENT',
        sourcePartition: partition,
        sourceOffset: fields.sourceOffset,
        sourceTimestamp: fields.sourceTimestampMs,
        sealedAt: sealedAtMicros,
        key: fields.key,
        value,
        rejectReason: rejected ? 'MALFORMED' : null,
        rejectDetail: fields.rejectDetail,
        prevHash: link.prevHash,
        hash: link.hash,
      });
      head = link.head;
    }
    out.entries.set(chainId, entries);
    const size = options.segmentSize ?? 10;
    for (let start = 0; start < entries.length; start += size) {
      const slice = entries.slice(start, start + size);
      const first = slice[0]!;
      const last = slice.at(-1)!;
      const segmentKey = layout.segmentKey(chainId, first.seq, last.seq);
      const bytes = await encodeSegment({ chainId, firstSeq: first.seq, lastSeq: last.seq, firstHash: first.hash, records: slice.map(sealedEntryAvroBinary) });
      const manifest = signManifest(
        {
          chainId,
          firstSeq: first.seq,
          lastSeq: last.seq,
          prevHash: first.prevHash,
          headHash: last.hash,
          ...describeSegment(bytes, slice.map((e) => e.hash)),
          segmentKey,
          lockMode: 'COMPLIANCE',
          retainUntil,
          createdAt,
        },
        key,
      );
      out.objects.push({ key: segmentKey, bytes }, { key: layout.manifestKeyFor(segmentKey), bytes: serializeManifest(manifest) });
      out.segmentKeys.push(segmentKey);
      out.manifestKeys.push(layout.manifestKeyFor(segmentKey));
    }
    const every = options.checkpointEvery ?? 10;
    for (let seq = every - 1; seq < entries.length; seq += every) {
      const cp = signCheckpoint({ chainId, headSeq: seq, headHash: entries[seq]!.hash, time: createdAt }, key);
      const cpKey = layout.checkpointKey(chainId, seq);
      out.objects.push({ key: cpKey, bytes: serializeCheckpoint(cp) });
      out.checkpointKeys.push(cpKey);
    }
  }
  out.objects.push({ key: layout.keyFileKey(key.keyId), bytes: Buffer.from(keyringJson(key)) });
  return out;
}

/** Writes the archive as a local copy of the bucket: `<dir>/<key>`. */
export function writeFixtureToDir(archive: FixtureArchive, dir: string): void {
  for (const o of archive.objects) {
    const path = join(dir, ...o.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, o.bytes);
  }
}

/** Puts every object once under COMPLIANCE retention, as the archiver does. */
export async function writeFixtureToStore(archive: FixtureArchive, store: ArchiveStore): Promise<void> {
  await Promise.all(archive.objects.map((o) => store.putOnce(o.key, o.bytes, { lockMode: 'COMPLIANCE', retainUntil: archive.retainUntil })));
}
