import { sha256 } from '@noble/hashes/sha2';
import { randomBytes } from '@noble/hashes/utils';
import { ed25519 } from '@noble/curves/ed25519';
import type { CryptoBackend } from './crypto-backend';
import { equalBytesPortable } from './bytes';

/**
 * Pure-JavaScript backend (@noble/hashes, @noble/curves v1, both audited):
 * runs wherever a verifier runs, slower than `nodeCrypto`.
 */
export const portableCrypto: CryptoBackend = {
  name: 'portable',
  sha256(...parts) {
    if (parts.length === 1) return sha256(parts[0]!);
    const h = sha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  },
  sha256Into(data, out, offset) {
    out.set(sha256(data), offset);
  },
  ed25519PublicKey(seed) {
    if (seed.length !== 32) throw new RangeError('Ed25519 private seed must be 32 bytes');
    return ed25519.getPublicKey(seed);
  },
  ed25519Sign(message, seed) {
    if (seed.length !== 32) throw new RangeError('Ed25519 private seed must be 32 bytes');
    return ed25519.sign(message, seed);
  },
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      // zip215: false = RFC 8032 / FIPS 186-5 rules (canonical encodings only),
      // the closest match to what OpenSSL accepts on the node path.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
  randomBytes(length) {
    return randomBytes(length);
  },
  equalBytes: equalBytesPortable,
};
