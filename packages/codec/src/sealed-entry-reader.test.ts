// decodeSealedEntry reads with a hand-written reader first (readSealedEntryFast)
// and falls back to the detailed decode (scan, then avsc) when it declines.
// These tests show the fast reader never accepts what the detailed decode
// rejects, and returns the same entry when both accept: on valid entries of
// every shape and on many damaged encodings of them.
import { CodecError } from './errors';
import { decodeSealedEntry, encodeSealedEntry, sealedEntryCodec, SEALED_ENTRY_LIMITS, type SealedEntry } from './sealed-entry';
import { readSealedEntryFast } from './sealed-entry-reader';
import { sealedEntrySchema } from './schemas';
import { mutate, sampleSealedEntry, seededRandom } from './__fixtures__/records';

const FP = sealedEntrySchema.fingerprint;
const LIMIT = SEALED_ENTRY_LIMITS.maxEntryBytes;
const MAX_LONG = 2 ** 53 - 2;

const fast = (bytes: Uint8Array, limit = LIMIT) => readSealedEntryFast(bytes, FP, limit);
function detailed(bytes: Uint8Array, limit = LIMIT): SealedEntry | CodecError {
  try {
    return sealedEntryCodec.decode(bytes, limit);
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
}

/** Empty when the fast reader agrees with the detailed decode (declining is always allowed). */
function disagreement(bytes: Uint8Array, limit = LIMIT): string | undefined {
  const f = fast(bytes, limit);
  const d = detailed(bytes, limit);
  if (f === undefined) return undefined;
  if (d instanceof CodecError) return `fast accepts, detailed rejects (${d.code}: ${d.message})`;
  try {
    expect(plain(f)).toEqual(plain(d));
  } catch {
    return 'different entries';
  }
  return undefined;
}

const plain = (e: SealedEntry) => ({ ...e, key: e.key && Buffer.from(e.key).toString('hex'), value: Buffer.from(e.value).toString('hex'), prevHash: Buffer.from(e.prevHash).toString('hex'), hash: Buffer.from(e.hash).toString('hex') });

function entries(): SealedEntry[] {
  const random = seededRandom(0xfa57);
  const out: SealedEntry[] = [
    sampleSealedEntry(),
    sampleSealedEntry({ key: null, seq: 0, sourceOffset: 0, sourcePartition: 0 }),
    sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'INVALID_EVENT', rejectDetail: 'Zoë: bad tenant 日本 \ud83d\ude42', value: Buffer.alloc(0) }),
    sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'BAD_SIGNATURE', rejectDetail: null, key: Buffer.alloc(0) }),
    sampleSealedEntry({ seq: MAX_LONG, sourceOffset: MAX_LONG, sealedAt: MAX_LONG, sourceTimestamp: -(2 ** 52), sourcePartition: 2 ** 31 - 1 }),
    sampleSealedEntry({ chainId: 'auditseal:v1:prod-eu:audit.events:17', value: Buffer.alloc(70_000, 7) }),
  ];
  for (let i = 0; i < 200; i++) {
    out.push(
      sampleSealedEntry({
        seq: Math.floor(random() * 2 ** 40),
        sourcePartition: Math.floor(random() * 1000),
        sourceOffset: Math.floor(random() * 2 ** 50),
        sourceTimestamp: Math.floor((random() - 0.5) * 2 ** 45),
        sealedAt: Math.floor(random() * 2 ** 52),
        key: random() < 0.3 ? null : Buffer.alloc(Math.floor(random() * 40), i),
        value: Buffer.alloc(Math.floor(random() * 300), i + 1),
        prevHash: Buffer.alloc(32, i),
        hash: Buffer.alloc(32, i + 7),
      }),
    );
  }
  return out;
}

