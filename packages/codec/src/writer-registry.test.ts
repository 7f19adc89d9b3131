import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Type } from 'avsc';
import { decodeEvent, decodeEventDetailed, encodeEvent } from './audit-event';
import { schemaFingerprint } from './avro-schema';
import { CodecError } from './errors';
import { auditEventSchema } from './schemas';
import { encodeSingleObject } from './single-object';
import { createWriterSchemaRegistry } from './writer-registry';
import { sampleEvent, SCHEMAS_DIR } from './__fixtures__/records';

const v2Json = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'testdata', 'audit-event.v2.avsc'), 'utf8')) as Record<string, unknown>;
const v2Type = Type.forSchema(v2Json as never);
const v2Fingerprint = schemaFingerprint(v2Json);

/** What a v2 producer writes. */
function encodeV2(value: Record<string, unknown>): Buffer {
  return encodeSingleObject(v2Fingerprint, v2Type.toBuffer(value));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CodecError).code;
  }
  return undefined;
}

describe('WriterSchemaRegistry', () => {
  describe('when a v2 writer schema (one more optional field) is registered', () => {
    it('reads v2 events as v1, dropping the new field', () => {
      const registry = createWriterSchemaRegistry();
      expect(registry.register(v2Json)).toBe(v2Fingerprint);
      const bytes = encodeV2({ ...sampleEvent(), sessionId: 'sess-9' });
      const decoded = decodeEventDetailed(bytes, { registry });
      expect(decoded.event).toEqual(sampleEvent());
      expect(decoded.writerFingerprint).toBe(v2Fingerprint);
    });

    it('keeps reading v1 events', () => {
      const registry = createWriterSchemaRegistry();
      registry.register(v2Json);
      expect(decodeEvent(encodeEvent(sampleEvent()), { registry })).toEqual(sampleEvent());
    });

    it('computes signedBytes even when fields follow signature in the writer schema', () => {
      const registry = createWriterSchemaRegistry();
      registry.register(v2Json);
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const unsigned = { ...sampleEvent(), signature: null, sessionId: 'sess-9' };
      const value = sign(null, encodeV2(unsigned), privateKey);
      const bytes = encodeV2({ ...unsigned, signature: { keyId: 'k1', value } });
      const decoded = decodeEventDetailed(bytes, { registry });
      expect(decoded.signedBytes).toEqual(encodeV2(unsigned));
      expect(verify(null, decoded.signedBytes!, publicKey, decoded.event.signature!.value)).toBe(true);
    });
  });

  describe('when v2 is not registered', () => {
    it('rejects v2 events as unknown_fingerprint', () => {
      const bytes = encodeV2({ ...sampleEvent(), sessionId: null });
      expect(codeOf(() => decodeEvent(bytes, { registry: createWriterSchemaRegistry() }))).toBe('unknown_fingerprint');
    });
  });

  describe('when a writer uses an outcome symbol v1 does not know', () => {
    it('reads it as UNKNOWN (the enum default)', () => {
      const json = structuredClone(v2Json) as { fields: { name: string; type: { symbols?: string[] } }[] };
      json.fields.find((f) => f.name === 'outcome')!.type.symbols!.push('PARTIAL');
      const registry = createWriterSchemaRegistry();
      const fp = registry.register(json);
      const bytes = encodeSingleObject(fp, Type.forSchema(json as never).toBuffer({ ...sampleEvent(), outcome: 'PARTIAL', sessionId: null }));
      expect(decodeEvent(bytes, { registry }).outcome).toBe('UNKNOWN');
    });
  });

  describe('register', () => {
    it('is a no-op for a schema already known (v1 itself)', () => {
      const registry = createWriterSchemaRegistry();
      expect(registry.register(auditEventSchema.json)).toBe(auditEventSchema.fingerprint);
      expect(registry.fingerprints()).toEqual([auditEventSchema.fingerprint]);
    });

    it.each([
      ['not an object', 'string', 'invalid_schema'],
      ['an invalid schema', { type: 'record', name: 'X' }, 'invalid_schema'],
      ['a record of another name', { type: 'record', name: 'Other', fields: [] }, 'incompatible_schema'],
      [
        'a writer missing a required v1 field',
        { ...v2Json, fields: (v2Json.fields as { name: string }[]).filter((f) => f.name !== 'tenant') },
        'incompatible_schema',
      ],
      [
        'a signature field without null first',
        {
          ...v2Json,
          fields: (v2Json.fields as { name: string; type: unknown }[]).map((f) =>
            f.name === 'signature' ? { ...f, type: [(f.type as unknown[])[1], 'null'], default: undefined } : f,
          ),
        },
        'incompatible_schema',
      ],
    ])('rejects %s', (_what, schema, code) => {
      expect(codeOf(() => createWriterSchemaRegistry().register(schema))).toBe(code);
    });
  });
});
