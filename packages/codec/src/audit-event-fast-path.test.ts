// encodeEvent and validateEvent first try a fast path (encodeValidEvent) and fall
// back to the detailed checks (checkEvent) only when it declines. These tests
// show that the two paths make the same decision — on valid events, on every
// kind of invalid event, and on many generated variants — and that when both
// accept they produce the same bytes.
import { checkEvent, encodeEvent, encodeValidEvent, EVENT_LIMITS, eventSigningBytes, validateEvent, type AuditEvent } from './audit-event';
import { CodecError } from './errors';
import { auditEventSchema } from './schemas';
import { encodeSingleObject } from './single-object';
import { minimalEvent, sampleEvent, seededRandom } from './__fixtures__/records';

const LIMIT = EVENT_LIMITS.maxEventBytes;

interface Verdict {
  fast: Buffer | undefined;
  slow: { issues: { path: string; message: string }[]; body?: Buffer };
}

function verdict(value: unknown, limit = LIMIT): Verdict {
  return { fast: encodeValidEvent(value, limit), slow: checkEvent(value, limit) };
}

/** Empty when both paths agree: same accept/reject decision, same bytes when they accept. */
function disagreement(value: unknown, limit = LIMIT): string | undefined {
  const { fast, slow } = verdict(value, limit);
  if ((fast !== undefined) !== (slow.body !== undefined)) {
    return `fast ${fast ? 'accepts' : 'rejects'}, detailed ${slow.body ? 'accepts' : `rejects (${slow.issues.map((i) => `${i.path} ${i.message}`).join('; ')})`}`;
  }
  if (fast && slow.body && !fast.equals(encodeSingleObject(auditEventSchema.fingerprint, slow.body))) return 'different bytes';
  return undefined;
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v))?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Replaces the value at `path` (creating nothing: a missing parent leaves the event as it is). */
function withValue(event: AuditEvent, path: readonly string[], value: unknown, remove = false): Record<string, unknown> {
  const copy = structuredCloneEvent(event) as unknown as Record<string, unknown>;
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (typeof next !== 'object' || next === null) return copy;
    parent = next as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** A copy two levels deep (records and attributes), leaving Buffers shared. */
function structuredCloneEvent(event: AuditEvent): AuditEvent {
  const copy = { ...event } as Record<string, unknown>;
  for (const [key, value] of Object.entries(copy)) {
    if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)) copy[key] = { ...value };
  }
  return copy as unknown as AuditEvent;
}

const signedEvent = (): AuditEvent => sampleEvent({ signature: { keyId: 'billing-api-2025', value: Buffer.alloc(64, 7) } });
const BASES: [string, () => AuditEvent][] = [
  ['sample', () => sampleEvent()],
  ['minimal', minimalEvent],
  ['signed', signedEvent],
];

const STRING_PATHS = [
  ['eventId'],
  ['tenant'],
  ['action'],
  ['outcome'],
  ['outcomeReason'],
  ['correlationId'],
  ['traceId'],
  ['actor', 'type'],
  ['actor', 'id'],
  ['actor', 'displayName'],
  ['actor', 'ip'],
  ['actor', 'userAgent'],
  ['target', 'type'],
  ['target', 'id'],
  ['target', 'name'],
  ['source', 'service'],
  ['source', 'instance'],
  ['source', 'region'],
  ['signature', 'keyId'],
];
const OTHER_PATHS = [['eventTime'], ['actor'], ['target'], ['source'], ['attributes'], ['payload'], ['signature'], ['signature', 'value']];
const ALL_PATHS = [...STRING_PATHS, ...OTHER_PATHS];

