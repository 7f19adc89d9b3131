import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from './errors';
import { createKeyring, publicKeyEntry, signingKeyFromSeed } from './keys';
import { parseKeyring, serializeKeyring } from './keyring-json';

const key = (label: string) => signingKeyFromSeed(new Uint8Array(createHash('sha256').update(label).digest()));
const A = key('a');
const B = key('b');
const ring = createKeyring([
  publicKeyEntry(A, new Date('2026-01-01T00:00:00.000Z'), new Date('2026-06-01T00:00:00.000Z')),
  publicKeyEntry(B, new Date('2026-06-01T00:00:00.000Z')),
]);
const TEXT = serializeKeyring(ring);
const doc = () => JSON.parse(TEXT);

describe('serializeKeyring / parseKeyring', () => {
  describe('when round-tripping', () => {
    it('gives back the same keyring and text', () => {
      expect(parseKeyring(TEXT)).toEqual(ring);
      expect(serializeKeyring(parseKeyring(TEXT))).toBe(TEXT);
      expect(doc().keys[0]).toEqual({
        keyId: A.keyId,
        algorithm: 'ed25519',
        publicKey: Buffer.from(A.publicKey).toString('base64'),
        notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2026-06-01T00:00:00.000Z',
      });
    });
  });

  describe('when timestamps are written by hand', () => {
    it('accepts 0-3 fractional digits', () => {
      const d = doc();
      d.keys[1].notBefore = '2026-06-01T00:00:00Z';
      expect(parseKeyring(JSON.stringify(d)).keys[1]!.notBefore.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    });
  });

  describe('when the document is wrong', () => {
    const mutate = (f: (d: ReturnType<typeof doc>) => void) => {
      const d = doc();
      f(d);
      return JSON.stringify(d);
    };
    it.each([
      ['not JSON', '{'],
      ['an array', '[]'],
      ['null', 'null'],
      ['wrong format', mutate((d) => (d.format = 'auditseal/v2/keyring'))],
      ['unknown top-level field', mutate((d) => (d.extra = 1))],
      ['keys not an array', mutate((d) => (d.keys = {}))],
      ['unknown key field (typo)', mutate((d) => (d.keys[0].notAfer = d.keys[0].notAfter))],
      ['__proto__ field', TEXT.replace('"keyId"', '"__proto__": {}, "keyId"')],
      ['wrong algorithm', mutate((d) => (d.keys[0].algorithm = 'ecdsa'))],
      ['upper-case key id', mutate((d) => (d.keys[0].keyId = d.keys[0].keyId.toUpperCase()))],
      ['key id of another key', mutate((d) => (d.keys[0].keyId = B.keyId))],
      ['duplicate key', mutate((d) => d.keys.push(d.keys[1]))],
      ['base64url key', mutate((d) => (d.keys[0].publicKey = d.keys[0].publicKey.replace(/\+/g, '-').replace(/\//g, '_') + 'x'))],
      ['short key', mutate((d) => (d.keys[0].publicKey = Buffer.alloc(31).toString('base64')))],
      ['numeric time', mutate((d) => (d.keys[0].notBefore = 1))],
      ['time with offset', mutate((d) => (d.keys[0].notBefore = '2026-01-01T00:00:00+00:00'))],
      ['impossible date', mutate((d) => (d.keys[0].notBefore = '2026-02-30T00:00:00Z'))],
      ['window reversed', mutate((d) => (d.keys[0].notAfter = '2025-01-01T00:00:00Z'))],
      ['too large', `${TEXT}${' '.repeat(1024 * 1024)}`],
      ['too many keys', mutate((d) => (d.keys = Array(1001).fill(d.keys[1])))],
    ])('rejects %s with invalid_keyring', (_name, text) => {
      expect(() => parseKeyring(text)).toThrow(expect.objectContaining({ code: 'invalid_keyring' }));
    });

    it('rejects a non-string argument', () => {
      expect(() => parseKeyring(42 as never)).toThrow(expect.objectContaining({ code: 'invalid_keyring' }));
    });
  });

  describe('when fed random and truncated input (fuzz)', () => {
    const expectTypedOrValid = (text: string) => {
      try {
        parseKeyring(text);
      } catch (error) {
        if (!(error instanceof CoreError) || error.code !== 'invalid_keyring') throw error;
      }
    };

    it('throws only invalid_keyring for every truncation of a valid document', () => {
      for (let i = 0; i < TEXT.length; i++) expectTypedOrValid(TEXT.slice(0, i));
    });

    it('throws only invalid_keyring for random bytes, random JSON values and byte flips', () => {
      const values = [0, -1, 1e308, '', 'x', true, null, [], {}, [[]], { keys: null }, { format: 'auditseal/v1/keyring', keys: [null] }];
      for (let i = 0; i < 2000; i++) {
        expectTypedOrValid(randomBytes(i % 200).toString('latin1'));
        expectTypedOrValid(JSON.stringify(values[i % values.length]));
        const chars = [...TEXT];
        const at = (i * 7919) % chars.length;
        chars[at] = String.fromCharCode((chars[at]!.charCodeAt(0) + 1 + (i % 90)) % 128);
        expectTypedOrValid(chars.join(''));
      }
      const d = doc();
      for (const field of ['keyId', 'algorithm', 'publicKey', 'notBefore', 'notAfter']) {
        for (const v of values) {
          expectTypedOrValid(JSON.stringify({ ...d, keys: [{ ...d.keys[0], [field]: v }] }));
        }
      }
    });

    it('does not overflow the stack on deeply nested input', () => {
      expectTypedOrValid(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
      expectTypedOrValid(`{"format":"auditseal/v1/keyring","keys":${'['.repeat(10_000)}`);
    });
  });
});
