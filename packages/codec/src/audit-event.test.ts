import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  decodeEvent,
  decodeEventDetailed,
  encodeEvent,
  EVENT_LIMITS,
  eventSigningBytes,
  validateEvent,
  type AuditEvent,
} from './audit-event';
import { CodecError } from './errors';
import { auditEventSchema } from './schemas';
import { encodeSingleObject } from './single-object';
import { minimalEvent, sampleEvent } from './__fixtures__/records';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
  throw new Error('expected a CodecError');
}

/** Single-object bytes of `value` with the v1 schema, bypassing validation. */
function rawV1(value: unknown): Buffer {
  return encodeSingleObject(auditEventSchema.fingerprint, auditEventSchema.type.toBuffer(value));
}

describe('encodeEvent', () => {
  it('writes the single-object marker and the v1 fingerprint', () => {
    const bytes = encodeEvent(sampleEvent());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(bytes.readBigUInt64LE(2)).toBe(auditEventSchema.fingerprint);
  });

  it('encodes the same event to the same bytes', () => {
    expect(encodeEvent(sampleEvent())).toEqual(encodeEvent(sampleEvent()));
  });

  describe('when the event is invalid', () => {
    it('throws invalid_event with every issue in details', () => {
      let caught: unknown;
      try {
        encodeEvent({ ...sampleEvent(), tenant: '', eventId: 'nope' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CodecError);
      const err = caught as CodecError;
      expect(err.code).toBe('invalid_event');
      expect(err.retriable).toBe(false);
      expect((err.details.issues as { path: string }[]).map((i) => i.path)).toEqual(['eventId', 'tenant']);
    });
  });
});

describe('decodeEvent', () => {
  describe('when given what encodeEvent wrote', () => {
    it('returns the event with every field', () => {
      expect(decodeEvent(encodeEvent(sampleEvent()))).toEqual(sampleEvent());
    });

    it('fills absent optional fields with null and attributes with {}', () => {
      expect(decodeEvent(encodeEvent(minimalEvent()))).toEqual({
        ...minimalEvent(),
        actor: { ...minimalEvent().actor, displayName: null, ip: null, userAgent: null },
        target: { ...minimalEvent().target, name: null },
        source: { ...minimalEvent().source, region: null },
        outcomeReason: null,
        correlationId: null,
        traceId: null,
        attributes: {},
        payload: null,
        signature: null,
      });
    });

    it('returns plain objects and Buffers', () => {
      const event = decodeEvent(encodeEvent(sampleEvent()));
      expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(event.actor)).toBe(Object.prototype);
      expect(Buffer.isBuffer(event.payload)).toBe(true);
    });

    it('accepts Uint8Array input and bytes fields', () => {
      const event = sampleEvent({ payload: new Uint8Array([1, 2, 3]) });
      const bytes = new Uint8Array(encodeEvent(event));
      expect(decodeEvent(bytes).payload).toEqual(Buffer.from([1, 2, 3]));
    });

    it('reads a view into a larger buffer', () => {
      const bytes = encodeEvent(sampleEvent());
      const padded = Buffer.concat([Buffer.from('xxxx'), bytes, Buffer.from('yy')]);
      expect(decodeEvent(padded.subarray(4, 4 + bytes.length))).toEqual(sampleEvent());
    });
  });

  describe('when the input is not an event', () => {
    it.each([
      ['too_large', () => decodeEvent(encodeEvent(sampleEvent()), { maxEventBytes: 100 })],
      ['truncated', () => decodeEvent(Buffer.from([0xc3, 0x01, 0x00]))],
      ['truncated', () => decodeEvent(Buffer.alloc(0))],
      ['truncated', () => decodeEvent(encodeEvent(sampleEvent()).subarray(0, 40))],
      ['not_single_object', () => decodeEvent(Buffer.from('{"eventId":"x"}'))],
      ['not_single_object', () => decodeEvent(null as unknown as Uint8Array)],
      ['unknown_fingerprint', () => decodeEvent(Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0]))],
      ['malformed', () => decodeEvent(Buffer.concat([encodeEvent(sampleEvent()), Buffer.from([0])]))],
    ])('throws %s', (code, fn) => {
      expect(codeOf(fn)).toBe(code);
    });

    it('throws long_out_of_range for an eventTime beyond 2^53', () => {
      const bytes = encodeEvent(sampleEvent());
      // eventTime follows eventId (1 length byte + 36 characters) after the 10-byte header.
      const timeAt = 10 + 1 + 36;
      const huge = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]); // zig-zag 2^63 - 2 -> 2^62 - 1
      const original = 8; // 1.7e15 micros take 8 varint bytes
      const forged = Buffer.concat([bytes.subarray(0, timeAt), huge, bytes.subarray(timeAt + original)]);
      expect(codeOf(() => decodeEvent(forged))).toBe('long_out_of_range');
    });

    it('throws invalid_event when it decodes but breaks a rule, unless validation is off', () => {
      const bytes = rawV1({ ...sampleEvent(), eventId: 'not-a-uuid', attributes: {} });
      let caught: CodecError | undefined;
      try {
        decodeEvent(bytes);
      } catch (err) {
        caught = err as CodecError;
      }
      expect(caught?.code).toBe('invalid_event');
      expect(caught?.details.issues).toEqual([{ path: 'eventId', message: 'must be a UUIDv7 in canonical lowercase form' }]);
      expect(decodeEvent(bytes, { validate: false }).eventId).toBe('not-a-uuid');
    });

    it('throws malformed for a duplicate map key and for the key __proto__', () => {
      // Build attributes by hand: one block of 2 entries with the same key.
      const withOne = rawV1({ ...sampleEvent(), attributes: { k: 'v' }, payload: null });
      const block = Buffer.from([0x02, 0x02, 0x6b, 0x02, 0x76, 0x00]); // count 1, "k", "v", end
      const dup = Buffer.from([0x04, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x6b, 0x02, 0x77, 0x00]);
      const at = withOne.indexOf(block);
      expect(at).toBeGreaterThan(0);
      const forged = Buffer.concat([withOne.subarray(0, at), dup, withOne.subarray(at + block.length)]);
      expect(codeOf(() => decodeEvent(forged))).toBe('malformed');

      const proto = Buffer.concat([
        withOne.subarray(0, at),
        Buffer.from([0x02, 0x12, ...Buffer.from('__proto__'), 0x02, 0x76, 0x00]),
        withOne.subarray(at + block.length),
      ]);
      expect(codeOf(() => decodeEvent(proto))).toBe('malformed');
    });

    it('throws malformed for invalid UTF-8 in a string', () => {
      const bytes = encodeEvent(sampleEvent({ tenant: 'acme' }));
      const at = bytes.indexOf(Buffer.from('acme'));
      const forged = Buffer.from(bytes);
      forged[at] = 0xff;
      expect(codeOf(() => decodeEvent(forged))).toBe('malformed');
    });
  });

  describe('when the size limit is raised', () => {
    it('accepts larger events', () => {
      const event = sampleEvent({ payload: Buffer.alloc(300 * 1024, 1) });
      expect(codeOf(() => encodeEvent(event))).toBe('invalid_event');
      const bytes = encodeEvent(event, { maxEventBytes: 512 * 1024 });
      expect(codeOf(() => decodeEvent(bytes))).toBe('too_large');
      expect(decodeEvent(bytes, { maxEventBytes: 512 * 1024 }).payload).toHaveLength(300 * 1024);
    });
  });
});

