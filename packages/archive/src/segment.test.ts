import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import * as avsc from 'avsc';
import { schemas } from '@auditseal/codec';
import { chainId as makeChainId } from '@auditseal/core';
import { ArchiveError } from './errors';
import { encodeSegment, readSegment, sealedEntryAvroBinary, segmentSyncMarker, SYNC_BYTES } from './segment';
import { buildEntries, sealedValues, TEST_CHAIN_ID } from './testing/chain-fixture';

function recordsOf(values: Buffer[]): Buffer[] {
  return values.map((v) => v.subarray(10));
}

async function segmentOf(count: number, valueBytes = 40) {
  const { entries } = buildEntries(count, { valueBytes });
  const bytes = await encodeSegment({
    chainId: TEST_CHAIN_ID,
    firstSeq: entries[0]!.seq,
    lastSeq: entries.at(-1)!.seq,
    firstHash: entries[0]!.hash,
    records: recordsOf(sealedValues(entries)),
  });
  return { entries, bytes };
}

/** avsc's own container-file decoder: an independent check of the framing and the codec. */
async function decodeWithAvsc(bytes: Buffer): Promise<unknown[]> {
  const decoder = new avsc.streams.BlockDecoder({ codecs: { deflate: (buf: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, inflateRawSync(buf)) } });
  const out: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([bytes]).pipe(decoder).on('data', (v: unknown) => out.push(v)).on('end', resolve).on('error', reject);
  });
  return out;
}

describe('encodeSegment', () => {
  describe('when given sealed records', () => {
    it('writes an Avro container file that avsc reads back record for record', async () => {
      const { entries, bytes } = await segmentOf(3000);
      const decoded = await decodeWithAvsc(bytes);
      expect(decoded).toHaveLength(3000);
      decoded.forEach((value, i) => expect(schemas.sealedEntry.type.toBuffer(value)).toEqual(sealedEntryAvroBinary(entries[i]!)));
    });

    it('is deterministic: the same entries give identical bytes', async () => {
      const a = await segmentOf(500);
      const b = await segmentOf(500);
      expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
    });

    it('derives the sync marker from the first entry hash', async () => {
      const { entries, bytes } = await segmentOf(10);
      expect(readSegment(bytes).sync).toEqual(segmentSyncMarker(entries[0]!.hash));
      expect(bytes.subarray(bytes.length - SYNC_BYTES)).toEqual(segmentSyncMarker(entries[0]!.hash));
    });
  });

  describe('when the record count does not match the seq range', () => {
    it('refuses', async () => {
      const { entries } = buildEntries(2);
      await expect(encodeSegment({ chainId: TEST_CHAIN_ID, firstSeq: 0, lastSeq: 5, firstHash: entries[0]!.hash, records: recordsOf(sealedValues(entries)) })).rejects.toMatchObject({
        code: 'invalid_argument',
      });
    });
  });
});

