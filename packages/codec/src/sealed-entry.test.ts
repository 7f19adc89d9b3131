import { decodeEvent, encodeEvent } from './audit-event';
import { CodecError } from './errors';
import { decodeSealedEntry, encodeSealedEntry, rejectReasonFor, sourceTimestampOf, validateSealedEntry } from './sealed-entry';
import { sealedEntrySchema } from './schemas';
import { sampleEvent, sampleSealedEntry } from './__fixtures__/records';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CodecError).code;
  }
  return undefined;
}

describe('encodeSealedEntry / decodeSealedEntry', () => {
  it('round-trips an EVENT entry whose value is an encoded event', () => {
    const value = encodeEvent(sampleEvent());
    const entry = sampleSealedEntry({ value });
    const bytes = encodeSealedEntry(entry);
    expect(bytes.readBigUInt64LE(2)).toBe(sealedEntrySchema.fingerprint);
    const decoded = decodeSealedEntry(bytes);
    expect(decoded).toEqual(entry);
    expect(decodeEvent(decoded.value)).toEqual(sampleEvent());
  });

  it('round-trips a REJECTED entry with a null key and an empty value', () => {
    const entry = sampleSealedEntry({
      kind: 'REJECTED',
      key: null,
      value: Buffer.alloc(0),
      rejectReason: 'MALFORMED',
      rejectDetail: 'input ends early',
    });
    expect(decodeSealedEntry(encodeSealedEntry(entry))).toEqual(entry);
  });

  it('accepts values up to the 8 MiB default limit', () => {
    const entry = sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'TOO_LARGE', value: Buffer.alloc(2 * 1024 * 1024, 7) });
    expect(decodeSealedEntry(encodeSealedEntry(entry)).value).toHaveLength(2 * 1024 * 1024);
  });

  describe('when the entry breaks a rule', () => {
    it.each([
      ['a REJECTED entry without reason', { kind: 'REJECTED' as const }, ['rejectReason']],
      ['an EVENT entry with a reason', { rejectReason: 'MALFORMED' as const, rejectDetail: 'x' }, ['rejectReason', 'rejectDetail']],
      ['a short hash', { hash: Buffer.alloc(31) }, ['hash']],
      ['a negative seq', { seq: -1 }, ['seq']],
      ['an unsafe offset', { sourceOffset: 2 ** 53 }, ['sourceOffset']],
      ['an empty chain id', { chainId: '' }, ['chainId']],
      // avsc's int check throws a TypeError on a BigInt: it must be an issue like any wrong type.
      ['a BigInt partition', { sourcePartition: 3n as unknown as number }, ['sourcePartition']],
    ])('lists %s', (_what, override, paths) => {
      const entry = sampleSealedEntry(override);
      expect(validateSealedEntry(entry).map((i) => i.path)).toEqual(paths);
      expect(codeOf(() => encodeSealedEntry(entry))).toBe('invalid_record');
    });
  });

  describe('when decoding bad bytes', () => {
    it.each([
      ['an event instead of an entry', () => decodeSealedEntry(encodeEvent(sampleEvent())), 'unknown_fingerprint'],
      ['a truncated entry', () => decodeSealedEntry(encodeSealedEntry(sampleSealedEntry()).subarray(0, 50)), 'truncated'],
      ['an entry over the limit', () => decodeSealedEntry(encodeSealedEntry(sampleSealedEntry()), 64), 'too_large'],
      ['garbage', () => decodeSealedEntry(Buffer.from('garbage')), 'not_single_object'],
    ])('rejects %s', (_what, fn, code) => {
      expect(codeOf(fn)).toBe(code);
    });
  });
});

describe('rejectReasonFor', () => {
  it.each([
    ['truncated', 'MALFORMED'],
    ['not_single_object', 'MALFORMED'],
    ['malformed', 'MALFORMED'],
    ['long_out_of_range', 'MALFORMED'],
    ['unknown_fingerprint', 'UNKNOWN_SCHEMA'],
    ['too_large', 'TOO_LARGE'],
    ['invalid_event', 'INVALID_EVENT'],
  ] as const)('maps %s to %s', (code, reason) => {
    expect(rejectReasonFor(new CodecError(code, 'x'))).toBe(reason);
  });

  it('maps anything else to MALFORMED', () => {
    expect(rejectReasonFor(new Error('x'))).toBe('MALFORMED');
  });
});

describe('validateSealedEntry on enum values avsc would look up on Object.prototype', () => {
  it.each([
    ['kind', { kind: 'toString' }],
    ['rejectReason', { kind: 'REJECTED', rejectReason: 'constructor' }],
  ])('rejects %s instead of encoding the first symbol', (path, override) => {
    const entry = sampleSealedEntry(override as never);
    expect(validateSealedEntry(entry).map((i) => i.path)).toContain(path);
    expect(codeOf(() => encodeSealedEntry(entry))).toBe('invalid_record');
  });
});

describe('sourceTimestamp: the longs an encoder writes exactly', () => {
  it('round-trips the lowest Kafka timestamp an entry holds, −2^52 ms', () => {
    const entry = sampleSealedEntry({ sourceTimestamp: -(2 ** 52) });
    expect(decodeSealedEntry(encodeSealedEntry(entry)).sourceTimestamp).toBe(-(2 ** 52));
  });

  it('refuses to encode a long below −2^52, which avsc would write as another number', () => {
    const entry = sampleSealedEntry({ sourceTimestamp: -(2 ** 52) - 1 });
    expect(validateSealedEntry(entry)).toEqual([{ path: 'sourceTimestamp', message: `expected an integer from -(2^52) to 2^53 - 2, got ${-(2 ** 52) - 1}` }]);
    expect(codeOf(() => encodeSealedEntry(entry))).toBe('invalid_record');
  });

  it('maps a Kafka timestamp to the entry: itself within −2^52 … 2^53 − 2 ms, else −1', () => {
    expect([-1, -5, 0, 1_795_723_200_000, -(2 ** 52), 2 ** 53 - 2].map(sourceTimestampOf)).toEqual([-1, -5, 0, 1_795_723_200_000, -(2 ** 52), 2 ** 53 - 2]);
    expect([-(2 ** 52) - 1, -(2 ** 62), 2 ** 53, Number.NaN, 1.5].map(sourceTimestampOf)).toEqual([-1, -1, -1, -1, -1]);
  });
});