const STRINGS = [
  'ok',
  'a b',
  'Zoë Ñúñez 日本',
  'smile \ud83d\ude42',
  '',
  ' lead',
  'trail ',
  '\u00a0nbsp',
  'ideographic\u3000',
  '\ufeffbom',
  'a\u0000b',
  'line\nbreak',
  'tab\tin',
  'del\u007f',
  'c1\u0085',
  'lone \ud800',
  'lone \udc00 low',
  '\udc00\ud800',
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(257),
  'é'.repeat(128),
  'é'.repeat(129),
  'y'.repeat(1024),
  'y'.repeat(1025),
  'z'.repeat(4096),
  'z'.repeat(4097),
  '019468a1-f800-7abc-8def-0123456789ab',
  '019468A1-F800-7ABC-8DEF-0123456789AB',
  '019468a1-f800-4abc-8def-0123456789ab',
  '019468a1-f800-7abc-cdef-0123456789ab',
  '{019468a1-f800-7abc-8def-0123456789ab}',
  '203.0.113.7',
  '2001:db8::1',
  '::ffff:192.0.2.1',
  '256.1.1.1',
  '1.2.3',
  'SUCCESS',
  'DENIED',
  'MAYBE',
  'success',
  'toString',
  'constructor',
  '__proto__',
];
const NON_STRINGS: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  -1,
  1.5,
  NaN,
  Infinity,
  2 ** 53,
  2 ** 53 - 2,
  10n,
  true,
  {},
  [],
  ['a'],
  { a: 'b' },
  Buffer.alloc(0),
  Buffer.alloc(3, 1),
  new Uint8Array([1, 2]),
  new Uint8Array([9, 1, 2, 3]).subarray(1, 3),
  new Date(0),
  () => 'x',
  Symbol('s'),
  Object.create(null),
];
const TIMES = [
  EVENT_LIMITS.minEventTimeMicros - 1,
  EVENT_LIMITS.minEventTimeMicros,
  EVENT_LIMITS.maxEventTimeMicros - 1,
  EVENT_LIMITS.maxEventTimeMicros,
  Date.UTC(2025, 0, 1),
  Date.UTC(2025, 0, 1) * 1000,
];
const ATTRIBUTES: unknown[] = [
  {},
  { k: 'v' },
  Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v'])),
  Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
  JSON.parse('{"__proto__": "v"}'),
  JSON.parse('{"ok": "v", "__proto__": {"x": "y"}}'),
  { '': 'empty key' },
  { ' k': 'edge space' },
  { 'a\nb': 'newline' },
  { k: 'x'.repeat(4097) },
  { ['k'.repeat(129)]: 'long key' },
  { k: 7 },
  { k: null },
  { k: undefined },
  { k: 'lone \ud800' },
  { 0: 'numeric key', b: 'v' },
  Object.assign(Object.create(null) as object, { k: 'v' }),
  new Map([['k', 'v']]),
];
const SIGNATURES: unknown[] = [
  null,
  { keyId: 'k1', value: Buffer.alloc(64, 1) },
  { keyId: 'k1', value: new Uint8Array(64) },
  { keyId: 'k1', value: Buffer.alloc(0) },
  { keyId: 'k1', value: Buffer.alloc(1) },
  { keyId: 'k1', value: Buffer.alloc(512) },
  { keyId: 'k1', value: Buffer.alloc(513) },
  { keyId: '', value: Buffer.alloc(64) },
  { keyId: ' k', value: Buffer.alloc(64) },
  { keyId: 'k1' },
  { keyId: 'k1', value: Buffer.alloc(64), alg: 'ed25519' },
  { keyId: 'k1', value: 'base64' },
];
const RECORDS: unknown[] = [
  { type: 'user', id: 'u-1' },
  { type: 'user', id: 'u-1', extra: true },
  { type: 'user', id: 'u-1', extra: undefined },
  { type: 'user' },
  Object.assign(Object.create(null) as object, { type: 'user', id: 'u-1', service: 's', instance: 'i' }),
  { service: 's', instance: 'i' },
  { service: 's', instance: 'i', region: '' },
  { type: 'invoice', id: 'i-1', name: '' },
];

/** Values worth trying at `path`. */
function valuesFor(path: readonly string[]): unknown[] {
  const last = path[path.length - 1];
  if (path.length === 1 && ['actor', 'target', 'source'].includes(last!)) return [...RECORDS, ...NON_STRINGS];
  if (last === 'eventTime') return [...TIMES, ...NON_STRINGS];
  if (last === 'attributes') return [...ATTRIBUTES, ...NON_STRINGS];
  if (path.length === 1 && last === 'signature') return [...SIGNATURES, ...NON_STRINGS];
  if (last === 'payload' || last === 'value') return [...NON_STRINGS, 'bytes?', Buffer.alloc(1024, 2)];
  return [...STRINGS, ...NON_STRINGS];
}

