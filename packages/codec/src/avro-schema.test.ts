import { Type } from 'avsc';
import { analyzeSchema, parsingCanonicalForm, schemaFingerprint } from './avro-schema';
import { crc64Avro, formatFingerprint } from './crc64-avro';
import { CodecError } from './errors';
import { singleObjectHeader } from './single-object';
import { readJson } from './__fixtures__/records';

interface FingerprintVector {
  id: string;
  schema: string;
  canonical: string;
  fingerprint?: string;
  fingerprintSignedDecimal?: string;
  singleObjectHeader?: string;
}

const vectors = readJson<{ vectors: FingerprintVector[] }>('schemas', 'vectors', 'avro-fingerprints.json').vectors;

describe('crc64Avro', () => {
  it('returns EMPTY (0xc15d213aa4d7a795) for no input', () => {
    expect(crc64Avro(new Uint8Array())).toBe(0xc15d213aa4d7a795n);
  });

  it('matches the fingerprint of "int" in the Avro Ruby and Go test suites', () => {
    expect(formatFingerprint(crc64Avro(Buffer.from('"int"')))).toBe('0x7275d51a3f395c8f');
    expect([...singleObjectHeader(0x7275d51a3f395c8fn)]).toEqual([0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72]);
  });
});

describe('parsingCanonicalForm', () => {
  describe.each(vectors.map((v) => [v.id, v] as const))('vector %s', (_id, vector) => {
    it('gives the canonical form', () => {
      expect(parsingCanonicalForm(JSON.parse(vector.schema))).toBe(vector.canonical);
    });

    if (vector.fingerprint) {
      it('gives the fingerprint, its signed decimal and header bytes', () => {
        const fp = schemaFingerprint(JSON.parse(vector.schema));
        expect(formatFingerprint(fp)).toBe(vector.fingerprint);
        expect(BigInt.asIntN(64, fp).toString()).toBe(vector.fingerprintSignedDecimal);
        expect(singleObjectHeader(fp).toString('hex')).toBe(vector.singleObjectHeader);
      });
    }
  });

  // avsc refuses the empty union (016) and the boolean field whose default is the string "true" (026).
  const avscRefuses = new Set(['avro-016', 'avro-026']);

  it('agrees with avsc (whose schema() claims to be the canonical form) on the vectors avsc parses', () => {
    for (const vector of vectors.filter((v) => !avscRefuses.has(v.id))) {
      expect(JSON.stringify(Type.forSchema(JSON.parse(vector.schema)).schema())).toBe(vector.canonical);
    }
  });

  describe('when names are short', () => {
    it('qualifies nested definitions and references with the enclosing namespace', () => {
      const schema = {
        type: 'record',
        name: 'Outer',
        namespace: 'a.b',
        fields: [
          { name: 'h', type: { type: 'fixed', name: 'Hash', size: 4 } },
          { name: 'h2', type: 'Hash' },
          { name: 'other', type: { type: 'enum', name: 'c.E', symbols: ['X'] } },
          { name: 'inner', type: { type: 'record', name: 'In', namespace: '', fields: [{ name: 'e', type: 'c.E' }] } },
        ],
      };
      expect(parsingCanonicalForm(schema)).toBe(
        '{"name":"a.b.Outer","type":"record","fields":[' +
          '{"name":"h","type":{"name":"a.b.Hash","type":"fixed","size":4}},' +
          '{"name":"h2","type":"a.b.Hash"},' +
          '{"name":"other","type":{"name":"c.E","type":"enum","symbols":["X"]}},' +
          '{"name":"inner","type":{"name":"In","type":"record","fields":[{"name":"e","type":"c.E"}]}}]}',
      );
    });
  });

  describe('when the schema carries logical types and defaults', () => {
    it('strips them', () => {
      expect(parsingCanonicalForm({ type: 'long', logicalType: 'timestamp-micros' })).toBe('"long"');
      expect(parsingCanonicalForm({ type: 'enum', name: 'E', symbols: ['A'], default: 'A', doc: 'x' })).toBe(
        '{"name":"E","type":"enum","symbols":["A"]}',
      );
      expect(parsingCanonicalForm({ type: 'fixed', name: 'F', size: '016' })).toBe('{"name":"F","type":"fixed","size":16}');
    });
  });

  describe('when the schema is invalid', () => {
    it.each([
      ['an unknown reference', 'Nope'],
      ['a number', 42],
      ['a record without fields', { type: 'record', name: 'R' }],
      ['a duplicate field', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }, { name: 'a', type: 'int' }] }],
      ['a redefined name', { type: 'record', name: 'R', fields: [{ name: 'a', type: { type: 'fixed', name: 'R', size: 1 } }] }],
      ['a bad enum symbol', { type: 'enum', name: 'E', symbols: ['1x'] }],
      ['a negative fixed size', { type: 'fixed', name: 'F', size: -1 }],
      ['a nested union', ['null', ['int']]],
    ])('throws invalid_schema for %s', (_what, schema) => {
      expect(() => analyzeSchema(schema)).toThrow(expect.objectContaining({ code: 'invalid_schema' }) as CodecError);
    });
  });
});
