import { encodeEvent } from '@auditseal/codec';
import { classifyRecord, MAX_DETAIL_CHARS, shortDetail, type ClassifyOptions } from './classify-record';
import {
  forgedEvent,
  generateSigningKey,
  invalidEventBytes,
  keyringOf,
  signedEvent,
  truncatedEventBytes,
  unknownSchemaBytes,
  validEvent,
} from './testing/fixtures';

const key = generateSigningKey();
const otherKey = generateSigningKey();
const options: ClassifyOptions = { maxEventBytes: 256 * 1024, requireSignaturesFrom: new Set(['payments']), keyring: keyringOf(key) };

describe('classifyRecord', () => {
  describe('when the value is a valid event', () => {
    it('is an event', () => {
      expect(classifyRecord(encodeEvent(validEvent()), options)).toEqual({ kind: 'event', service: 'billing', signed: false });
    });

    it('is an event when signed by a key of the keyring', () => {
      expect(classifyRecord(signedEvent(key, validEvent()), options)).toEqual({ kind: 'event', service: 'billing', signed: true });
    });

    it('is an event when signed and no keyring is configured (signatures unchecked)', () => {
      const { keyring: _keyring, ...noKeyring } = options;
      expect(classifyRecord(forgedEvent(key, validEvent()), noKeyring)).toEqual({ kind: 'event', service: 'billing', signed: true });
    });
  });

  describe('when the value cannot be an event', () => {
    it.each([
      ['a tombstone (null value)', 'malformed', null, /tombstone/],
      ['garbage bytes', 'malformed', Buffer.from('hello, not avro'), /not_single_object/],
      ['an empty value', 'malformed', Buffer.alloc(0), /truncated/],
      ['a truncated event', 'malformed', truncatedEventBytes(), /truncated|malformed/],
      ['an unknown schema fingerprint', 'unknown_schema', unknownSchemaBytes(), /unknown_fingerprint/],
      ['an event breaking a rule of FORMAT.md 8.4', 'invalid_event', invalidEventBytes(), /eventId/],
      ['a value over CHAINER_MAX_EVENT_BYTES', 'too_large', Buffer.alloc(256 * 1024 + 1, 0xc3), /262145 bytes, over the 262144-byte limit/],
    ])('rejects %s as %s', (_what, reason, value, detail) => {
      const result = classifyRecord(value, options);
      expect(result).toEqual({ kind: 'rejected', reason, detail: expect.stringMatching(detail) });
    });
  });

  describe('when the producer signature does not hold', () => {
    it('rejects a forged signature as bad_signature', () => {
      expect(classifyRecord(forgedEvent(key, validEvent()), options)).toEqual({ kind: 'rejected', reason: 'bad_signature', detail: expect.stringMatching(/^bad_signature:/) });
    });

    it('rejects a signature by a key outside the keyring as bad_signature', () => {
      expect(classifyRecord(signedEvent(otherKey, validEvent()), options)).toEqual({ kind: 'rejected', reason: 'bad_signature', detail: expect.stringMatching(/^unknown_key:/) });
    });

    it('rejects an unsigned event from a service that must sign as missing_signature', () => {
      const event = validEvent(0, { source: { service: 'payments', instance: 'p-1' } });
      expect(classifyRecord(encodeEvent(event), options)).toEqual({ kind: 'rejected', reason: 'missing_signature', detail: expect.stringContaining('"payments"') });
    });

    it('accepts a signed event from a service that must sign', () => {
      const event = validEvent(0, { source: { service: 'payments', instance: 'p-1' } });
      expect(classifyRecord(signedEvent(key, event), options)).toEqual({ kind: 'event', service: 'payments', signed: true });
    });
  });

  describe('when random or truncated bytes arrive (fuzz)', () => {
    it('always classifies, never throws', () => {
      const valid = encodeEvent(validEvent());
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < 2000; i++) {
        const bytes = Buffer.from(valid);
        const flips = 1 + Math.floor(random() * 4);
        for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        const cut = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        const result = classifyRecord(cut, options);
        expect(['event', 'rejected']).toContain(result.kind);
      }
    });
  });
});

describe('shortDetail', () => {
  it('keeps short text as is', () => {
    expect(shortDetail('bad')).toBe('bad');
  });

  it('cuts long text to MAX_DETAIL_CHARS', () => {
    const detail = shortDetail('x'.repeat(5000));
    expect(detail).toHaveLength(MAX_DETAIL_CHARS);
    expect(detail.endsWith('…')).toBe(true);
  });

  it('replaces a surrogate pair cut in half, so the detail has one UTF-8 encoding', () => {
    const text = `${'x'.repeat(MAX_DETAIL_CHARS - 2)}😀tail`;
    expect(shortDetail(text)).toBe(`${'x'.repeat(MAX_DETAIL_CHARS - 2)}\uFFFD…`);
  });
});
