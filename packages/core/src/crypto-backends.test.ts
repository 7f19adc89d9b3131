import { createHash, randomBytes } from 'node:crypto';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { portableCrypto } from './crypto-portable';

const backends: [string, CryptoBackend][] = [
  ['nodeCrypto', nodeCrypto],
  ['portableCrypto', portableCrypto],
];

describe.each(backends)('%s', (_name, backend) => {
  describe('sha256', () => {
    describe('when hashing random inputs of every length up to 300 bytes and a few large ones', () => {
      it('matches createHash, in one part or several', () => {
        for (const n of [...Array.from({ length: 300 }, (_, i) => i), 4096, 65_537, 1_000_003]) {
          const data = randomBytes(n);
          const expected = createHash('sha256').update(data).digest();
          expect(Buffer.from(backend.sha256(data)).equals(expected)).toBe(true);
          const cut = Math.floor(n / 3);
          expect(Buffer.from(backend.sha256(data.subarray(0, cut), data.subarray(cut), new Uint8Array(0))).equals(expected)).toBe(true);
        }
        expect(Buffer.from(backend.sha256()).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      });
    });

    describe('when the input is a view into a larger buffer', () => {
      it('hashes only the view', () => {
        const big = randomBytes(100);
        const view = new Uint8Array(big.buffer, big.byteOffset + 10, 50);
        expect(Buffer.from(backend.sha256(view)).equals(createHash('sha256').update(big.subarray(10, 60)).digest())).toBe(true);
      });
    });
  });

  describe('sha256Into', () => {
    describe('when writing at an offset', () => {
      it('writes exactly 32 bytes there and nothing else', () => {
        const out = new Uint8Array(40).fill(7);
        backend.sha256Into(Buffer.from('abc'), out, 5);
        expect(Buffer.from(out.subarray(5, 37)).equals(createHash('sha256').update('abc').digest())).toBe(true);
        expect([...out.subarray(0, 5), ...out.subarray(37)]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
      });
    });
  });

  describe('ed25519', () => {
    describe('when signing random messages with random keys', () => {
      it('agrees with the other backend and verifies', () => {
        const other = backend === nodeCrypto ? portableCrypto : nodeCrypto;
        for (let i = 0; i < 20; i++) {
          const seed = backend.randomBytes(32);
          const message = randomBytes(i * 13);
          const pk = backend.ed25519PublicKey(seed);
          expect(other.ed25519PublicKey(seed)).toEqual(pk);
          const sig = backend.ed25519Sign(message, seed);
          expect(other.ed25519Sign(message, seed)).toEqual(sig);
          expect(backend.ed25519Verify(sig, message, pk)).toBe(true);
          expect(other.ed25519Verify(sig, message, pk)).toBe(true);
        }
      });
    });

    describe('when inputs have wrong lengths', () => {
      it('returns false from verify and throws from sign', () => {
        const seed = backend.randomBytes(32);
        const pk = backend.ed25519PublicKey(seed);
        const sig = backend.ed25519Sign(Uint8Array.of(1), seed);
        expect(backend.ed25519Verify(sig.subarray(1), Uint8Array.of(1), pk)).toBe(false);
        expect(backend.ed25519Verify(sig, Uint8Array.of(1), pk.subarray(1))).toBe(false);
        expect(() => backend.ed25519Sign(Uint8Array.of(1), seed.subarray(1))).toThrow();
      });
    });

    // nodeCrypto caches KeyObjects (by seed array and by public key bytes): a cached key must never outlive its bytes.
    describe('when one seed array is signed with, then overwritten with another seed', () => {
      it('signs and derives with the new seed', () => {
        const message = Uint8Array.of(1, 2, 3);
        const first = backend.randomBytes(32);
        const second = backend.randomBytes(32);
        const seed = Uint8Array.from(first);
        expect(backend.ed25519Sign(message, seed)).toEqual(backend.ed25519Sign(message, Uint8Array.from(first)));
        seed.set(second);
        expect(backend.ed25519Sign(message, seed)).toEqual(backend.ed25519Sign(message, Uint8Array.from(second)));
        expect(backend.ed25519PublicKey(seed)).toEqual(backend.ed25519PublicKey(Uint8Array.from(second)));
      });
    });

    describe('when verifying with many more keys than any keyring holds, in turn, and with bytes that are no key', () => {
      it('verifies each signature with its own key only, and never with the bad bytes', () => {
        const message = Uint8Array.of(9);
        const keys = Array.from({ length: 1100 }, () => {
          const seed = backend.randomBytes(32);
          return { pk: backend.ed25519PublicKey(seed), sig: backend.ed25519Sign(message, seed) };
        });
        for (const round of [0, 1]) {
          for (const [i, { pk, sig }] of keys.entries()) {
            expect([round, i, backend.ed25519Verify(sig, message, pk)]).toEqual([round, i, true]);
            expect([round, i, backend.ed25519Verify(keys[(i + 1) % keys.length]!.sig, message, pk)]).toEqual([round, i, false]);
          }
        }
        // Not a curve point (the y coordinate 2^255 - 1 is above the field's prime): false, every time.
        const notAKey = new Uint8Array(32).fill(0xff).fill(0x7f, 31);
        for (let i = 0; i < 3; i++) expect(backend.ed25519Verify(keys[0]!.sig, message, notAKey)).toBe(false);
      }, 60_000);
    });
  });

  describe('randomBytes', () => {
    it('returns the requested length, different each time', () => {
      expect(backend.randomBytes(16).length).toBe(16);
      expect(backend.randomBytes(32)).not.toEqual(backend.randomBytes(32));
    });
  });
});
