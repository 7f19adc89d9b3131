import { decodeSealedEntry, encodeEvent, toCoreEntry } from '@auditseal/codec';
import { ChainLinker, chainId, genesisHash, verifyChain, type ChainHead } from '@auditseal/core';
import { classifyRecord, type Classification } from './classify-record';
import { sealBatch, type SourceRecord } from './seal-batch';
import { forgedEvent, generateSigningKey, invalidEventBytes, keyringOf, truncatedEventBytes, unknownSchemaBytes, validEvent } from './testing/fixtures';

const id = chainId({ cluster: 'test', topic: 'audit.events', partition: 3 });
const linker = new ChainLinker(id);
const key = generateSigningKey();
const classifyOptions = { maxEventBytes: 4096, requireSignaturesFrom: new Set(['payments']), keyring: keyringOf(key) };
const classify = (value: Uint8Array | null): Classification => classifyRecord(value, classifyOptions);
let clock = 1_700_000_000_000_000;
const nowMicros = () => clock++;

function records(offsets: number[], value: (i: number) => Uint8Array | null = (i) => encodeEvent(validEvent(i))): SourceRecord[] {
  return offsets.map((offset, i) => ({ offset, timestampMs: 1_700_000_000_000 + offset, key: Buffer.from(`k${i}`), value: value(i) }));
}

function seal(head: ChainHead, input: SourceRecord[]) {
  return sealBatch({ linker, partition: 3, head, records: input, classify, nowMicros });
}