describe('readSegment', () => {
  describe('when the segment is well-formed', () => {
    it('returns every entry with its fields and the header metadata', async () => {
      const { entries, bytes } = await segmentOf(2500);
      const parsed = readSegment(bytes);
      expect(parsed.codec).toBe('deflate');
      expect(parsed.blocks).toBeGreaterThanOrEqual(1);
      expect(parsed.metadata['auditseal.chainId']).toBe(TEST_CHAIN_ID);
      expect(parsed.metadata['auditseal.lastSeq']).toBe('2499');
      expect(parsed.entries).toHaveLength(2500);
      parsed.entries.forEach((e, i) => expect(sealedEntryAvroBinary(e)).toEqual(sealedEntryAvroBinary(entries[i]!)));
    });

    it('returns each entry\'s record bytes as written (the sealed record value without its header)', async () => {
      const { entries, bytes } = await segmentOf(2500);
      const written = recordsOf(sealedValues(entries));
      const parsed = readSegment(bytes);
      expect(parsed.records).toHaveLength(2500);
      parsed.records.forEach((record, i) => expect(Buffer.from(record).equals(written[i]!)).toBe(true));
    });

    it('reads segments of several chains in turn (the chain id it remembers is only a shortcut)', async () => {
      const segmentOfChain = async (partition: number) => {
        const chainId = makeChainId({ cluster: 'test-cluster', topic: 'audit.events', partition });
        const { entries } = buildEntries(3, { chainId });
        return encodeSegment({ chainId, firstSeq: 0, lastSeq: 2, firstHash: entries[0]!.hash, records: recordsOf(sealedValues(entries)) });
      };
      const [a, b, c] = [await segmentOfChain(1), await segmentOfChain(2), await segmentOfChain(12)];
      for (const [bytes, partition] of [[a, 1], [b, 2], [a, 1], [c, 12], [b, 2]] as const) {
        expect(readSegment(bytes).entries.map((e) => e.chainId)).toEqual(Array(3).fill(`${TEST_CHAIN_ID.slice(0, -2)}/${partition}`));
      }
    });

    it('reads a file written by avsc with the null codec', async () => {
      const { entries } = buildEntries(20);
      const encoder = new avsc.streams.BlockEncoder(schemas.sealedEntry.type, { codec: 'null' });
      const chunks: Buffer[] = [];
      const done = new Promise<void>((resolve) => encoder.on('data', (c: Buffer) => chunks.push(c)).on('end', resolve));
      entries.forEach((e) => encoder.write(schemas.sealedEntry.type.fromBuffer(sealedEntryAvroBinary(e))));
      encoder.end();
      await done;
      expect(readSegment(Buffer.concat(chunks)).entries.map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
    });
  });

  describe('when the bytes are not a SealedEntry segment', () => {
    it('refuses another writer schema as unsupported', async () => {
      const encoder = new avsc.streams.BlockEncoder(avsc.Type.forSchema('string'), { codec: 'null' });
      const chunks: Buffer[] = [];
      const done = new Promise<void>((resolve) => encoder.on('data', (c: Buffer) => chunks.push(c)).on('end', resolve));
      encoder.write('x');
      encoder.end();
      await done;
      expect(() => readSegment(Buffer.concat(chunks))).toThrow(expect.objectContaining({ code: 'unsupported' }));
    });

    it('refuses a block whose sync marker was altered', async () => {
      const { bytes } = await segmentOf(10);
      const copy = Buffer.from(bytes);
      copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
      expect(() => readSegment(copy)).toThrow(expect.objectContaining({ code: 'malformed' }));
    });

    it('refuses input over the size limit before parsing', async () => {
      const { bytes } = await segmentOf(10);
      expect(() => readSegment(bytes, { maxSegmentBytes: 100 })).toThrow(expect.objectContaining({ code: 'too_large' }));
    });
  });

  // CONVENTIONS.md habit 7: random and truncated input gives a typed error, never something else, never a hang.
  describe('when fuzzed', () => {
    const expectTyped = (bytes: Uint8Array) => {
      try {
        readSegment(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ArchiveError);
        expect(['truncated', 'malformed', 'unsupported', 'too_large']).toContain((error as ArchiveError).code);
      }
    };

    it('gives a typed error for every truncation of a valid segment', async () => {
      const { bytes } = await segmentOf(40);
      for (let n = 0; n < bytes.length; n++) expectTyped(bytes.subarray(0, n));
    });

    it('gives a typed error for random bytes and random corruptions', async () => {
      const { bytes } = await segmentOf(40);
      for (let i = 0; i < 3000; i++) expectTyped(randomBytes(i % 300));
      for (let i = 0; i < 3000; i++) {
        const copy = Buffer.from(bytes);
        for (let j = 0; j < 1 + (i % 4); j++) copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
        expectTyped(copy);
      }
    });

    it('gives a typed error for corrupt records inside a valid block', async () => {
      const { entries } = buildEntries(5);
      const good = recordsOf(sealedValues(entries));
      for (let i = 0; i < 2000; i++) {
        const records = good.map((r) => Buffer.from(r));
        const victim = records[i % records.length]!;
        victim[Math.floor(Math.random() * victim.length)] = Math.floor(Math.random() * 256);
        if (i % 3 === 0) records[i % records.length] = victim.subarray(0, Math.floor(Math.random() * victim.length));
        const bytes = await encodeSegment({ chainId: TEST_CHAIN_ID, firstSeq: 0, lastSeq: 4, firstHash: entries[0]!.hash, records });
        expectTyped(bytes);
      }
    });
  });
});
