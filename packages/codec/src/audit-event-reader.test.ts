// decodeEventDetailed reads events written with v1 itself with a hand-written
// reader first (readEventFast) and falls back to the detailed decode (scan,
// then avsc) when it declines. These tests show the fast path never accepts
// what the detailed decode rejects, and returns the same event and signed
// bytes when both accept: on valid events of every shape and on many damaged
// encodings of them.
import { decodeEventDetailed, decodeEventWithoutFastPath, encodeEvent, EVENT_LIMITS, eventSigningBytes, type AuditEvent, type DecodedEvent } from './audit-event';
import { readEventFast } from './audit-event-reader';
import { CodecError } from './errors';
import { auditEventSchema } from './schemas';
import { SINGLE_OBJECT_HEADER_BYTES } from './single-object';
import { minimalEvent, mutate, sampleEvent, seededRandom } from './__fixtures__/records';

function outcome(decode: () => DecodedEvent): DecodedEvent | CodecError {
  try {
    return decode();
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
}

/** JSON with bigints and bytes spelled out (Buffers reach the replacer already as { type: 'Buffer', data }). */
const plain = (d: DecodedEvent) =>
  JSON.stringify(d, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    const bytes = v as { type?: unknown; data?: number[] } | null;
    return bytes && typeof bytes === 'object' && bytes.type === 'Buffer' && Array.isArray(bytes.data) ? `hex:${Buffer.from(bytes.data).toString('hex')}` : v;
  });

/** Empty when decodeEventDetailed (fast path first) decides as the detailed decode alone does. */
function disagreement(bytes: Uint8Array, validate = true): string | undefined {
  const withFast = outcome(() => decodeEventDetailed(bytes, { validate }));
  const detailed = outcome(() => decodeEventWithoutFastPath(bytes, { validate }));
  if (detailed instanceof CodecError) {
    if (!(withFast instanceof CodecError)) return `fast path accepts, detailed rejects (${detailed.code}: ${detailed.message})`;
    if (withFast.code !== detailed.code || withFast.message !== detailed.message) return `different errors: ${withFast.code} / ${detailed.code}`;
    return undefined;
  }
  if (withFast instanceof CodecError) return `fast path rejects (${withFast.code}), detailed accepts`;
  if (plain(withFast) !== plain(detailed)) return 'different events';
  if (Object.keys(withFast.event.attributes ?? {}).join() !== Object.keys(detailed.event.attributes ?? {}).join()) return 'attributes in another order';
  return undefined;
}

function events(): AuditEvent[] {
  const random = seededRandom(0xe7e7);
  const out: AuditEvent[] = [
    sampleEvent(),
    minimalEvent(),
    sampleEvent({ signature: { keyId: 'billing-2025', value: Buffer.alloc(64, 0x5a) } }),
    sampleEvent({ tenant: 'Zoë 日本 \ud83d\ude42', outcomeReason: 'naïve', attributes: { 'ключ': 'значение', '10': 'ten', '2': 'two', b: '', a: 'x' } }),
    sampleEvent({ payload: Buffer.alloc(0), attributes: {}, outcome: 'DENIED', actor: { type: 'user', id: 'u', ip: '::1' } }),
    sampleEvent({ payload: Buffer.alloc(70_000, 3), eventTime: EVENT_LIMITS.maxEventTimeMicros - 1 }),
  ];
  for (let i = 0; i < 300; i++) {
    const attributes: Record<string, string> = {};
    for (let k = Math.floor(random() * 6); k > 0; k--) attributes[`k${Math.floor(random() * 1000)}`] = 'v'.repeat(Math.floor(random() * 20));
    out.push(
      sampleEvent({
        eventTime: EVENT_LIMITS.minEventTimeMicros + Math.floor(random() * 2 ** 51),
        tenant: `t-${i}`,
        actor: {
          type: random() < 0.5 ? 'user' : 'service',
          id: `a-${Math.floor(random() * 1e6)}`,
          displayName: random() < 0.5 ? null : `Name ${i} é`,
          ip: random() < 0.5 ? null : '10.0.0.1',
          userAgent: random() < 0.5 ? null : 'curl/8',
        },
        target: { type: 'doc', id: `d-${i}`, name: random() < 0.5 ? null : 'doc name' },
        outcome: (['SUCCESS', 'FAILURE', 'DENIED', 'UNKNOWN'] as const)[Math.floor(random() * 4)]!,
        outcomeReason: random() < 0.7 ? null : 'because',
        source: { service: 'svc', instance: `svc-${i}`, region: random() < 0.5 ? null : 'eu-west-1' },
        correlationId: random() < 0.5 ? null : `c-${i}`,
        traceId: random() < 0.5 ? null : '4bf92f3577b34da6a3ce929d0e0e4736',
        attributes,
        payload: random() < 0.3 ? null : Buffer.alloc(Math.floor(random() * 300), i),
        signature: random() < 0.5 ? null : { keyId: `k-${i}`, value: Buffer.alloc(1 + Math.floor(random() * 100), i) },
      }),
    );
  }
  return out;
}