describe('sealBatch', () => {
  describe('when sealing the first batch of a chain', () => {
    it('gives each record one entry, seq 0…n-1, the first linked to genesis', () => {
      const { entries, head } = seal(linker.genesisHead(), records([0, 1, 2]));
      expect(entries.map((e) => e.entry.seq)).toEqual([0, 1, 2]);
      expect(entries.map((e) => e.entry.sourceOffset)).toEqual([0, 1, 2]);
      expect(Buffer.from(entries[0]!.entry.prevHash)).toEqual(Buffer.from(genesisHash(id)));
      expect(head).toEqual({ chainId: id, seq: 2, hash: entries[2]!.entry.hash });
      expect(verifyChain(entries.map((e) => toCoreEntry(e.entry)), { chainId: id }).ok).toBe(true);
    });

    it('writes every field of the sealed entry and encodes it for audit.sealed', () => {
      const input = records([7]);
      const [output] = seal(linker.genesisHead(), input).entries;
      expect(output!.entry).toEqual(
        expect.objectContaining({ chainId: id, kind: 'EVENT', sourcePartition: 3, sourceOffset: 7, sourceTimestamp: 1_700_000_000_007, rejectReason: null, rejectDetail: null }),
      );
      expect(Buffer.from(output!.entry.value)).toEqual(Buffer.from(input[0]!.value!));
      const decoded = decodeSealedEntry(output!.bytes);
      expect({ ...decoded, key: Buffer.from(decoded.key!), value: Buffer.from(decoded.value) }).toEqual({
        ...output!.entry,
        key: Buffer.from(output!.entry.key!),
        value: Buffer.from(output!.entry.value),
        prevHash: Buffer.from(output!.entry.prevHash),
        hash: Buffer.from(output!.entry.hash),
      });
    });

    it('keeps offsets with gaps (transaction markers take offsets on the input too)', () => {
      const { entries } = seal(linker.genesisHead(), records([0, 5, 6, 20]));
      expect(entries.map((e) => [e.entry.seq, e.entry.sourceOffset])).toEqual([
        [0, 0],
        [1, 5],
        [2, 6],
        [3, 20],
      ]);
    });
  });

  describe('when a batch continues a chain', () => {
    it('links across batches so that the concatenation verifies', () => {
      const first = seal(linker.genesisHead(), records([0, 1]));
      const second = seal(first.head, records([2, 3, 4]));
      expect(second.entries.map((e) => e.entry.seq)).toEqual([2, 3, 4]);
      expect(Buffer.from(second.entries[0]!.entry.prevHash)).toEqual(Buffer.from(first.head.hash));
      const all = [...first.entries, ...second.entries].map((e) => toCoreEntry(e.entry));
      expect(verifyChain(all, { chainId: id })).toEqual(expect.objectContaining({ ok: true, checked: 5 }));
    });

    it('continues from a recovered head (the last committed entry), not from genesis', () => {
      const earlier = seal(linker.genesisHead(), records([0, 1, 2]));
      const recovered: ChainHead = { chainId: id, seq: earlier.head.seq, hash: earlier.head.hash };
      const next = seal(recovered, records([3]));
      expect(next.entries[0]!.entry.seq).toBe(3);
      expect(verifyChain(next.entries.map((e) => toCoreEntry(e.entry)), { chainId: id, from: recovered }).ok).toBe(true);
    });

    it('returns the input head when there are no records', () => {
      const head = linker.genesisHead();
      expect(seal(head, [])).toEqual({ entries: [], head });
    });
  });

  describe('when records cannot be events', () => {
    it('seals each as a rejected entry with its reason, the bytes kept verbatim, and the chain stays valid', () => {
      const values: (Uint8Array | null)[] = [
        null,
        Buffer.from('garbage'),
        truncatedEventBytes(),
        unknownSchemaBytes(),
        Buffer.alloc(5000, 1),
        forgedEvent(key, validEvent()),
        encodeEvent(validEvent(0, { source: { service: 'payments', instance: 'p' } })),
        invalidEventBytes(),
        encodeEvent(validEvent(9)),
      ];
      const { entries } = seal(linker.genesisHead(), records([0, 1, 2, 3, 4, 5, 6, 7, 8], (i) => values[i]!));
      expect(entries.map((e) => [e.entry.kind, e.entry.rejectReason])).toEqual([
        ['REJECTED', 'MALFORMED'],
        ['REJECTED', 'MALFORMED'],
        ['REJECTED', 'MALFORMED'],
        ['REJECTED', 'UNKNOWN_SCHEMA'],
        ['REJECTED', 'TOO_LARGE'],
        ['REJECTED', 'BAD_SIGNATURE'],
        ['REJECTED', 'MISSING_SIGNATURE'],
        ['REJECTED', 'INVALID_EVENT'],
        ['EVENT', null],
      ]);
      expect(entries.every((e) => (e.entry.kind === 'EVENT') === (e.entry.rejectDetail === null))).toBe(true);
      expect(entries[0]!.entry.value).toHaveLength(0);
      entries.slice(1).forEach((e, i) => expect(Buffer.from(e.entry.value)).toEqual(Buffer.from(values[i + 1]!)));
      expect(verifyChain(entries.map((e) => toCoreEntry(e.entry)), { chainId: id }).ok).toBe(true);
    });

    it('rejects as MALFORMED a record whose Kafka timestamp the entry cannot hold, with sourceTimestamp −1, whatever its value', () => {
      const timestamps = [-(2 ** 52) - 1, -(2 ** 62), -(2 ** 52), -5, -1];
      const input = timestamps.map((timestampMs, i) => ({ offset: i, timestampMs, key: null, value: encodeEvent(validEvent(i)) }));
      const { entries } = seal(linker.genesisHead(), input);
      expect(entries.map((e) => [e.entry.kind, e.entry.rejectReason, e.entry.sourceTimestamp])).toEqual([
        ['REJECTED', 'MALFORMED', -1],
        ['REJECTED', 'MALFORMED', -1],
        ['EVENT', null, -(2 ** 52)],
        ['EVENT', null, -5],
        ['EVENT', null, -1],
      ]);
      expect(entries[0]!.entry.rejectDetail).toContain('Kafka record timestamp -4503599627370497 ms is outside');
      expect(entries.map((e) => decodeSealedEntry(e.bytes).sourceTimestamp)).toEqual([-1, -1, -(2 ** 52), -5, -1]);
      expect(verifyChain(entries.map((e) => toCoreEntry(decodeSealedEntry(e.bytes))), { chainId: id }).ok).toBe(true);
    });

    it('keeps the key of a tombstone', () => {
      const [output] = seal(linker.genesisHead(), [{ offset: 0, timestampMs: 1, key: Buffer.from('tenant-a'), value: null }]).entries;
      expect(Buffer.from(output!.entry.key!).toString()).toBe('tenant-a');
    });
  });

  describe('when the input is not what the chainer guarantees', () => {
    it('refuses offsets that do not increase', () => {
      expect(() => seal(linker.genesisHead(), records([4, 4]))).toThrow(/strictly increasing/);
      expect(() => seal(linker.genesisHead(), records([5, 3]))).toThrow(/strictly increasing/);
    });

    it('refuses a head of another chain', () => {
      const other = new ChainLinker(chainId({ cluster: 'test', topic: 'audit.events', partition: 4 }));
      expect(() => seal(other.genesisHead(), records([0]))).toThrow(/another chain/);
    });
  });
});
