// Shared test data for the codec's unit tests (excluded from the build).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '../audit-event';
import type { SealedEntry } from '../sealed-entry';
import type { SegmentManifestRecord } from '../segment-manifest';
import type { CheckpointRecord } from '../checkpoint';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
export const SCHEMAS_DIR = join(REPO_ROOT, 'schemas');

export function readJson<T = unknown>(...pathFromRepoRoot: string[]): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, ...pathFromRepoRoot), 'utf8')) as T;
}

/** 2025-01-15T12:00:00.000123Z in microseconds. */
export const EVENT_TIME_MICROS = Date.UTC(2025, 0, 15, 12, 0, 0) * 1000 + 123;

export function sampleEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: '019468a1-f800-7abc-8def-0123456789ab',
    eventTime: EVENT_TIME_MICROS,
    tenant: 'acme',
    actor: { type: 'user', id: 'u-42', displayName: 'Ada Lovelace', ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
    action: 'invoice.approve',
    target: { type: 'invoice', id: 'inv-2025-0001', name: 'January invoice' },
    outcome: 'SUCCESS',
    outcomeReason: null,
    source: { service: 'billing-api', instance: 'billing-api-7d9f-abc12', region: 'eu-west-1' },
    correlationId: 'req-8c1e',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    attributes: { amount: '1200.00', currency: 'EUR' },
    payload: Buffer.from('{"approvedBy":"u-42"}'),
    signature: null,
    ...overrides,
  };
}

/** Only the required fields. */
export function minimalEvent(): AuditEvent {
  return {
    eventId: '019468a1-f800-7abc-8def-0123456789ab',
    eventTime: EVENT_TIME_MICROS,
    tenant: 'acme',
    actor: { type: 'service', id: 'scheduler' },
    action: 'report.generate',
    target: { type: 'report', id: 'r-1' },
    outcome: 'UNKNOWN',
    source: { service: 'reports', instance: 'reports-0' },
  };
}

export function sampleSealedEntry(overrides: Partial<SealedEntry> = {}): SealedEntry {
  return {
    chainId: 'auditseal:v1:dev-cluster:audit.events:3',
    seq: 41,
    kind: 'EVENT',
    sourcePartition: 3,
    sourceOffset: 1041,
    sourceTimestamp: Date.UTC(2025, 0, 15, 12, 0, 1),
    sealedAt: Date.UTC(2025, 0, 15, 12, 0, 2) * 1000 + 456,
    key: Buffer.from('acme'),
    value: Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    rejectReason: null,
    rejectDetail: null,
    prevHash: Buffer.alloc(32, 0x11),
    hash: Buffer.alloc(32, 0x22),
    ...overrides,
  };
}

export function sampleManifest(overrides: Partial<SegmentManifestRecord> = {}): SegmentManifestRecord {
  return {
    chainId: 'auditseal:v1:dev-cluster:audit.events:3',
    firstSeq: 0,
    lastSeq: 999,
    entryCount: 1000,
    prevHash: Buffer.alloc(32, 0x00),
    headHash: Buffer.alloc(32, 0x33),
    merkleRoot: Buffer.alloc(32, 0x44),
    segmentKey: 'auditseal/v1/chain-3/segments/00000000000000000000-00000000000000000999.avro',
    segmentSha256: Buffer.alloc(32, 0x55),
    segmentBytes: 123456,
    lockMode: 'COMPLIANCE',
    retainUntil: Date.UTC(2032, 0, 15),
    createdAt: Date.UTC(2025, 0, 15, 12, 5),
    keyId: 'archiver-2025-01',
    signature: Buffer.alloc(64, 0x66),
    ...overrides,
  };
}

export function sampleCheckpoint(overrides: Partial<CheckpointRecord> = {}): CheckpointRecord {
  return {
    chainId: 'auditseal:v1:dev-cluster:audit.events:3',
    headSeq: 999,
    headHash: Buffer.alloc(32, 0x33),
    time: Date.UTC(2025, 0, 15, 12, 6),
    keyId: 'verifier-2025-01',
    signature: Buffer.alloc(64, 0x77),
    ...overrides,
  };
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A copy of `bytes` damaged once at a random position from `from` on: a byte
 * replaced, a bit flipped, cut short, a byte inserted, or 1–4 bytes removed.
 */
export function mutate(bytes: Uint8Array, random: () => number, from = 0): Buffer {
  const copy = Buffer.from(bytes);
  const at = from + Math.floor(random() * (copy.length - from));
  switch (Math.floor(random() * 5)) {
    case 0:
      copy[at] = Math.floor(random() * 256);
      return copy;
    case 1:
      copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      return copy;
    case 2:
      return copy.subarray(0, at);
    case 3:
      return Buffer.concat([copy.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), copy.subarray(at)]);
    default:
      return Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1 + Math.floor(random() * 4))]);
  }
}
