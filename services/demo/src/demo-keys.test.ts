import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyring } from '@auditseal/core';
import { DemoKeyError, ensureDemoKeys } from './demo-keys';

describe('ensureDemoKeys', () => {
  const dir = () => join(mkdtempSync(join(tmpdir(), 'demo-keys-')), 'demo');

  describe('when no key exists', () => {
    it('generates a signing key file (0600) in the archiver format and its public keyring', () => {
      const d = dir();
      const keys = ensureDemoKeys(d, () => new Date('2026-11-27T03:00:00.123Z'));
      expect(keys.generated).toBe(true);
      const doc = JSON.parse(readFileSync(keys.signingKeyPath, 'utf8'));
      expect(doc).toMatchObject({ format: 'auditseal/v1/signing-key', keyId: keys.keyId, notBefore: '2026-11-27T03:00:00.000Z' });
      expect(statSync(keys.signingKeyPath).mode & 0o777).toBe(0o600);
      const keyring = parseKeyring(readFileSync(keys.keyringPath, 'utf8'));
      expect(keyring.keys.map((k) => k.keyId)).toEqual([keys.keyId]);
    });
  });

  describe('when a key exists', () => {
    it('reuses it', () => {
      const d = dir();
      const first = ensureDemoKeys(d);
      const second = ensureDemoKeys(d);
      expect(second).toEqual({ ...first, generated: false });
    });

    it('refuses an invalid key file with a DemoKeyError naming the file', () => {
      const d = dir();
      const { signingKeyPath } = ensureDemoKeys(d);
      chmodSync(signingKeyPath, 0o600);
      writeFileSync(signingKeyPath, '{"format":"auditseal/v1/signing-key","keyId":"0000000000000000","privateKey":"AAAA","notBefore":"2026-11-27T00:00:00Z"}');
      expect(() => ensureDemoKeys(d)).toThrow(DemoKeyError);
      expect(() => ensureDemoKeys(d)).toThrow(signingKeyPath);
      writeFileSync(signingKeyPath, 'not json');
      expect(() => ensureDemoKeys(d)).toThrow('is invalid');
    });
  });
});
