import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_KINDS, finding, findingId } from '@auditseal/verify';
import { ALERT_FORMAT, alertIdOf, toAlert } from './alert';

const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'alert.v1.schema.json'), 'utf8')) as {
  required: string[];
  properties: Record<string, { enum?: string[]; required?: string[]; properties?: Record<string, unknown> }>;
};

describe('toAlert', () => {
  const f = finding({
    kind: 'bad_hash',
    chainId: 'auditseal/v1/c/audit.events/1',
    seqs: { first: 7, last: 7 },
    offsets: { topic: 'sealed', partition: 1, first: 9, last: 9 },
    object: { key: 'a/b.avro', versionId: 'v1' },
    expected: 'aa',
    actual: 'bb',
    message: 'm',
    details: { code: 'x' },
  });
  const alert = toAlert(findingId(f), f, new Date('2026-11-27T00:00:00Z'), 'host-1');

  describe('when given a finding with every kind of evidence', () => {
    it('fills every schema field, and only those', () => {
      for (const field of schema.required) expect(alert).toHaveProperty(field);
      for (const field of Object.keys(alert)) expect(Object.keys(schema.properties)).toContain(field);
      for (const nested of ['seqRange', 'object', 'offsets'] as const) {
        for (const field of Object.keys(alert[nested]!)) expect(Object.keys(schema.properties[nested]!.properties!)).toContain(field);
      }
      expect(alert).toMatchObject({ format: ALERT_FORMAT, id: findingId(f), severity: 'critical', seqRange: { first: 7, last: 7 }, firstSeenAt: '2026-11-27T00:00:00.000Z', verifierInstance: 'host-1' });
    });
  });

  it('the schema lists exactly the finding kinds of @auditseal/verify', () => {
    expect([...schema.properties.kind!.enum!].sort()).toEqual([...FINDING_KINDS].sort());
  });
});

describe('alertIdOf', () => {
  it('reads the id from the key, else from the value', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(alertIdOf(Buffer.from(id), null)).toBe(id);
    expect(alertIdOf(null, Buffer.from(JSON.stringify({ format: ALERT_FORMAT, id })))).toBe(id);
  });

  describe('when the record is not an alert (untrusted topic contents)', () => {
    it('returns undefined for random and truncated bytes, never throws', () => {
      const valid = Buffer.from(JSON.stringify({ format: ALERT_FORMAT, id: '0123456789abcdef0123456789abcdef' }));
      for (let i = 0; i < 500; i++) {
        const random = Buffer.from(Array.from({ length: i % 64 }, () => Math.floor(Math.random() * 256)));
        expect(() => alertIdOf(random, random)).not.toThrow();
        expect(alertIdOf(null, valid.subarray(0, i % valid.length))).toBeUndefined();
      }
      expect(alertIdOf(Buffer.from('not-an-id'), Buffer.from('{"id":5}'))).toBeUndefined();
    });
  });
});
