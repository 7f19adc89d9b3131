// Checks schemas/vectors/avro-single-object.json, the encodings FORMAT.md §8–9 promise,
// against this implementation in both directions.
import { createPublicKey, verify } from 'node:crypto';
import type { SchemaNode } from './avro-schema';
import { decodeEventDetailed, encodeEvent, eventSigningBytes, type AuditEvent } from './audit-event';
import { decodeCheckpointRecord, encodeCheckpointRecord, type CheckpointRecord } from './checkpoint';
import { decodeSealedEntry, encodeSealedEntry, type SealedEntry } from './sealed-entry';
import { decodeSegmentManifestRecord, encodeSegmentManifestRecord, type SegmentManifestRecord } from './segment-manifest';
import { auditEventSchema, checkpointSchema, sealedEntrySchema, segmentManifestSchema } from './schemas';
import { readJson } from './__fixtures__/records';

interface Vector {
  name: string;
  value: unknown;
  encoded: string;
  signedBytes?: string | null;
  publicKey?: string;
}

const file = readJson<Record<'events' | 'sealedEntries' | 'segmentManifests' | 'checkpoints', Vector[]>>(
  'schemas',
  'vectors',
  'avro-single-object.json',
);

/** JSON form → value: hex strings at bytes/fixed positions become Buffers. */
function fromJson(node: SchemaNode, value: unknown): unknown {
  if (value === null) return null;
  switch (node.kind) {
    case 'bytes':
    case 'fixed':
      return Buffer.from(value as string, 'hex');
    case 'record':
      return Object.fromEntries(node.fields.map((f) => [f.name, fromJson(f.type, (value as Record<string, unknown>)[f.name])]));
    case 'union':
      return fromJson(node.branches.find((b) => b.kind !== 'null')!, value);
    case 'map':
      return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, fromJson(node.values, v)]));
    default:
      return value;
  }
}

describe('schemas/vectors/avro-single-object.json', () => {
  describe.each(file.events.map((v) => [v.name, v] as const))('event: %s', (_name, vector) => {
    const value = fromJson(auditEventSchema.root, vector.value) as AuditEvent;

    it('encodes to the recorded bytes and decodes back', () => {
      expect(encodeEvent(value).toString('hex')).toBe(vector.encoded);
      expect(decodeEventDetailed(Buffer.from(vector.encoded, 'hex')).event).toEqual(value);
    });

    it('has the recorded signing bytes, and the signature verifies', () => {
      const decoded = decodeEventDetailed(Buffer.from(vector.encoded, 'hex'));
      expect(decoded.signedBytes?.toString('hex') ?? null).toBe(vector.signedBytes);
      if (vector.signedBytes) {
        expect(eventSigningBytes(value).toString('hex')).toBe(vector.signedBytes);
        const key = createPublicKey({
          key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(vector.publicKey!, 'hex')]),
          format: 'der',
          type: 'spki',
        });
        expect(verify(null, decoded.signedBytes!, key, decoded.event.signature!.value)).toBe(true);
      }
    });
  });

  it.each(file.sealedEntries.map((v) => [v.name, v] as const))('sealed entry: %s', (_name, vector) => {
    const value = fromJson(sealedEntrySchema.root, vector.value) as SealedEntry;
    expect(encodeSealedEntry(value).toString('hex')).toBe(vector.encoded);
    expect(decodeSealedEntry(Buffer.from(vector.encoded, 'hex'))).toEqual(value);
  });

  it.each(file.segmentManifests.map((v) => [v.name, v] as const))('segment manifest: %s', (_name, vector) => {
    const value = fromJson(segmentManifestSchema.root, vector.value) as SegmentManifestRecord;
    expect(encodeSegmentManifestRecord(value).toString('hex')).toBe(vector.encoded);
    expect(decodeSegmentManifestRecord(Buffer.from(vector.encoded, 'hex'))).toEqual(value);
  });

  it.each(file.checkpoints.map((v) => [v.name, v] as const))('checkpoint: %s', (_name, vector) => {
    const value = fromJson(checkpointSchema.root, vector.value) as CheckpointRecord;
    expect(encodeCheckpointRecord(value).toString('hex')).toBe(vector.encoded);
    expect(decodeCheckpointRecord(Buffer.from(vector.encoded, 'hex'))).toEqual(value);
  });
});
