import { createHash } from 'node:crypto';
import { nodeCrypto } from './crypto-node';
import { portableCrypto } from './crypto-portable';
import { createKeyring, generateSigningKey, keyIdOf, publicKeyEntry, sign, signingKeyFromSeed, verifySignature, type PublicKeyring } from './keys';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());
const OLD = signingKeyFromSeed(seed('old'));
const NEW = signingKeyFromSeed(seed('new'));
const ROTATION = new Date('2026-06-01T00:00:00.000Z');
const keyring: PublicKeyring = createKeyring([
  publicKeyEntry(OLD, new Date('2026-01-01T00:00:00.000Z'), ROTATION),
  publicKeyEntry(NEW, ROTATION),
]);
const message = Buffer.from('manifest bytes');

describe('keyIdOf', () => {
  describe('when given a public key', () => {
    it('is the first 8 bytes of its SHA-256 in lowercase hex', () => {
      const expected = createHash('sha256').update(OLD.publicKey).digest('hex').slice(0, 16);
      expect(keyIdOf(OLD.publicKey)).toBe(expected);
      expect(keyIdOf(OLD.publicKey, portableCrypto)).toBe(expected);
      expect(OLD.keyId).toBe(expected);
    });
  });

  describe('when the key is not 32 bytes', () => {
    it('throws invalid_key', () => {
      expect(() => keyIdOf(new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'invalid_key' }));
    });
  });
});

describe('generateSigningKey', () => {
  describe('when called twice', () => {
    it('returns distinct, usable keys from both backends', () => {
      for (const backend of [undefined, portableCrypto]) {
        const a = generateSigningKey(backend);
        const b = generateSigningKey(backend);
        expect(a.keyId).not.toBe(b.keyId);
        expect(signingKeyFromSeed(a.privateKey)).toEqual(a);
        const ring = createKeyring([publicKeyEntry(a, new Date(0))]);
        expect(verifySignature(message, sign(message, a), a.keyId, ring, new Date()).ok).toBe(true);
      }
    });
  });
});

describe('signingKeyFromSeed', () => {
  it('copies the seed so later mutation does not change the key', () => {
    const s = seed('x');
    const key = signingKeyFromSeed(s);
    s.fill(0);
    expect(key.privateKey).toEqual(seed('x'));
  });
});

describe('sign', () => {
  describe('when signing with either backend', () => {
    it('produces the same deterministic 64-byte signature', () => {
      const a = sign(message, OLD);
      expect(a.length).toBe(64);
      expect(sign(message, OLD, portableCrypto)).toEqual(a);
    });
  });
});

describe('verifySignature', () => {
  const at = new Date('2026-03-01T00:00:00.000Z');
  const sig = sign(message, OLD);

  describe('when the key signed inside its window', () => {
    it('verifies, also long after the key was retired', () => {
      expect(verifySignature(message, sig, OLD.keyId, keyring, at)).toMatchObject({ ok: true, key: { keyId: OLD.keyId } });
      expect(verifySignature(message, sig, OLD.keyId, keyring, at, portableCrypto).ok).toBe(true);
      const newSig = sign(message, NEW);
      expect(verifySignature(message, newSig, NEW.keyId, keyring, ROTATION).ok).toBe(true);
      expect(verifySignature(message, newSig, NEW.keyId, keyring, new Date('2099-01-01T00:00:00.000Z')).ok).toBe(true);
    });
  });

  describe('when the signing time is outside the window', () => {
    it('rejects before notBefore and at or after notAfter', () => {
      expect(verifySignature(message, sig, OLD.keyId, keyring, new Date('2025-12-31T23:59:59.999Z'))).toMatchObject({ ok: false, reason: 'not_yet_valid' });
      expect(verifySignature(message, sig, OLD.keyId, keyring, ROTATION)).toMatchObject({ ok: false, reason: 'expired' });
      expect(verifySignature(message, sign(message, NEW), NEW.keyId, keyring, at)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
    });
  });

  describe('when the signature, message or key id is wrong', () => {
    it.each([
      ['another message', () => verifySignature(Buffer.from('other'), sig, OLD.keyId, keyring, at), 'bad_signature'],
      ['another key id', () => verifySignature(message, sig, NEW.keyId, keyring, ROTATION), 'bad_signature'],
      ['an unknown key id', () => verifySignature(message, sig, 'ffffffffffffffff', keyring, at), 'unknown_key'],
      ['a flipped bit', () => verifySignature(message, Uint8Array.from(sig, (b, i) => (i === 10 ? b ^ 1 : b)), OLD.keyId, keyring, at), 'bad_signature'],
      ['a short signature', () => verifySignature(message, sig.subarray(1), OLD.keyId, keyring, at), 'malformed'],
      ['an invalid date', () => verifySignature(message, sig, OLD.keyId, keyring, new Date(Number.NaN)), 'malformed'],
      ['a non-byte message', () => verifySignature('x' as never, sig, OLD.keyId, keyring, at), 'malformed'],
      ['non-canonical S (S + L)', () => verifySignature(message, addGroupOrder(sig), OLD.keyId, keyring, at), 'bad_signature'],
    ])('rejects %s', (_name, run, reason) => {
      expect(run()).toMatchObject({ ok: false, reason });
    });
  });

  describe('when the public key is not a curve point', () => {
    it('returns bad_signature from both backends instead of throwing', () => {
      // y = 2 does not decode to a point on edwards25519; all-0xff is a non-canonical y.
      const notPoints = [Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0)), new Uint8Array(32).fill(0xff)];
      for (const backend of [nodeCrypto, portableCrypto]) {
        for (const pk of notPoints) expect(backend.ed25519Verify(sig, message, pk)).toBe(false);
        expect(verifySignature(message, sig, OLD.keyId, { keys: [{ ...keyring.keys[0]!, publicKey: notPoints[0]! }] }, at, backend)).toMatchObject({
          ok: false,
          reason: 'bad_signature',
        });
      }
    });
  });
});

/** Adds the group order L to the S half of a signature (malleability probe, RFC 8032 §5.1.7). */
function addGroupOrder(sig: Uint8Array): Uint8Array {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  s += L;
  const out = Uint8Array.from(sig);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 255n);
    s >>= 8n;
  }
  return out;
}

describe('createKeyring', () => {
  describe('when entries are inconsistent', () => {
    it.each([
      ['a key id that does not match the key', [{ ...publicKeyEntry(OLD, new Date(0)), keyId: NEW.keyId }]],
      ['a duplicate key id', [publicKeyEntry(OLD, new Date(0)), publicKeyEntry(OLD, new Date(1))]],
      ['notAfter before notBefore', [publicKeyEntry(OLD, new Date(10), new Date(5))]],
      ['notAfter equal to notBefore', [publicKeyEntry(OLD, new Date(10), new Date(10))]],
      ['an invalid date', [publicKeyEntry(OLD, new Date(Number.NaN))]],
      ['a short public key', [{ ...publicKeyEntry(OLD, new Date(0)), publicKey: new Uint8Array(31) }]],
    ])('rejects %s with invalid_keyring', (_name, entries) => {
      expect(() => createKeyring(entries)).toThrow(expect.objectContaining({ code: 'invalid_keyring' }));
    });
  });
});