describe('readEventFast', () => {
  it('reads every valid event exactly as the detailed decode does, signed bytes included', () => {
    for (const event of events()) {
      const bytes = encodeEvent(event);
      expect(readEventFast(bytes, SINGLE_OBJECT_HEADER_BYTES)).toBeDefined();
      expect(disagreement(bytes)).toBeUndefined();
      const decoded = decodeEventDetailed(bytes);
      if (event.signature) expect(decoded.signedBytes?.equals(eventSigningBytes(event))).toBe(true);
      else expect(decoded.signedBytes).toBeNull();
    }
  });

  it('reads a Uint8Array that is not a Buffer, and a view inside a larger buffer', () => {
    const bytes = encodeEvent(sampleEvent());
    expect(disagreement(new Uint8Array(bytes))).toBeUndefined();
    expect(readEventFast(new Uint8Array(bytes), SINGLE_OBJECT_HEADER_BYTES)?.event.tenant).toBe('acme');
    const larger = Buffer.concat([Buffer.alloc(5, 9), bytes, Buffer.alloc(5, 9)]);
    const view = larger.subarray(5, 5 + bytes.length);
    expect(readEventFast(view, SINGLE_OBJECT_HEADER_BYTES)?.event.action).toBe('invoice.approve');
    expect(disagreement(view)).toBeUndefined();
  });

  it('leaves the rules to the caller: an event that breaks them is read, and decodeEventDetailed still rejects it', () => {
    const body = auditEventSchema.type.toBuffer({ ...sampleEvent(), tenant: ' padded ', signature: null });
    const bytes = Buffer.concat([encodeEvent(sampleEvent()).subarray(0, SINGLE_OBJECT_HEADER_BYTES), body]);
    expect(readEventFast(bytes, SINGLE_OBJECT_HEADER_BYTES)?.event.tenant).toBe(' padded ');
    expect((outcome(() => decodeEventDetailed(bytes)) as CodecError).code).toBe('invalid_event');
    expect(disagreement(bytes)).toBeUndefined();
    expect(disagreement(bytes, false)).toBeUndefined();
  });

  it('declines what the detailed decode rejects: trailing bytes, truncation, bad UTF-8, duplicate and __proto__ map keys, bad indexes', () => {
    const header = encodeEvent(sampleEvent()).subarray(0, SINGLE_OBJECT_HEADER_BYTES);
    const encode = (value: unknown) => Buffer.concat([header, auditEventSchema.type.toBuffer(value)]);
    const bytes = encodeEvent(sampleEvent({ attributes: { aa: '1', bb: '2' } }));
    const dupKey = Buffer.from(bytes);
    dupKey.set(Buffer.from('aa'), dupKey.indexOf(Buffer.from('bb')));
    const protoKey = encode({ ...sampleEvent(), attributes: { __proto_x: '1' } });
    protoKey.set(Buffer.from('__proto__'), protoKey.indexOf(Buffer.from('__proto_x')));
    const badUtf8 = Buffer.from(bytes);
    badUtf8[badUtf8.indexOf(Buffer.from('acme'))] = 0xff;
    const outcomeAt = bytes.indexOf(Buffer.from('January invoice')) + 'January invoice'.length;
    const badEnum = Buffer.from(bytes);
    badEnum[outcomeAt] = 8; // enum index 4 of 4 symbols
    const cases: [string, Buffer][] = [
      ['a trailing byte', Buffer.concat([bytes, Buffer.from([0])])],
      ['truncated', bytes.subarray(0, bytes.length - 1)],
      ['a duplicate map key', dupKey],
      ['a __proto__ map key', protoKey],
      ['invalid UTF-8', badUtf8],
      ['an enum index out of range', badEnum],
    ];
    for (const [what, input] of cases) {
      expect([what, readEventFast(input, SINGLE_OBJECT_HEADER_BYTES)]).toEqual([what, undefined]);
      expect([what, outcome(() => decodeEventWithoutFastPath(input)) instanceof CodecError]).toEqual([what, true]);
      expect([what, disagreement(input)]).toEqual([what, undefined]);
    }
  });

  it('reads map blocks with a byte size (negative count) as the scan does, and declines a size that does not match', () => {
    const header = encodeEvent(sampleEvent()).subarray(0, SINGLE_OBJECT_HEADER_BYTES);
    const plainBody = auditEventSchema.type.toBuffer({ ...sampleEvent({ attributes: { k: 'v' } }), signature: null });
    // The map is encoded as: count 1 (0x02), "k" (0x02 0x6b), "v" (0x02 0x76), end (0x00).
    const mapAt = plainBody.indexOf(Buffer.from([0x02, 0x02, 0x6b, 0x02, 0x76, 0x00]));
    expect(mapAt).toBeGreaterThan(0);
    const withSize = (size: number) => Buffer.concat([header, plainBody.subarray(0, mapAt), Buffer.from([0x01, size * 2, 0x02, 0x6b, 0x02, 0x76, 0x00]), plainBody.subarray(mapAt + 6)]);
    expect(readEventFast(withSize(4), SINGLE_OBJECT_HEADER_BYTES)?.event.attributes).toEqual({ k: 'v' });
    expect(disagreement(withSize(4))).toBeUndefined();
    expect(readEventFast(withSize(3), SINGLE_OBJECT_HEADER_BYTES)).toBeUndefined();
    expect(disagreement(withSize(3))).toBeUndefined();
  });

  it('is not used for another writer schema (resolution into v1 takes the detailed path)', () => {
    const bytes = Buffer.from(encodeEvent(sampleEvent()));
    bytes[9] = bytes[9]! ^ 1;
    expect((outcome(() => decodeEventDetailed(bytes)) as CodecError).code).toBe('unknown_fingerprint');
  });

  it('never accepts a damaged encoding the detailed decode rejects, nor reads one differently (20,000 mutations)', () => {
    const random = seededRandom(0xbad5);
    const valid = events()
      .slice(0, 40)
      .map((e) => encodeEvent(e));
    const problems: string[] = [];
    let readFast = 0;
    for (let i = 0; i < 20_000; i++) {
      const original = valid[i % valid.length]!;
      const bytes = mutate(original, random, SINGLE_OBJECT_HEADER_BYTES);
      if (readEventFast(bytes, SINGLE_OBJECT_HEADER_BYTES)) readFast++;
      const problem = disagreement(bytes, random() < 0.8);
      if (problem) problems.push(`mutation ${i}: ${problem}`);
    }
    expect(problems).toEqual([]);
    // Many mutations leave a readable event (another string, another number): the fast reader took those.
    expect(readFast).toBeGreaterThan(2_000);
  });
});