describe('readSealedEntryFast', () => {
  it('reads every valid entry exactly as the detailed decode does', () => {
    for (const entry of entries()) {
      const bytes = encodeSealedEntry(entry);
      expect(fast(bytes)).toBeDefined();
      expect(disagreement(bytes)).toBeUndefined();
      expect(plain(decodeSealedEntry(bytes))).toEqual(plain(entry));
    }
  });

  it('reads entries of several chains in turn (the chain id it remembers is only a shortcut)', () => {
    const a = sampleSealedEntry({ chainId: 'auditseal:v1:c:audit.events:1' });
    const b = sampleSealedEntry({ chainId: 'auditseal:v1:c:audit.events:2' });
    for (const entry of [a, a, b, a, b, b]) expect(fast(encodeSealedEntry(entry))?.chainId).toBe(entry.chainId);
  });

  it('reads a Uint8Array that is not a Buffer, and a view inside a larger buffer', () => {
    const bytes = encodeSealedEntry(sampleSealedEntry());
    expect(disagreement(new Uint8Array(bytes))).toBeUndefined();
    expect(fast(new Uint8Array(bytes))).toBeDefined();
    const larger = Buffer.concat([Buffer.alloc(5, 9), bytes, Buffer.alloc(5, 9)]);
    expect(fast(larger.subarray(5, 5 + bytes.length))?.seq).toBe(41);
  });

  it('declines what the detailed decode rejects: size limit, header, fingerprint, trailing bytes, bad UTF-8, ranges', () => {
    const bytes = encodeSealedEntry(sampleSealedEntry());
    const other = Buffer.from(bytes);
    other[9] = (other[9]! + 1) & 0xff;
    const badUtf8 = Buffer.from(encodeSealedEntry(sampleSealedEntry({ chainId: 'auditseal:v1:c:audit.events:é' })));
    badUtf8[10 + 1 + badUtf8.indexOf(0xc3, 11) - 11] = 0xff; // the first byte of é
    const cases: [string, Uint8Array, number][] = [
      ['over the limit', bytes, bytes.length - 1],
      ['no marker', Buffer.concat([Buffer.from([0, 1]), bytes.subarray(2)]), LIMIT],
      ['short header', bytes.subarray(0, 9), LIMIT],
      ['another fingerprint', other, LIMIT],
      ['a trailing byte', Buffer.concat([bytes, Buffer.from([0])]), LIMIT],
      ['truncated', bytes.subarray(0, bytes.length - 1), LIMIT],
      ['invalid UTF-8 in the chain id', badUtf8, LIMIT],
    ];
    for (const [what, input, limit] of cases) {
      expect([what, fast(input, limit)]).toEqual([what, undefined]);
      expect([what, detailed(input, limit) instanceof CodecError]).toEqual([what, true]);
    }
  });

  it('declines a long beyond ±(2^53 − 2) and an int beyond 32 bits, as the detailed decode rejects them', () => {
    const bytes = encodeSealedEntry(sampleSealedEntry({ seq: 0 }));
    const chainIdEnd = 10 + 1 + sampleSealedEntry().chainId.length;
    // seq 0 is one byte (0x00): replace it with zig-zag 2^53 (10-byte-free: 8 bytes) — out of range.
    const big = Buffer.concat([bytes.subarray(0, chainIdEnd), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]), bytes.subarray(chainIdEnd + 1)]);
    expect(fast(big)).toBeUndefined();
    expect((detailed(big) as CodecError).code).toBe('long_out_of_range');
    // sourcePartition 3 (0x06) after kind: replace it with zig-zag 2^31.
    const partitionAt = chainIdEnd + 2;
    expect(bytes[partitionAt]).toBe(6);
    const wide = Buffer.concat([bytes.subarray(0, partitionAt), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]), bytes.subarray(partitionAt + 1)]);
    expect(fast(wide)).toBeUndefined();
    expect((detailed(wide) as CodecError).code).toBe('malformed');
    // An overlong varint (0 as 0x80 0x00) is valid Avro: both read it.
    const overlong = Buffer.concat([bytes.subarray(0, chainIdEnd), Buffer.from([0x80, 0x00]), bytes.subarray(chainIdEnd + 1)]);
    expect(fast(overlong)?.seq).toBe(0);
    expect(disagreement(overlong)).toBeUndefined();
  });

  it('never accepts a damaged encoding the detailed decode rejects, nor reads one differently (20,000 mutations)', () => {
    const random = seededRandom(0xbad);
    const valid = entries().slice(0, 40).map((e) => encodeSealedEntry(e));
    const problems: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const original = valid[i % valid.length]!;
      const bytes = mutate(original, random);
      const problem = disagreement(bytes);
      if (problem) problems.push(`mutation ${i}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});