describe('encodeValidEvent (the fast path) against checkEvent (the detailed path)', () => {
  describe('when the event is valid', () => {
    it.each(BASES)('accepts the %s event, with the same bytes', (_name, base) => {
      expect(encodeValidEvent(base(), LIMIT)).toBeDefined();
      expect(disagreement(base())).toBeUndefined();
    });

    it('accepts Uint8Array payloads and signatures, and attributes with many entries', () => {
      for (const event of [
        sampleEvent({ payload: new Uint8Array([1, 2, 3]) }),
        sampleEvent({ signature: { keyId: 'k', value: new Uint8Array(64) } }),
        sampleEvent({ attributes: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, `v${i}`])) }),
      ]) {
        expect(encodeValidEvent(event, LIMIT)).toBeDefined();
        expect(disagreement(event)).toBeUndefined();
      }
    });
  });

  describe('when the event is invalid', () => {
    it.each([
      ['not an object', 'event' as unknown],
      ['null', null],
      ['an array', [sampleEvent()]],
      ['a Buffer', Buffer.from('{}')],
      ['an unknown field', { ...sampleEvent(), sessionId: 'x' }],
      ['an unknown nested field', sampleEvent({ actor: { ...sampleEvent().actor, extra: 1 } as never })],
      ['a missing required field', withValue(sampleEvent(), ['target', 'id'], undefined, true)],
      ['a wrong type', sampleEvent({ action: 42 as never })],
      ['an unknown enum symbol', sampleEvent({ outcome: 'MAYBE' as never })],
      ['a non-integer time', sampleEvent({ eventTime: 1.5 })],
      ['an unsafe integer time', sampleEvent({ eventTime: 2 ** 53 })],
      ['a time out of range', sampleEvent({ eventTime: Date.UTC(2025, 0, 1) })],
      ['a non-v7 eventId', sampleEvent({ eventId: '3b241101-e2bb-4255-8caf-4136c566a962' })],
      ['an empty identifier', sampleEvent({ tenant: '' })],
      ['a control character', sampleEvent({ action: 'a\u007fb' })],
      ['edge white space', sampleEvent({ actor: { type: 'user', id: 'u-1\u3000' } })],
      ['a NUL in text', sampleEvent({ outcomeReason: 'a\u0000b' })],
      ['a lone surrogate', sampleEvent({ target: { type: 'invoice', id: 'i', name: '\udc00' } })],
      ['an identifier over 256 bytes', sampleEvent({ tenant: 'é'.repeat(129) })],
      ['an empty optional identifier', sampleEvent({ correlationId: '' })],
      ['a bad IP address', sampleEvent({ actor: { type: 'user', id: 'u', ip: '999.1.1.1' } })],
      ['too many attributes', sampleEvent({ attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) })],
      ['the attribute key __proto__', sampleEvent({ attributes: JSON.parse('{"__proto__": "v"}') as Record<string, string> })],
      ['an empty signature', sampleEvent({ signature: { keyId: 'k', value: new Uint8Array(0) } })],
      ['a signature over 512 bytes', sampleEvent({ signature: { keyId: 'k', value: Buffer.alloc(513) } })],
      ['an encoding over the limit', sampleEvent({ payload: Buffer.alloc(LIMIT) })],
    ])('rejects %s on both paths', (_what, value) => {
      expect(encodeValidEvent(value, LIMIT)).toBeUndefined();
      expect(checkEvent(value, LIMIT).issues).not.toEqual([]);
    });
  });

  describe('when one field at a time takes each interesting value', () => {
    it.each(BASES)('agrees on every variant of the %s event', (_name, base) => {
      const disagreements: string[] = [];
      let accepted = 0;
      let rejected = 0;
      for (const path of ALL_PATHS) {
        for (const value of [...valuesFor(path), 'REMOVE']) {
          const variant = value === 'REMOVE' ? withValue(base(), path, undefined, true) : withValue(base(), path, value);
          const difference = disagreement(variant);
          if (difference !== undefined) disagreements.push(`${path.join('.')} = ${describeValue(value)}: ${difference}`);
          if (encodeValidEvent(variant, LIMIT)) accepted++;
          else rejected++;
        }
      }
      expect(disagreements).toEqual([]);
      expect(accepted).toBeGreaterThan(50);
      expect(rejected).toBeGreaterThan(500);
    });
  });

  describe('when the encoded size is at the limit', () => {
    it('agrees one byte either side of the limit, for small events and around the scratch buffer size', () => {
      const disagreements: string[] = [];
      for (const payload of [0, 1, 63, 64, 127, 128, 129, 1000, 16 * 1024 - 300, 16 * 1024 - 250, 16 * 1024, 40_000]) {
        const event = sampleEvent({ payload: Buffer.alloc(payload, 1) });
        const size = encodeEvent(event, { maxEventBytes: 1 << 20 }).length;
        for (const limit of [size - 1, size, size + 1]) {
          const difference = disagreement(event, limit);
          if (difference !== undefined) disagreements.push(`payload ${payload}, size ${size}, limit ${limit}: ${difference}`);
          expect(encodeValidEvent(event, limit) !== undefined).toBe(limit >= size);
        }
      }
      expect(disagreements).toEqual([]);
    });

    it('encodes events larger than its scratch buffer, up to a raised limit', () => {
      for (const bytes of [16 * 1024, 40 * 1024, 300 * 1024, 600 * 1024]) {
        const event = sampleEvent({ payload: Buffer.alloc(bytes, 3) });
        expect(disagreement(event, 1024 * 1024)).toBeUndefined();
        expect(encodeValidEvent(event, 1024 * 1024)).toBeDefined();
        expect(disagreement(event, bytes)).toBeUndefined();
        expect(encodeValidEvent(event, bytes)).toBeUndefined();
      }
      // And the small ones after them still come out right.
      expect(disagreement(sampleEvent())).toBeUndefined();
    });
  });

  describe('when events are generated at random (several mutations each)', () => {
    it('agrees on 20,000 variants, and they cover every kind of issue', () => {
      const random = seededRandom(20261127);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
      const disagreements: string[] = [];
      const kinds = new Set<string>();
      let accepted = 0;
      for (let i = 0; i < 20_000; i++) {
        let variant: Record<string, unknown> = pick(BASES)[1]() as unknown as Record<string, unknown>;
        const mutations = 1 + Math.floor(random() * 3);
        for (let m = 0; m < mutations; m++) {
          const r = random();
          if (r < 0.05) variant = { ...variant, [pick(['extra', 'sessionId', '__proto__'])]: pick(NON_STRINGS) };
          else {
            const path = pick(ALL_PATHS);
            variant = r < 0.12 ? withValue(variant as unknown as AuditEvent, path, undefined, true) : withValue(variant as unknown as AuditEvent, path, pick(valuesFor(path)));
          }
        }
        const limit = random() < 0.1 ? pick([200, 300, 400, 1024]) : LIMIT;
        const difference = disagreement(variant, limit);
        if (difference !== undefined) disagreements.push(`${describeValue(variant)} (limit ${limit}): ${difference}`);
        const { issues, body } = checkEvent(variant, limit);
        if (body) accepted++;
        for (const issue of issues) kinds.add(issue.message.replace(/[0-9]+/g, 'N').replace(/got .*/, 'got …'));
      }
      expect(disagreements.slice(0, 10)).toEqual([]);
      expect(accepted).toBeGreaterThan(1_000);
      for (const kind of [
        'unknown field',
        'is required: expected a string',
        'expected a string, got …',
        'expected an integer from -(N^N) to N^N - N, got …',
        'expected one of SUCCESS, FAILURE, DENIED, UNKNOWN, got …',
        'must be a UUIDvN in canonical lowercase form',
        'must be microseconds since the epoch within [N-N-N, N-N-N)',
        'must not be empty',
        'must not contain control characters',
        'must not start or end with white space',
        'must not contain NUL characters',
        'must be well-formed Unicode (no lone surrogates)',
        'is N UTF-N bytes, over the N-byte limit',
        'must not be empty (use null for "absent")',
        'must be an IPvN or IPvN address',
        'has N entries, over the limit of N',
        'is not an accepted key',
        'must hold at least N byte(s)',
        'is N bytes, over the N-byte limit',
        'encodes to N bytes, over the N-byte limit',
      ]) {
        expect([kind, kinds.has(kind)]).toEqual([kind, true]);
      }
    });
  });
});

