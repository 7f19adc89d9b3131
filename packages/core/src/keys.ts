import { isBytes, toHex } from './bytes';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { CoreError } from './errors';

/**
 * Ed25519 keys named by key id, with validity windows (FORMAT.md §6,
 * DESIGN.md "Chains and hashes"): keys rotate, and an archive signed by a
 * key that has since been retired still verifies, because a signature is
 * checked against the key's window at the time the signed document states —
 * the way CloudTrail publishes its digest keys.
 */

/**
 * Key id: the first 8 bytes of SHA-256(raw 32-byte public key), as 16
 * lowercase hex characters. Derived from the key, so a keyring entry cannot
 * name one key with another key's id.
 */
export type KeyId = string;

export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

export interface SigningKey {
  readonly keyId: KeyId;
  /** The 32-byte Ed25519 private seed (RFC 8032 §5.1.5). Keep it out of logs. */
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** One public key and the window in which it may sign: [notBefore, notAfter). */
export interface PublicKeyEntry {
  readonly keyId: KeyId;
  readonly publicKey: Uint8Array;
  readonly notBefore: Date;
  /** Absent while the key is current; set when it is retired. */
  readonly notAfter?: Date;
}

export interface PublicKeyring {
  readonly keys: readonly PublicKeyEntry[];
}

/** Key id of a raw Ed25519 public key (FORMAT.md §6.1). */
export function keyIdOf(publicKey: Uint8Array, backend: CryptoBackend = nodeCrypto): KeyId {
  if (!isBytes(publicKey, 32)) throw new CoreError('invalid_key', 'an Ed25519 public key is 32 bytes');
  return toHex(backend.sha256(publicKey).subarray(0, 8));
}

/** The signing key of a 32-byte private seed. */
export function signingKeyFromSeed(seed: Uint8Array, backend: CryptoBackend = nodeCrypto): SigningKey {
  if (!isBytes(seed, 32)) throw new CoreError('invalid_key', 'an Ed25519 private seed is 32 bytes');
  const privateKey = seed.slice();
  const publicKey = backend.ed25519PublicKey(privateKey);
  return { keyId: keyIdOf(publicKey, backend), privateKey, publicKey };
}

/** A fresh random signing key. */
export function generateSigningKey(backend: CryptoBackend = nodeCrypto): SigningKey {
  return signingKeyFromSeed(backend.randomBytes(32), backend);
}

/** The keyring entry that publishes `key` for the window [notBefore, notAfter). */
export function publicKeyEntry(key: SigningKey, notBefore: Date, notAfter?: Date): PublicKeyEntry {
  return notAfter === undefined
    ? { keyId: key.keyId, publicKey: key.publicKey, notBefore }
    : { keyId: key.keyId, publicKey: key.publicKey, notBefore, notAfter };
}

/**
 * Validates keyring entries and returns a keyring: each id must match its
 * key, ids must be unique, and notAfter (when set) must follow notBefore.
 * Throws `invalid_keyring`.
 */
export function createKeyring(keys: readonly PublicKeyEntry[], backend: CryptoBackend = nodeCrypto): PublicKeyring {
  const seen = new Set<string>();
  const checked = keys.map((k, i): PublicKeyEntry => {
    const where = `keys[${i}]`;
    if (!isBytes(k.publicKey, 32)) throw new CoreError('invalid_keyring', `${where}.publicKey must be 32 bytes`);
    if (typeof k.keyId !== 'string' || !KEY_ID_PATTERN.test(k.keyId)) {
      throw new CoreError('invalid_keyring', `${where}.keyId must be 16 lowercase hex characters`);
    }
    const derived = keyIdOf(k.publicKey, backend);
    if (derived !== k.keyId) {
      throw new CoreError('invalid_keyring', `${where}.keyId does not match its public key`, { details: { keyId: k.keyId, derived } });
    }
    if (seen.has(k.keyId)) throw new CoreError('invalid_keyring', `${where}: key id ${k.keyId} appears twice`);
    seen.add(k.keyId);
    if (!(k.notBefore instanceof Date) || Number.isNaN(k.notBefore.getTime())) {
      throw new CoreError('invalid_keyring', `${where}.notBefore must be a valid Date`);
    }
    if (k.notAfter !== undefined) {
      if (!(k.notAfter instanceof Date) || Number.isNaN(k.notAfter.getTime())) {
        throw new CoreError('invalid_keyring', `${where}.notAfter must be a valid Date`);
      }
      if (k.notAfter.getTime() <= k.notBefore.getTime()) throw new CoreError('invalid_keyring', `${where}.notAfter must be after notBefore`);
    }
    const entry = { keyId: k.keyId, publicKey: k.publicKey.slice(), notBefore: new Date(k.notBefore.getTime()) };
    return k.notAfter === undefined ? entry : { ...entry, notAfter: new Date(k.notAfter.getTime()) };
  });
  return { keys: checked };
}

/** Ed25519 signature (64 bytes) of `message` (FORMAT.md §6.2). */
export function sign(message: Uint8Array, key: SigningKey, backend: CryptoBackend = nodeCrypto): Uint8Array {
  if (!isBytes(message)) throw new CoreError('invalid_argument', 'message must be a Uint8Array');
  if (!isBytes(key.privateKey, 32)) throw new CoreError('invalid_key', 'signing key must have a 32-byte private seed');
  return backend.ed25519Sign(message, key.privateKey);
}

export type SignatureFailureReason = 'malformed' | 'unknown_key' | 'not_yet_valid' | 'expired' | 'bad_signature';

export type SignatureVerification =
  | { readonly ok: true; readonly key: PublicKeyEntry }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly keyId: string; readonly message: string };

/**
 * Verifies an Ed25519 signature made by `keyId` at time `at` (FORMAT.md §6.3).
 * `at` must be the signing time the signed document itself states (a
 * manifest's createdAt, a checkpoint's time), not the current time: a key
 * retired later still verifies what it signed while it was valid. Returns,
 * never throws, for untrusted input.
 */
export function verifySignature(
  message: Uint8Array,
  signature: Uint8Array,
  keyId: KeyId,
  keyring: PublicKeyring,
  at: Date,
  backend: CryptoBackend = nodeCrypto,
): SignatureVerification {
  const id = typeof keyId === 'string' ? keyId.slice(0, 64) : String(keyId);
  const fail = (reason: SignatureFailureReason, text: string): SignatureVerification => ({ ok: false, reason, keyId: id, message: text });
  if (!isBytes(message) || !isBytes(signature) || !(at instanceof Date) || Number.isNaN(at.getTime())) {
    return fail('malformed', 'message and signature must be Uint8Array and at a valid Date');
  }
  if (signature.length !== 64) return fail('malformed', `an Ed25519 signature is 64 bytes, got ${signature.length}`);
  const key = keyring.keys.find((k) => k.keyId === keyId);
  if (!key) return fail('unknown_key', `key ${id} is not in the keyring`);
  if (at.getTime() < key.notBefore.getTime()) {
    return fail('not_yet_valid', `key ${id} is valid from ${key.notBefore.toISOString()}, signature claims ${at.toISOString()}`);
  }
  if (key.notAfter !== undefined && at.getTime() >= key.notAfter.getTime()) {
    return fail('expired', `key ${id} was retired at ${key.notAfter.toISOString()}, signature claims ${at.toISOString()}`);
  }
  if (!backend.ed25519Verify(signature, message, key.publicKey)) return fail('bad_signature', `signature does not verify under key ${id}`);
  return { ok: true, key };
}
