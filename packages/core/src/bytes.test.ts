import { randomBytes } from 'node:crypto';
import { concatBytes, equalBytesPortable, fromBase64, fromHex, isWellFormedUnicode, toBase64, toHex, utf8Length } from './bytes';
import { equalBytes } from './index';

describe('toHex / fromHex', () => {
  describe('when round-tripping random bytes', () => {
    it('matches Buffer and returns the same bytes', () => {
      for (let n = 0; n < 70; n++) {
        const bytes = randomBytes(n);
        expect(toHex(bytes)).toBe(bytes.toString('hex'));
        expect(Buffer.from(fromHex(toHex(bytes))).equals(bytes)).toBe(true);
      }
    });
  });

  describe('when the input is not hex', () => {
    it.each(['0', 'zz', '0g', 'é0', ' 00'])('rejects %j with invalid_encoding', (text) => {
      expect(() => fromHex(text)).toThrow(expect.objectContaining({ code: 'invalid_encoding' }));
    });
  });

  describe('when an expected length is given', () => {
    it('accepts upper case and rejects another length', () => {
      expect(fromHex('ABcd', 2)).toEqual(Uint8Array.from([0xab, 0xcd]));
      expect(() => fromHex('abcd', 3)).toThrow(expect.objectContaining({ code: 'invalid_encoding' }));
    });
  });
});

describe('toBase64 / fromBase64', () => {
  describe('when round-tripping random bytes', () => {
    it('matches Buffer', () => {
      for (let n = 0; n < 70; n++) {
        const bytes = randomBytes(n);
        expect(toBase64(bytes)).toBe(bytes.toString('base64'));
        expect(Buffer.from(fromBase64(bytes.toString('base64'))).equals(bytes)).toBe(true);
      }
    });
  });

  describe('when the text is not canonical base64', () => {
    it.each(['A', 'AAA', 'AB==', 'AAB=', 'A===', '====', 'AA=A', 'AA AA', '-_8=', 'AAAA\n', 'ÀAAA'])('rejects %j', (text) => {
      expect(() => fromBase64(text)).toThrow(expect.objectContaining({ code: 'invalid_encoding' }));
    });
  });
});

describe('isWellFormedUnicode', () => {
  describe('when a surrogate is unpaired', () => {
    it('returns false', () => {
      expect(isWellFormedUnicode('a\ud800')).toBe(false);
      expect(isWellFormedUnicode('\udc00a')).toBe(false);
      expect(isWellFormedUnicode('\ud800\ud800')).toBe(false);
    });
  });

  describe('when surrogates are paired', () => {
    it('returns true and counts 4 UTF-8 bytes per pair', () => {
      expect(isWellFormedUnicode('a😀é✓')).toBe(true);
      expect(utf8Length('a😀é✓')).toBe(Buffer.byteLength('a😀é✓'));
    });
  });
});

describe('concatBytes', () => {
  it('joins parts in order', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe.each([
  ['equalBytes', equalBytes],
  ['equalBytesPortable', equalBytesPortable],
])('%s', (_name, equal) => {
  describe('when inputs are equal', () => {
    it('returns true', () => {
      const a = randomBytes(32);
      expect(equal(a, Uint8Array.from(a))).toBe(true);
      expect(equal(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    });
  });

  describe('when inputs differ in one bit or in length', () => {
    it('returns false', () => {
      const a = randomBytes(32);
      for (const i of [0, 17, 31]) {
        const b = Uint8Array.from(a);
        b[i]! ^= 1;
        expect(equal(a, b)).toBe(false);
      }
      expect(equal(a, a.subarray(0, 31))).toBe(false);
    });
  });
});
