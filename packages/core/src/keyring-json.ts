import { fromBase64, toBase64 } from './bytes';
import type { CryptoBackend } from './crypto-backend';
import { nodeCrypto } from './crypto-node';
import { CoreError, isAuditSealError } from './errors';
import { createKeyring, KEY_ID_PATTERN, type PublicKeyEntry, type PublicKeyring } from './keys';
import { formatTimestamp, parseTimestamp } from './timestamps';

/**
 * Keyring JSON (FORMAT.md §6.4): public keys only.
 *
 *   { "format": "auditseal/v1/keyring",
 *     "keys": [ { "keyId": "…", "algorithm": "ed25519", "publicKey": "<base64>",
 *                 "notBefore": "<RFC 3339>", "notAfter": "<RFC 3339>"? } ] }
 */

export const KEYRING_FORMAT = 'auditseal/v1/keyring';
export const MAX_KEYRING_BYTES = 1024 * 1024;
export const MAX_KEYRING_KEYS = 1000;

const TOP_FIELDS = ['format', 'keys'];
const KEY_FIELDS = ['keyId', 'algorithm', 'publicKey', 'notBefore', 'notAfter'];

/** Keyring → JSON text (2-space indented, trailing newline). */
export function serializeKeyring(keyring: PublicKeyring): string {
  const keys = keyring.keys.map((k) => ({
    keyId: k.keyId,
    algorithm: 'ed25519',
    publicKey: toBase64(k.publicKey),
    notBefore: formatTimestamp(k.notBefore),
    ...(k.notAfter === undefined ? {} : { notAfter: formatTimestamp(k.notAfter) }),
  }));
  return `${JSON.stringify({ format: KEYRING_FORMAT, keys }, null, 2)}\n`;
}

function bad(message: string, cause?: unknown): CoreError {
  return new CoreError('invalid_keyring', message, cause === undefined ? {} : { cause });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejects unknown fields: a typo ("notAfer") must not silently widen a key's window. */
function checkFields(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) throw bad(`${where} has an unknown field ${JSON.stringify(name.slice(0, 40))}`);
  }
}

function parseEntry(raw: unknown, i: number): PublicKeyEntry {
  const where = `keys[${i}]`;
  if (!isPlainObject(raw)) throw bad(`${where} must be an object`);
  checkFields(raw, KEY_FIELDS, where);
  const { keyId, algorithm, publicKey, notBefore, notAfter } = raw;
  if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) throw bad(`${where}.keyId must be 16 lowercase hex characters`);
  if (algorithm !== 'ed25519') throw bad(`${where}.algorithm must be "ed25519"`);
  if (typeof publicKey !== 'string') throw bad(`${where}.publicKey must be a base64 string`);
  try {
    const entry = {
      keyId,
      publicKey: fromBase64(publicKey, 32),
      notBefore: parseTimestamp(notBefore, { canonical: false }),
    };
    return notAfter === undefined ? entry : { ...entry, notAfter: parseTimestamp(notAfter, { canonical: false }) };
  } catch (error) {
    throw bad(`${where}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/**
 * Parses keyring JSON. The text is untrusted (it may come from a bucket or a
 * user's disk): size is bounded before parsing, the structure and every field
 * are checked, unknown fields are rejected, and key ids must match their
 * keys. Any problem raises CoreError `invalid_keyring` — nothing else.
 */
export function parseKeyring(text: string, backend: CryptoBackend = nodeCrypto): PublicKeyring {
  if (typeof text !== 'string') throw bad('keyring must be given as JSON text');
  if (text.length > MAX_KEYRING_BYTES) throw bad(`keyring is larger than ${MAX_KEYRING_BYTES} characters`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw bad('keyring is not valid JSON', error);
  }
  if (!isPlainObject(doc)) throw bad('keyring must be a JSON object');
  checkFields(doc, TOP_FIELDS, 'keyring');
  if (doc.format !== KEYRING_FORMAT) throw bad(`keyring.format must be "${KEYRING_FORMAT}"`);
  if (!Array.isArray(doc.keys)) throw bad('keyring.keys must be an array');
  if (doc.keys.length > MAX_KEYRING_KEYS) throw bad(`keyring has more than ${MAX_KEYRING_KEYS} keys`);
  const entries = doc.keys.map(parseEntry);
  try {
    return createKeyring(entries, backend);
  } catch (error) {
    if (isAuditSealError(error) && error.code === 'invalid_keyring') throw error;
    throw bad(error instanceof Error ? error.message : String(error), error);
  }
}
