import { createHash } from 'node:crypto';
import { encodeEntryBody, ENTRY_BODY_FORMAT_V1, EntryBodyEncoder, type EntryBodyFields } from './entry-body';

const base: EntryBodyFields = {
  kind: 'event',
  sourceOffset: 5,
  sourceTimestampMs: 1000,
  sealedAtMicros: 2000,
  key: null,
  value: Uint8Array.of(0xaa),
  rejectReason: 'none',
};

describe('encodeEntryBody', () => {
  describe('when encoding an event without key', () => {
    it('lays out the fields exactly as FORMAT.md §3', () => {
      const hex = Buffer.from(encodeEntryBody(base)).toString('hex');
      expect(hex).toBe(
        [
          'e1', // format byte
          '01', // kind event
          '0000000000000005', // sourceOffset
          '00000000000003e8', // sourceTimestampMs
          '00000000000007d0', // sealedAtMicros
          '00', // no key
          '00000001aa', // value
          '00', // reason none
          '00', // no detail
        ].join(''),
      );
      expect(encodeEntryBody(base)[0]).toBe(ENTRY_BODY_FORMAT_V1);
    });
  });

  describe('when encoding a rejected entry with key and detail', () => {
    it('adds length-prefixed key and UTF-8 detail', () => {
      const body = encodeEntryBody({ ...base, kind: 'rejected', key: Uint8Array.of(1, 2), rejectReason: 'bad_signature', rejectDetail: 'é' });
      expect(Buffer.from(body.subarray(26)).toString('hex')).toBe('01' + '000000020102' + '00000001aa' + '04' + '01' + '00000002c3a9');
    });
  });

  describe('when the same integers come as number or bigint', () => {
    it('gives identical bytes, with two’s complement for negatives', () => {
      for (const t of [-1, -(2 ** 53 - 1), 0, 2 ** 32, 2 ** 53 - 1]) {
        const a = encodeEntryBody({ ...base, sourceTimestampMs: t, sealedAtMicros: t });
        const b = encodeEntryBody({ ...base, sourceTimestampMs: BigInt(t), sealedAtMicros: BigInt(t) });
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect(Buffer.from(a).readBigInt64BE(10)).toBe(BigInt(t));
      }
    });
  });

  describe('when key is absent versus empty', () => {
    it('encodes them differently (Kafka distinguishes null and empty keys)', () => {
      const absent = encodeEntryBody({ ...base, key: undefined });
      const empty = encodeEntryBody({ ...base, key: new Uint8Array(0) });
      expect(Buffer.from(absent).equals(Buffer.from(encodeEntryBody({ ...base, key: null })))).toBe(true);
      expect(Buffer.from(absent).equals(Buffer.from(empty))).toBe(false);
    });
  });

  describe('when fields could be shifted between key, value and detail', () => {
    it('never produces the same body (the encoding is injective)', () => {
      const seen = new Map<string, string>();
      const parts = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(0, 0, 0, 1)];
      for (const key of [null, ...parts]) {
        for (const value of parts) {
          for (const rejectDetail of [null, '', '\u0000']) {
            const fields: EntryBodyFields = { ...base, key, value, kind: 'rejected', rejectReason: 'malformed', rejectDetail };
            const digest = createHash('sha256').update(encodeEntryBody(fields)).digest('hex');
            const label = JSON.stringify([key && [...key], [...value], rejectDetail]);
            expect(seen.get(digest) ?? label).toBe(label);
            seen.set(digest, label);
          }
        }
      }
      expect(seen.size).toBe(5 * 4 * 3);
    });
  });

  describe('when the fields break a rule', () => {
    it.each<[string, Partial<EntryBodyFields> | Record<string, unknown>]>([
      ['unknown kind', { kind: 'other' }],
      ['inherited property as kind', { kind: 'toString' }],
      ['unknown reason', { rejectReason: 'nope' }],
      ['event with a reason', { rejectReason: 'malformed' }],
      ['rejected without reason', { kind: 'rejected' }],
      ['event with detail', { rejectDetail: 'x' }],
      ['lone surrogate in detail', { kind: 'rejected', rejectReason: 'malformed', rejectDetail: 'a\ud800' }],
      ['detail over 1024 bytes', { kind: 'rejected', rejectReason: 'malformed', rejectDetail: 'x'.repeat(1025) }],
      ['negative offset', { sourceOffset: -1 }],
      ['fractional offset', { sourceOffset: 1.5 }],
      ['unsafe number', { sourceTimestampMs: 2 ** 53 }],
      ['offset beyond 2^63-1', { sourceOffset: 2n ** 63n }],
      ['timestamp below -2^63', { sourceTimestampMs: -(2n ** 63n) - 1n }],
      ['string offset', { sourceOffset: '5' }],
      ['null value', { value: null }],
      ['array key', { key: [1, 2] }],
    ])('rejects %s with invalid_entry', (_name, patch) => {
      expect(() => encodeEntryBody({ ...base, ...patch } as EntryBodyFields)).toThrow(expect.objectContaining({ code: 'invalid_entry' }));
    });
  });

  describe('when the detail is exactly 1024 bytes', () => {
    it('accepts it', () => {
      expect(() => encodeEntryBody({ ...base, kind: 'rejected', rejectReason: 'malformed', rejectDetail: 'é'.repeat(512) })).not.toThrow();
    });
  });
});

describe('EntryBodyEncoder', () => {
  describe('when encoding bodies of growing and shrinking sizes', () => {
    it('returns the same bytes as encodeEntryBody every time', () => {
      const encoder = new EntryBodyEncoder();
      for (const n of [0, 10, 5000, 3, 70_000, 1, 1024]) {
        const fields: EntryBodyFields = { ...base, value: new Uint8Array(n).fill(n & 255), key: n % 2 ? Uint8Array.of(n & 255) : null };
        expect(Buffer.from(encoder.encode(fields)).equals(Buffer.from(encodeEntryBody(fields)))).toBe(true);
      }
    });
  });

  describe('when the fields are invalid', () => {
    it('throws invalid_entry and stays usable', () => {
      const encoder = new EntryBodyEncoder();
      expect(() => encoder.encode({ ...base, sourceOffset: -1 })).toThrow(expect.objectContaining({ code: 'invalid_entry' }));
      expect(Buffer.from(encoder.encode(base)).equals(Buffer.from(encodeEntryBody(base)))).toBe(true);
    });
  });
});
