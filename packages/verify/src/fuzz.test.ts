import { encodeSealedEntry } from '@auditseal/codec';
import { nodeCrypto } from '@auditseal/core';
import { decodeSealedRecord } from './check-chain';
import { checkManifest, checkSegment } from './check-segments';
import type { Finding } from './findings';
import { CHAIN, FORMATS, KEYRING, MemoryArchive, buildArchive, buildEntries, sinkInto } from './testing/fixtures';

/** Deterministic pseudo-random bytes (no retries, no flakiness: CONVENTIONS.md habit 6). */
function prng(seed: number): (n: number) => Uint8Array {
  let state = nodeCrypto.sha256(new Uint8Array([seed & 0xff, (seed >> 8) & 0xff]));
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) {
      state = nodeCrypto.sha256(state);
      out.set(state.subarray(0, Math.min(32, n - i)), i);
    }
    return out;
  };
}

describe('untrusted bytes (CONVENTIONS.md habit 7)', () => {
  describe('when audit.sealed records are random, truncated or bit-flipped', () => {
    it('decodeSealedRecord returns a typed result and never throws', () => {
      const random = prng(1);
      const valid = encodeSealedEntry(buildEntries(1).entries[0]!);
      for (let i = 0; i < 300; i++) {
        const flipped = Buffer.from(valid);
        flipped[i % flipped.length]! ^= 1 << i % 8;
        for (const bytes of [random(i % 120), valid.subarray(0, i % valid.length), flipped]) {
          const result = decodeSealedRecord(bytes);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(typeof result.code).toBe('string');
        }
      }
    });
  });

  describe('when segments and manifests are random, truncated or bit-flipped', () => {
    it('the checks report findings and never throw', async () => {
      const random = prng(2);
      const archive = new MemoryArchive();
      const { segments } = await buildArchive({ archive, total: 10, segmentSize: 10 });
      const segment = (await archive.get(segments[0]!.segmentKey))!;
      const manifestBytes = (await archive.get(segments[0]!.manifestKey))!;
      const { manifest } = checkManifest({ chainId: CHAIN, manifestKey: 'm', segmentKey: segments[0]!.segmentKey, firstSeq: 0, lastSeq: 9, bytes: manifestBytes, formats: FORMATS, keyring: KEYRING, sink: () => undefined });
      for (let i = 0; i < 60; i++) {
        const flipped = Buffer.from(segment);
        flipped[(i * 37) % flipped.length]! ^= 1 << i % 8;
        for (const bytes of [random(i * 10), segment.subarray(0, (i * 53) % segment.length), flipped]) {
          const findings: Finding[] = [];
          await checkSegment({ chainId: CHAIN, segmentKey: segments[0]!.segmentKey, firstSeq: 0, lastSeq: 9, manifest, bytes, formats: FORMATS, sink: sinkInto(findings) });
          expect(findings.length).toBeGreaterThan(0);
        }
        const m = Buffer.from(manifestBytes);
        m[(i * 11) % m.length]! ^= 1 << i % 8;
        for (const bytes of [m, manifestBytes.subarray(0, i * 5), random(i)]) {
          const findings: Finding[] = [];
          checkManifest({ chainId: CHAIN, manifestKey: 'm', segmentKey: segments[0]!.segmentKey, firstSeq: 0, lastSeq: 9, bytes, formats: FORMATS, keyring: KEYRING, sink: sinkInto(findings) });
          expect(findings.length).toBeGreaterThan(0);
        }
      }
    });
  });
});
