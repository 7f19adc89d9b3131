import { analyzeSchema } from './avro-schema';
import { auditEventSchema, checkpointSchema, sealedEntrySchema, segmentManifestSchema } from './schemas';
import {
  compileNormalizer,
  identifierProblem,
  Issues,
  isWhiteSpace,
  normalizeValue,
  textProblem,
  UNDECLARED,
} from './validation';
import { minimalEvent, sampleEvent, seededRandom } from './__fixtures__/records';

// The string rules of FORMAT.md 8.4 as they were first written, with regular
// expressions: the reference the one-pass checks must agree with.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EDGE_SPACE = /^\s|\s$/;

function referenceText(value: string, maxBytes: number): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone surrogates)';
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > maxBytes ? `is ${bytes} UTF-8 bytes, over the ${maxBytes}-byte limit` : undefined;
}

function referenceIdentifier(value: string, maxBytes: number): string | undefined {
  if (value === '') return 'must not be empty';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (EDGE_SPACE.test(value)) return 'must not start or end with white space';
  return referenceText(value, maxBytes);
}

/** Code units where the rules change their mind, and some ordinary ones. */
const INTERESTING = [
  0x00, 0x01, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1f, 0x20, 0x41, 0x61, 0x7e, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xa1, 0xe9, 0x7ff, 0x800,
  0x1680, 0x2000, 0x200a, 0x200b, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0x65e5, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000,
  0xfeff, 0xfffd, 0xffff,
];

function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * (maxLength + 1));
  let s = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.6) s += String.fromCharCode(0x61 + Math.floor(random() * 26));
    else if (r < 0.9) s += String.fromCharCode(INTERESTING[Math.floor(random() * INTERESTING.length)]!);
    else s += String.fromCharCode(Math.floor(random() * 0x10000));
  }
  return s;
}

describe('isWhiteSpace', () => {
  it('matches what \\s matches, for every UTF-16 code unit', () => {
    const mismatches: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isWhiteSpace(c) !== /\s/.test(String.fromCharCode(c))) mismatches.push(c);
    expect(mismatches).toEqual([]);
  });
});

describe.each([
  ['identifierProblem', identifierProblem, referenceIdentifier],
  ['textProblem', textProblem, referenceText],
] as const)('%s', (_name, check, reference) => {
  /** Every input on which `check` and `reference` disagree, with both answers (expected: none). */
  function disagreements(inputs: Iterable<[string, number]>): [string, number, string | undefined, string | undefined][] {
    const out: [string, number, string | undefined, string | undefined][] = [];
    for (const [s, max] of inputs) {
      const got = check(s, max);
      const want = reference(s, max);
      if (got !== want) out.push([s, max, got, want]);
    }
    return out;
  }

  it('agrees with the regular expressions on every single code unit, within and over the byte limit', () => {
    function* inputs(): Generator<[string, number]> {
      for (let c = 0; c <= 0xffff; c++) for (const max of [0, 1, 2, 3, 256]) yield [String.fromCharCode(c), max];
    }
    expect(disagreements(inputs())).toEqual([]);
  });

  it('agrees on every pair and triple of interesting code units (surrogate pairing, edges)', () => {
    function* inputs(): Generator<[string, number]> {
      for (const a of INTERESTING) {
        for (const b of INTERESTING) {
          yield [String.fromCharCode(a, b), 256];
          for (const c of INTERESTING) yield [String.fromCharCode(a, b, c), 256];
        }
      }
    }
    expect(disagreements(inputs())).toEqual([]);
  });

  it('agrees on random strings and around the byte limits', () => {
    const random = seededRandom(2026);
    function* inputs(): Generator<[string, number]> {
      for (let i = 0; i < 50_000; i++) yield [randomString(random, i % 10 === 0 ? 400 : 12), [4, 16, 128, 256, 1024][i % 5]!];
      for (const unit of ['x', 'é', '日', '\ud83d\ude42']) for (let n = 80; n <= 260; n++) yield [unit.repeat(n), 256];
    }
    expect(disagreements(inputs())).toEqual([]);
  });
});

