import * as crypto from 'node:crypto';
import type { CryptoBackend } from './crypto-backend';
import { concatBytes } from './bytes';

// DER wrappers that turn raw Ed25519 keys into KeyObjects (RFC 8410 §7 for
// the PKCS#8 private key, §4 for the SubjectPublicKeyInfo).
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_ED25519_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);

/*
 * Why 'binary' (latin1): on Node 20 a digest returned as a Buffer is allocated by C++
 * as an external ArrayBuffer, which costs about as much as hashing 500 bytes.
 * A 'binary' digest is a 32-character one-byte string (one code unit per
 * byte, lossless), cheap for V8 to allocate; copying it into a small typed
 * array is faster still. crypto.hash (one-shot, no Hash object) is used when
 * present (Node ≥ 20.12); `bench/` measures the difference.
 */
const oneShot: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'binary')
    : (data) => crypto.createHash('sha256').update(data).digest('binary');

function sha256Into(data: Uint8Array, out: Uint8Array, offset: number): void {
  const digest = oneShot(data);
  for (let i = 0; i < 32; i++) out[offset + i] = digest.charCodeAt(i);
}

/*
 * KeyObjects are cached: making one from a PKCS#8 seed derives the public key,
 * about 300 µs against about 20 µs for the signature itself, and one from an
 * SPKI key about as long as the verification. A seed's KeyObject is cached by
 * the seed array and used only while the array still holds the same bytes
 * (its SHA-256 is kept, not a copy of the secret); a public key's, by its bytes,
 * for at most PUBLIC_KEY_CACHE keys (keyrings are small).
 */
const privateKeys = new WeakMap<Uint8Array, { seedHash: string; key: crypto.KeyObject }>();
const publicKeys = new Map<string, crypto.KeyObject>();
const PUBLIC_KEY_CACHE = 1024;

function privateKeyObject(seed: Uint8Array): crypto.KeyObject {
  if (seed.length !== 32) throw new RangeError('Ed25519 private seed must be 32 bytes');
  const seedHash = oneShot(seed);
  const cached = privateKeys.get(seed);
  if (cached && cached.seedHash === seedHash) return cached.key;
  const key = crypto.createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_ED25519_PREFIX, seed)), format: 'der', type: 'pkcs8' });
  privateKeys.set(seed, { seedHash, key });
  return key;
}

/** The KeyObject of a 32-byte Ed25519 public key; throws for bytes that are not one (not a curve point). */
function publicKeyObject(publicKey: Uint8Array): crypto.KeyObject {
  const id = view(publicKey).toString('latin1');
  let key = publicKeys.get(id);
  if (!key) {
    key = crypto.createPublicKey({ key: Buffer.from(concatBytes(SPKI_ED25519_PREFIX, publicKey)), format: 'der', type: 'spki' });
    if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(id, key);
  }
  return key;
}

function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const nodeCrypto: CryptoBackend = {
  name: 'node',
  sha256(...parts) {
    const out = new Uint8Array(32);
    sha256Into(parts.length === 1 ? parts[0]! : concatBytes(...parts), out, 0);
    return out;
  },
  sha256Into,
  ed25519PublicKey(seed) {
    const spki = crypto.createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
  },
  ed25519Sign(message, seed) {
    return new Uint8Array(crypto.sign(null, view(message), privateKeyObject(seed)));
  },
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return crypto.verify(null, view(message), publicKeyObject(publicKey), view(signature));
    } catch {
      // An undecodable public key (not a curve point) cannot verify anything.
      return false;
    }
  },
  randomBytes(length) {
    return new Uint8Array(crypto.randomBytes(length));
  },
  equalBytes(a, b) {
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  },
};
