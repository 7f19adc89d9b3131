import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createKeyring,
  formatTimestamp,
  fromBase64,
  generateSigningKey,
  parseTimestamp,
  publicKeyEntry,
  serializeKeyring,
  signingKeyFromSeed,
  toBase64,
  type SigningKey,
} from '@auditseal/core';

/*
 * The demo's archive signing key, kept under .local/demo/ and reused by every
 * run: the archiver's key file (OPERATIONS.md "Archiver → Signing key file",
 * passed as ARCHIVER_SIGNING_KEY) and the public keyring derived from it
 * (FORMAT.md §6.4), which the verifier (VERIFIER_KEYRING) and the CLI
 * (--keyring) trust. A development key: never use it for a real archive.
 */

const SIGNING_KEY_FORMAT = 'auditseal/v1/signing-key';

export interface DemoKeys {
  signingKeyPath: string;
  keyringPath: string;
  keyId: string;
  generated: boolean;
}

export class DemoKeyError extends Error {
  override readonly name = 'DemoKeyError';
}

function readKey(path: string): { key: SigningKey; notBefore: Date } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DemoKeyError(`cannot read the demo signing key ${path}: ${(error as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (doc.format !== SIGNING_KEY_FORMAT) throw new Error(`not a ${SIGNING_KEY_FORMAT} file`);
    const key = signingKeyFromSeed(fromBase64(String(doc.privateKey), 32));
    if (doc.keyId !== key.keyId) throw new Error(`keyId ${String(doc.keyId)} does not match its private key`);
    return { key, notBefore: parseTimestamp(doc.notBefore, { canonical: false }) };
  } catch (error) {
    throw new DemoKeyError(`the demo signing key ${path} is invalid (${(error as Error).message}); delete it and a new one is generated`);
  }
}

/** Reuses the key in `dir`, or generates one (mode 0600) with its keyring. */
export function ensureDemoKeys(dir: string, now: () => Date = () => new Date()): DemoKeys {
  mkdirSync(dir, { recursive: true });
  const signingKeyPath = join(dir, 'archiver-signing-key.json');
  const keyringPath = join(dir, 'keyring.json');
  let loaded = readKey(signingKeyPath);
  const generated = loaded === undefined;
  if (!loaded) {
    const key = generateSigningKey();
    const notBefore = new Date(Math.floor(now().getTime() / 1000) * 1000);
    const doc = { format: SIGNING_KEY_FORMAT, keyId: key.keyId, privateKey: toBase64(key.privateKey), notBefore: formatTimestamp(notBefore) };
    writeFileSync(signingKeyPath, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    loaded = { key, notBefore };
  }
  // Always rewritten from the private key, so it can never disagree with it.
  writeFileSync(keyringPath, serializeKeyring(createKeyring([publicKeyEntry(loaded.key, loaded.notBefore)])));
  return { signingKeyPath, keyringPath, keyId: loaded.key.keyId, generated };
}
