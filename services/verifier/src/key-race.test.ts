import { createKeyring, publicKeyEntry, signingKeyFromSeed } from '@auditseal/core';
import { finding, type Finding } from '@auditseal/verify';
import { settleUnknownKeys, unknownKeyOf } from './key-race';

const key = signingKeyFromSeed(new Uint8Array(32).fill(3));
const other = signingKeyFromSeed(new Uint8Array(32).fill(4));
const chainId = 'auditseal/v1/c/audit.events/0';

const manifestUnknown = (keyId: string): Finding =>
  finding({ kind: 'manifest_signature_invalid', chainId, object: { key: 'm' }, expected: 'a valid signature by a key of the keyring', actual: 'unknown_key', message: 'm', details: { reason: 'unknown_key', keyId } });
const checkpointUnknown = (keyId: string): Finding =>
  finding({ kind: 'checkpoint_signature_invalid', chainId, object: { key: 'c' }, expected: 'x', actual: 'unknown_key', message: 'c', details: { reason: 'unknown_key', keyId } });
const keyFileUnknown = (keyId: string): Finding => finding({ kind: 'key_file_mismatch', chainId: '', object: { key: 'k' }, expected: 'a key of the keyring', actual: 'unknown key', message: 'k', details: { keyId } });

describe('unknownKeyOf', () => {
  it('names the key of findings that only say the keyring lacks it', () => {
    expect(unknownKeyOf(manifestUnknown(key.keyId))).toBe(key.keyId);
    expect(unknownKeyOf(checkpointUnknown(key.keyId))).toBe(key.keyId);
    expect(unknownKeyOf(keyFileUnknown(key.keyId))).toBe(key.keyId);
  });

  it('leaves every other finding alone: a bad signature by a known key, another key under the same id, other kinds', () => {
    expect(unknownKeyOf(finding({ kind: 'manifest_signature_invalid', chainId, object: { key: 'm' }, expected: 'x', actual: 'bad_signature', message: 'm', details: { reason: 'bad_signature', keyId: key.keyId } }))).toBeUndefined();
    expect(unknownKeyOf(finding({ kind: 'key_file_mismatch', chainId: '', object: { key: 'k' }, expected: 'aa', actual: 'bb', message: 'k', details: { keyId: key.keyId } }))).toBeUndefined();
    expect(unknownKeyOf(finding({ kind: 'segment_missing', chainId, object: { key: 's' }, expected: 'x', actual: 'y', message: 's' }))).toBeUndefined();
  });
});

describe('settleUnknownKeys', () => {
  it('drops findings explained by a key published during the pass and raises the rest', async () => {
    const reloaded = createKeyring([publicKeyEntry(key, new Date('2026-01-01T00:00:00Z'))]);
    const held = [manifestUnknown(key.keyId), keyFileUnknown(key.keyId), checkpointUnknown(other.keyId)];
    const { raise, explained } = await settleUnknownKeys(held, async () => reloaded);
    expect(explained).toEqual(held.slice(0, 2));
    expect(raise).toEqual([held[2]]);
  });

  it('does not read the keys again when nothing is held', async () => {
    const reload = jest.fn(async () => createKeyring([]));
    expect(await settleUnknownKeys([], reload)).toEqual({ raise: [], explained: [] });
    expect(reload).not.toHaveBeenCalled();
  });
});