describe('compileNormalizer', () => {
  /** normalizeValue's result, or UNDECLARED when it reported an unknown field (what the fast normalizer promises). */
  function reference(node: Parameters<typeof normalizeValue>[0], value: unknown): unknown {
    const issues = new Issues();
    const out = normalizeValue(node, value, [], issues);
    return issues.list.some((issue) => issue.message === 'unknown field') ? UNDECLARED : out;
  }

  /**
   * Where two copies differ (undefined: nowhere), comparing prototypes too and
   * telling Buffers from Uint8Arrays; the fast copy must be the slow one's twin.
   */
  function copyDifference(actual: unknown, expected: unknown, where = '$'): string | undefined {
    if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected) ? undefined : `${where}: ${String(actual)} vs ${String(expected)}`;
    if (typeof actual !== 'object' || actual === null) return `${where}: ${String(actual)} vs an object`;
    if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${where}: different prototypes`;
    if (expected instanceof Uint8Array) {
      return actual instanceof Uint8Array && Buffer.from(actual).equals(Buffer.from(expected)) ? undefined : `${where}: different bytes`;
    }
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    if (Object.keys(a).join() !== Object.keys(e).join()) return `${where}: keys ${Object.keys(a).join()} vs ${Object.keys(e).join()}`;
    for (const key of Object.keys(e)) {
      const difference = copyDifference(a[key], e[key], `${where}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }

  function expectSameCopy(actual: unknown, expected: unknown): void {
    expect(copyDifference(actual, expected)).toBeUndefined();
  }

  const normalize = compileNormalizer(auditEventSchema.root);

  it('copies a valid event like normalizeValue: declared fields in schema order, nulls, {} and Buffers', () => {
    for (const event of [sampleEvent(), minimalEvent(), sampleEvent({ payload: new Uint8Array([1, 2, 3]) })]) {
      const copy = normalize(event);
      expect(copy).not.toBe(event);
      expectSameCopy(copy, reference(auditEventSchema.root, event));
    }
  });

  it('reuses the memory of a Uint8Array, like normalizeValue', () => {
    const payload = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const copy = normalize(sampleEvent({ payload })) as { payload: Buffer };
    expect(Buffer.isBuffer(copy.payload)).toBe(true);
    expect(copy.payload.buffer).toBe(payload.buffer);
    expect(copy.payload.byteOffset).toBe(1);
    expect([...copy.payload]).toEqual([2, 3]);
  });

  it('gives UNDECLARED exactly where normalizeValue reports an unknown field', () => {
    const cases: unknown[] = [
      { ...sampleEvent(), sessionId: 'x' },
      { ...sampleEvent(), sessionId: undefined },
      sampleEvent({ actor: { ...sampleEvent().actor, extra: 1 } as never }),
      sampleEvent({ signature: { keyId: 'k', value: Buffer.alloc(1), alg: 'x' } as never }),
      JSON.parse('{"__proto__": {"tenant": "acme"}, "tenant": "acme"}'),
      sampleEvent({ attributes: JSON.parse('{"__proto__": "v", "k": "w"}') as Record<string, string> }),
      sampleEvent({ actor: null as never, target: 'x' as never, source: [] as never }),
      sampleEvent({ attributes: [] as never }),
      sampleEvent({ attributes: null as never }),
      sampleEvent({ signature: [] as never }),
      Object.assign(Object.create(null) as object, minimalEvent()),
      new Date(),
      'not an object',
      null,
      undefined,
    ];
    for (const value of cases) expectSameCopy(normalize(value), reference(auditEventSchema.root, value));
  });

  it('keeps a map key __proto__ as a key, not a prototype', () => {
    const attributes = JSON.parse('{"__proto__": "v"}') as Record<string, string>;
    const copy = normalize(sampleEvent({ attributes })) as { attributes: Record<string, unknown> };
    expect(Object.getPrototypeOf(copy.attributes)).toBe(Object.prototype);
    expect(Object.keys(copy.attributes)).toEqual(['__proto__']);
  });

  it('agrees with normalizeValue on the other schemas and on random values', () => {
    const random = seededRandom(7);
    const pool: unknown[] = [undefined, null, 0, 1.5, 'x', '', true, [], {}, Buffer.alloc(2), new Uint8Array(2), ['a'], { a: 'b' }];
    const pick = () => pool[Math.floor(random() * pool.length)];
    for (const schema of [auditEventSchema, sealedEntrySchema, segmentManifestSchema, checkpointSchema]) {
      const fast = compileNormalizer(schema.root);
      const fields = schema.root.kind === 'record' ? schema.root.fields.map((field) => field.name) : [];
      const differences: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        const value: Record<string, unknown> = {};
        for (const name of fields) if (random() < 0.8) value[name] = pick();
        if (random() < 0.1) value.extra = pick();
        const difference = copyDifference(fast(value), reference(schema.root, value));
        if (difference !== undefined) differences.push(`${schema.name} ${difference}`);
      }
      expect(differences).toEqual([]);
    }
  });

  it('handles recursive schemas, arrays and unions of several types', () => {
    const { root } = analyzeSchema({
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'label', type: ['null', 'string', 'bytes'] },
        { name: 'data', type: ['null', 'bytes'] },
        { name: 'children', type: { type: 'array', items: 'Node' } },
      ],
    });
    const fast = compileNormalizer(root);
    const tree = { label: 'a', children: [{ label: null, data: new Uint8Array([1]), children: [] }, { children: [{ children: [] }] }] };
    expectSameCopy(fast(tree), reference(root, tree));
    const withExtra = { label: 'a', children: [{ children: [{ children: [], extra: 1 }] }] };
    expect(fast(withExtra)).toBe(UNDECLARED);
    expect(reference(root, withExtra)).toBe(UNDECLARED);
  });
});