describe('encodeEvent, validateEvent and eventSigningBytes', () => {
  it('throw invalid_event exactly when validateEvent reports issues, which are the detailed ones', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 3_000; i++) {
      const path = ALL_PATHS[Math.floor(random() * ALL_PATHS.length)]!;
      const values = valuesFor(path);
      const variant = withValue(sampleEvent(), path, values[Math.floor(random() * values.length)]) as unknown as AuditEvent;
      const issues = validateEvent(variant);
      expect(issues).toEqual(checkEvent(variant, LIMIT).issues);
      let error: unknown;
      let bytes: Buffer | undefined;
      try {
        bytes = encodeEvent(variant);
      } catch (err) {
        error = err;
      }
      if (issues.length === 0) expect(bytes).toEqual(encodeSingleObject(auditEventSchema.fingerprint, checkEvent(variant, LIMIT).body!));
      else {
        expect(error).toBeInstanceOf(CodecError);
        expect((error as CodecError).details.issues).toEqual(issues);
      }
    }
  });

  it('sign the detailed path’s bytes of the event with signature null', () => {
    for (const event of [
      sampleEvent(),
      minimalEvent(),
      signedEvent(),
      sampleEvent({ signature: { keyId: ' bad', value: Buffer.alloc(0) } }),
      sampleEvent({ signature: { keyId: 'k', value: Buffer.alloc(64), alg: 'x' } as never }),
      sampleEvent({ signature: 'not a signature' as never }),
    ]) {
      const expected = checkEvent({ ...event, signature: null }, LIMIT).body!;
      expect(eventSigningBytes(event)).toEqual(encodeSingleObject(auditEventSchema.fingerprint, expected));
    }
  });
});
