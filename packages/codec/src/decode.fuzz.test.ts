// Fuzzing every decoder of untrusted bytes (CONVENTIONS.md habit 7): random input,
// every truncation of valid encodings, every single-bit flip, forged lengths and
// counts. Each decoder must return a value or throw a CodecError — never anything
// else — and the suite's timeout is the guard against hangs and runaway allocation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEventDetailed, encodeEvent } from './audit-event';
import { decodeCheckpointRecord, encodeCheckpointRecord } from './checkpoint';
import { CodecError } from './errors';
import { decodeSealedEntry, encodeSealedEntry } from './sealed-entry';
import { decodeSegmentManifestRecord, encodeSegmentManifestRecord } from './segment-manifest';
import { createWriterSchemaRegistry } from './writer-registry';
import {
  minimalEvent,
  sampleCheckpoint,
  sampleEvent,
  sampleManifest,
  sampleSealedEntry,
  SCHEMAS_DIR,
  seededRandom,
} from './__fixtures__/records';

jest.setTimeout(60_000);

const registry = createWriterSchemaRegistry();
registry.register(JSON.parse(readFileSync(join(SCHEMAS_DIR, 'testdata', 'audit-event.v2.avsc'), 'utf8')));

const signed = encodeEvent(sampleEvent({ signature: { keyId: 'k1', value: Buffer.alloc(64, 9) } }));

const decoders: [string, (bytes: Uint8Array) => unknown, Buffer[]][] = [
  ['decodeEventDetailed', (b) => decodeEventDetailed(b, { registry }), [encodeEvent(sampleEvent()), encodeEvent(minimalEvent()), signed]],
  [
    'decodeSealedEntry',
    (b) => decodeSealedEntry(b),
    [encodeSealedEntry(sampleSealedEntry({ value: signed })), encodeSealedEntry(sampleSealedEntry({ kind: 'REJECTED', rejectReason: 'MALFORMED', key: null }))],
  ],
  ['decodeSegmentManifestRecord', (b) => decodeSegmentManifestRecord(b), [encodeSegmentManifestRecord(sampleManifest())]],
  ['decodeCheckpointRecord', (b) => decodeCheckpointRecord(b), [encodeCheckpointRecord(sampleCheckpoint())]],
];

/** Runs the decoder; returns the CodecError code, 'ok', or fails the test on any other throw. */
function attempt(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): string {
  try {
    decode(bytes);
    return 'ok';
  } catch (err) {
    // A CodecError with a cause comes from the catch-all around avsc: the bounded scan let
    // through something avsc could not decode, which is a gap in the scan.
    if (err instanceof CodecError && err.cause === undefined) return err.code;
    throw new Error(`non-CodecError for input ${Buffer.from(bytes).toString('hex')}: ${String(err)}`, { cause: err });
  }
}

describe.each(decoders)('%s on hostile input', (_name, decode, valid) => {
  it('decodes the valid samples', () => {
    for (const bytes of valid) expect(attempt(decode, bytes)).toBe('ok');
  });

  it('rejects every proper prefix of a valid encoding as truncated', () => {
    for (const bytes of valid) {
      for (let length = 0; length < bytes.length; length++) {
        const code = attempt(decode, bytes.subarray(0, length));
        if (code !== 'truncated') throw new Error(`prefix of ${length} bytes gave ${code}`);
      }
    }
  });

  it('survives every single-bit flip', () => {
    const seen = new Set<string>();
    for (const bytes of valid) {
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        seen.add(attempt(decode, flipped));
      }
    }
    expect(seen.has('not_single_object')).toBe(true);
    expect(seen.has('unknown_fingerprint')).toBe(true);
  });

  it('survives random bytes, with and without a valid header', () => {
    const random = seededRandom(0xa0d17);
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(random() * 300);
      const noise = Buffer.alloc(length);
      for (let j = 0; j < length; j++) noise[j] = Math.floor(random() * 256);
      attempt(decode, noise);
      // Keep the header of a valid sample so the noise reaches the body parser.
      attempt(decode, Buffer.concat([valid[0]!.subarray(0, 10), noise]));
    }
  });

  it('survives random multi-byte mutations and splices', () => {
    const random = seededRandom(0x5ea1);
    const pick = (n: number) => Math.floor(random() * n);
    for (let i = 0; i < 5000; i++) {
      const base = valid[pick(valid.length)]!;
      let bytes = Buffer.from(base);
      const mutations = 1 + pick(4);
      for (let m = 0; m < mutations; m++) {
        const at = 10 + pick(bytes.length - 10);
        switch (pick(3)) {
          case 0:
            bytes[at] = pick(256);
            break;
          case 1: // drop a run
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + pick(8)))]);
            break;
          default: // duplicate a run
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + 1 + pick(8)), bytes.subarray(at)]);
        }
        if (bytes.length <= 10) break;
      }
      attempt(decode, bytes);
    }
  });

  it('survives forged huge lengths and counts at every position', () => {
    const forgeries = [
      [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^63 - 1
      [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], // 2^53 - 1
      [0xfe, 0xff, 0xff, 0xff, 0x0f], // 2^31 - 1
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // over-long varint
      [0x01], // -1
      [0xff, 0xff, 0xff, 0xff, 0x0f], // -(2^31)
    ].map((b) => Buffer.from(b));
    for (const bytes of valid) {
      for (let at = 10; at < bytes.length; at++) {
        for (const forged of forgeries) {
          attempt(decode, Buffer.concat([bytes.subarray(0, at), forged, bytes.subarray(at)])); // inserted
          attempt(decode, Buffer.concat([bytes.subarray(0, at), forged, bytes.subarray(at + forged.length)])); // overwritten
        }
      }
    }
  });

  it('rejects inputs over the size limit before parsing', () => {
    const huge = Buffer.alloc(9 * 1024 * 1024);
    huge[0] = 0xc3;
    huge[1] = 0x01;
    expect(attempt(decode, huge)).toBe('too_large');
  });
});
