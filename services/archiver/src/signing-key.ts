import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatTimestamp, fromBase64, generateSigningKey, parseTimestamp, signingKeyFromSeed, toBase64, type SigningKey } from '@auditseal/core';
import { ConfigError } from '@auditseal/runtime';

/**
 * The archiver's signing key file (docs/OPERATIONS.md "Archiver → Signing key"):
 *
 *   { "format": "auditseal/v1/signing-key", "keyId": "<16 hex>",
 *     "privateKey": "<base64 of the 32-byte Ed25519 seed>", "notBefore": "<RFC 3339>" }
 *
 * notBefore is the start of the key's validity window in the published keyring.
 */
export const SIGNING_KEY_FORMAT = 'auditseal/v1/signing-key';

export interface LoadedSigningKey {
  key: SigningKey;
  notBefore: Date;
}

export function serializeSigningKey(key: SigningKey, notBefore: Date): string {
  return `${JSON.stringify({ format: SIGNING_KEY_FORMAT, keyId: key.keyId, privateKey: toBase64(key.privateKey), notBefore: formatTimestamp(notBefore) }, null, 2)}\n`;
}

export function parseSigningKey(text: string, where: string): LoadedSigningKey {
  const fail = (message: string, cause?: unknown) =>
    new ConfigError('invalid_config', `archiver: ARCHIVER_SIGNING_KEY: ${where} ${message}`, cause === undefined ? {} : { cause });
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw fail('is not JSON', error);
  }
  if (doc?.format !== SIGNING_KEY_FORMAT) throw fail(`is not a ${SIGNING_KEY_FORMAT} file`);
  try {
    const key = signingKeyFromSeed(fromBase64(String(doc.privateKey), 32));
    if (doc.keyId !== key.keyId) throw fail(`keyId ${String(doc.keyId)} does not match its private key (${key.keyId})`);
    return { key, notBefore: parseTimestamp(doc.notBefore, { canonical: false }) };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw fail(`is invalid: ${(error as Error).message}`, error);
  }
}

/** Reads the key file; with `generateIfMissing` (ARCHIVER_DEV_KEY=true) creates a development key there first. */
export function loadSigningKey(path: string, options: { generateIfMissing: boolean; now?: () => Date }): LoadedSigningKey & { generated: boolean } {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.generateIfMissing) {
      throw new ConfigError('invalid_config', `archiver: ARCHIVER_SIGNING_KEY: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text !== undefined) return { ...parseSigningKey(text, path), generated: false };
  const key = generateSigningKey();
  const notBefore = new Date(Math.floor((options.now ?? (() => new Date()))().getTime() / 1000) * 1000);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeSigningKey(key, notBefore), { mode: 0o600, flag: 'wx' });
  return { key, notBefore, generated: true };
}
