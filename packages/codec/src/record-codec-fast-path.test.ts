// The record codecs (sealed entries, segment manifests, checkpoints) encode
// through a fast path (encodeValid) and fall back to the detailed checks only
// when it declines. These tests show that the two paths make the same decision
// on valid records, on every kind of invalid one and on many generated
// variants, and that when both accept they produce the same bytes.
import { checkpointCodec } from './checkpoint';
import type { FastPathPair } from './record-codec';
import { sealedEntryCodec, SEALED_ENTRY_LIMITS } from './sealed-entry';
import { checkpointSchema, sealedEntrySchema, segmentManifestSchema, type LoadedSchema } from './schemas';
import { ARCHIVE_RECORD_LIMITS, segmentManifestCodec } from './segment-manifest';
import { encodeSingleObject } from './single-object';
import { sampleCheckpoint, sampleManifest, sampleSealedEntry, seededRandom } from './__fixtures__/records';

interface Subject {
  name: string;
  codec: FastPathPair;
  schema: LoadedSchema;
  limit: number;
  bases: (() => Record<string, unknown>)[];
}

const asRecord = <T>(value: T) => value as unknown as Record<string, unknown>;

const SUBJECTS: Subject[] = [
  {
    name: 'sealed entry',
    codec: sealedEntryCodec,
    schema: sealedEntrySchema,
    limit: SEALED_ENTRY_LIMITS.maxEntryBytes,
    bases: [
      () => asRecord(sampleSealedEntry()),
      () => asRecord(sampleSealedEntry({ key: null, seq: 0, sourceOffset: 0 })),
      () => asRecord(sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'MALFORMED', rejectDetail: 'bad bytes', value: Buffer.alloc(0) })),
      () => asRecord(sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'UNKNOWN_SCHEMA', rejectDetail: null })),
    ],
  },
  { name: 'segment manifest', codec: segmentManifestCodec, schema: segmentManifestSchema, limit: ARCHIVE_RECORD_LIMITS.maxRecordBytes, bases: [() => asRecord(sampleManifest())] },
  { name: 'checkpoint', codec: checkpointCodec, schema: checkpointSchema, limit: ARCHIVE_RECORD_LIMITS.maxRecordBytes, bases: [() => asRecord(sampleCheckpoint())] },
];

/** Empty when both paths agree: same accept/reject decision, same bytes when they accept. */
function disagreement(subject: Subject, value: unknown, limit = subject.limit): string | undefined {
  const fast = subject.codec.encodeValid(value, limit);
  const slow = subject.codec.detailed(value, limit);
  if ((fast !== undefined) !== (slow.body !== undefined)) {
    return `fast ${fast ? 'accepts' : 'rejects'}, detailed ${slow.body ? 'accepts' : `rejects (${slow.issues.map((i) => `${i.path} ${i.message}`).join('; ')})`}`;
  }
  if (fast && slow.body && !fast.equals(encodeSingleObject(subject.schema.fingerprint, slow.body))) return 'different bytes';
  return undefined;
}

const VALUES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 - 2,
  2 ** 53 - 1,
  -(2 ** 53),
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  5n,
  '',
  'ok',
  'EVENT',
  'REJECTED',
  'MALFORMED',
  'INVALID_EVENT',
  'COMPLIANCE',
  'auditseal:v1:dev-cluster:audit.events:3',
  'has space',
  'lone \ud800',
  'x'.repeat(1024),
  'x'.repeat(1025),
  'é'.repeat(513),
  true,
  [],
  {},
  Buffer.alloc(0),
  Buffer.alloc(31, 1),
  Buffer.alloc(32, 1),
  Buffer.alloc(33, 1),
  new Uint8Array(32).fill(2),
  new Uint8Array(64).fill(3),
  Buffer.alloc(64, 4).subarray(8, 40),
  new Date(0),
];

describe.each(SUBJECTS)('$name: the fast and detailed encoding paths', (subject) => {
  it('agree on the valid samples', () => {
    for (const base of subject.bases) {
      expect(disagreement(subject, base())).toBeUndefined();
      expect(subject.codec.encodeValid(base(), subject.limit)).toBeDefined();
    }
  });

  it('agree on every field set to every kind of value, and on each field removed', () => {
    const problems: string[] = [];
    for (const base of subject.bases) {
      for (const field of Object.keys(base())) {
        for (const value of VALUES) {
          const record = { ...base(), [field]: value };
          const problem = disagreement(subject, record);
          if (problem) problems.push(`${field} = ${show(value)}: ${problem}`);
        }
        const record = base();
        delete record[field];
        const problem = disagreement(subject, record);
        if (problem) problems.push(`${field} removed: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('agree on records that are not plain records, with unknown fields, or over the size limit', () => {
    const base = subject.bases[0]!;
    for (const value of [null, undefined, 'x', 7, [], Buffer.alloc(4), { ...base(), extra: 1 }, Object.assign(Object.create(null) as object, base())]) {
      expect(disagreement(subject, value)).toBeUndefined();
    }
    const size = subject.codec.encodeValid(base(), subject.limit)!.length;
    for (const limit of [size - 1, size, size + 1]) expect(disagreement(subject, base(), limit)).toBeUndefined();
    expect(subject.codec.encodeValid(base(), size - 1)).toBeUndefined();
  });

  it('agree on 2,000 generated variants (several fields changed at once)', () => {
    const random = seededRandom(0x5eed + subject.name.length);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const record = pick(subject.bases)();
      const changes: string[] = [];
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const field = pick(Object.keys(record));
        const value = pick(VALUES);
        record[field] = value;
        changes.push(`${field} = ${show(value)}`);
      }
      const problem = disagreement(subject, record);
      if (problem) problems.push(`${changes.join(', ')}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.constructor.name} ${value.length} bytes>`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…(${value.length})` : value);
  return String(value);
}