describe('producer signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  function signed(event: AuditEvent): Buffer {
    const value = sign(null, eventSigningBytes(event), privateKey);
    return encodeEvent({ ...event, signature: { keyId: 'billing-api-2025', value } });
  }

  it('signs the encoding with signature null, which decodeEventDetailed gives back as signedBytes', () => {
    const event = sampleEvent();
    const bytes = signed(event);
    const decoded = decodeEventDetailed(bytes);
    expect(decoded.signedBytes).toEqual(eventSigningBytes(event));
    expect(decoded.signedBytes).toEqual(encodeEvent({ ...event, signature: null }));
    expect(verify(null, decoded.signedBytes!, publicKey, decoded.event.signature!.value)).toBe(true);
    expect(decoded.event.signature?.keyId).toBe('billing-api-2025');
  });

  it('gives null signedBytes for an unsigned event', () => {
    expect(decodeEventDetailed(encodeEvent(sampleEvent())).signedBytes).toBeNull();
  });

  it('fails verification when any other byte changes', () => {
    const bytes = signed(sampleEvent());
    const at = bytes.indexOf(Buffer.from('invoice.approve'));
    const forged = Buffer.from(bytes);
    forged[at] = 'I'.charCodeAt(0);
    const decoded = decodeEventDetailed(forged);
    expect(verify(null, decoded.signedBytes!, publicKey, decoded.event.signature!.value)).toBe(false);
  });
});

describe('validateEvent', () => {
  it('accepts the sample and the minimal event', () => {
    expect(validateEvent(sampleEvent())).toEqual([]);
    expect(validateEvent(minimalEvent())).toEqual([]);
  });

  it('rejects what is not an object', () => {
    expect(validateEvent('event')).toEqual([{ path: '', message: 'must be an object' }]);
    expect(validateEvent(null)).toEqual([{ path: '', message: 'must be an object' }]);
  });

  it('reports every bad field at once, with its path', () => {
    const issues = validateEvent({
      eventId: '3b241101-e2bb-4255-8caf-4136c566a962',
      eventTime: 1.5,
      tenant: 'a\u0000b',
      actor: { type: 'user', id: ' u-1', ip: '999.1.1.1', extra: true },
      action: 42,
      target: { type: 'invoice' },
      outcome: 'MAYBE',
      source: { service: 'svc', instance: 'i', region: '' },
      traceId: 'x'.repeat(300),
      attributes: { 'a.b': 'ok', '': 'empty key', bad: 7 },
      payload: 'not bytes',
      signature: { keyId: 'k', value: new Uint8Array(0) },
      sessionId: 'unknown field',
    });
    expect(issues).toEqual([
      { path: 'sessionId', message: 'unknown field' },
      { path: 'actor.extra', message: 'unknown field' },
      { path: 'eventTime', message: 'expected an integer from -(2^52) to 2^53 - 2, got the number 1.5' },
      { path: 'action', message: 'expected a string, got 42' },
      { path: 'target.id', message: 'is required: expected a string' },
      { path: 'outcome', message: 'expected one of SUCCESS, FAILURE, DENIED, UNKNOWN, got "MAYBE"' },
      { path: 'attributes.bad', message: 'expected a string, got 7' },
      { path: 'payload', message: 'expected null or bytes (Buffer or Uint8Array), got "not bytes"' },
      { path: 'eventId', message: 'must be a UUIDv7 in canonical lowercase form' },
      { path: 'tenant', message: 'must not contain control characters' },
      { path: 'traceId', message: 'is 300 UTF-8 bytes, over the 256-byte limit' },
      { path: 'actor.id', message: 'must not start or end with white space' },
      { path: 'actor.ip', message: 'must be an IPv4 or IPv6 address' },
      { path: 'source.region', message: 'must not be empty (use null for "absent")' },
      { path: 'attributes[""]', message: 'must not be empty' },
      { path: 'signature.value', message: 'must hold at least 1 byte(s)' },
    ]);
  });

  it.each([
    ['eventTime before 2000', { eventTime: Date.UTC(1999, 11, 31) * 1000 }, 'eventTime'],
    ['eventTime in milliseconds by mistake', { eventTime: Date.UTC(2025, 0, 1) }, 'eventTime'],
    ['eventTime from 2100 on', { eventTime: Date.UTC(2100, 0, 1) * 1000 }, 'eventTime'],
    ['a tenant over 256 bytes', { tenant: 'é'.repeat(129) }, 'tenant'],
    ['a lone surrogate', { outcomeReason: 'bad \ud800 text' }, 'outcomeReason'],
    ['too many attributes', { attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, 'attributes'],
    ['an attribute key with a newline', { attributes: { 'a\nb': 'v' } }, 'attributes["a\\nb"]'],
    ['the attribute key __proto__', { attributes: JSON.parse('{"__proto__":"v"}') as Record<string, string> }, 'attributes.__proto__'],
    ['a control character in action', { action: 'invoice.\u007fapprove' }, 'action'],
    ['an empty correlationId', { correlationId: '' }, 'correlationId'],
  ])('rejects %s', (_what, override, path) => {
    expect(validateEvent({ ...sampleEvent(), ...override }).map((i) => i.path)).toEqual([path]);
  });

  it('accepts IPv6 addresses, multi-line reasons and non-ASCII text', () => {
    const event = sampleEvent({
      actor: { type: 'user', id: 'u-1', ip: '2001:db8::1', displayName: 'Zoë Ñúñez 日本' },
      outcomeReason: 'denied by policy\nrule 7',
      attributes: { 'région': 'Île-de-France' },
    });
    expect(validateEvent(event)).toEqual([]);
  });

  it('reports an event whose encoding exceeds the limit', () => {
    const issues = validateEvent(sampleEvent({ payload: Buffer.alloc(EVENT_LIMITS.maxEventBytes) }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('');
    expect(issues[0]?.message).toMatch(/over the 262144-byte limit/);
  });
});

describe('validateEvent on enum values avsc would look up on Object.prototype', () => {
  it.each([
    ['toString', '"toString"'],
    ['constructor', '"constructor"'],
    ['__proto__', '"__proto__"'],
    [['SUCCESS'], 'an array'],
    [{ toString: () => 'DENIED' }, 'object'],
    [Object.create(null), 'object'],
  ])('rejects outcome %p instead of encoding the first symbol', (outcome, got) => {
    const event = { ...sampleEvent(), outcome } as unknown as AuditEvent;
    expect(validateEvent(event)).toEqual([{ path: 'outcome', message: `expected one of SUCCESS, FAILURE, DENIED, UNKNOWN, got ${got}` }]);
    expect(codeOf(() => encodeEvent(event))).toBe('invalid_event');
  });
});
