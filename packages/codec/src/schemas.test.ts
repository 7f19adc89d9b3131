import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsingCanonicalForm } from './avro-schema';
import { formatFingerprint } from './crc64-avro';
import { auditEventSchema, checkpointSchema, sealedEntrySchema, segmentManifestSchema } from './schemas';
import * as generated from './schemas.generated';
import { readJson, REPO_ROOT, SCHEMAS_DIR } from './__fixtures__/records';

const loaded = [auditEventSchema, sealedEntrySchema, segmentManifestSchema, checkpointSchema];

describe('schemas.generated', () => {
  it('holds exactly the schemas/*.avsc files (run `pnpm --filter @auditseal/codec generate` when this fails)', () => {
    const files = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.avsc')).sort();
    expect(files).toEqual(['audit-event.v1.avsc', 'checkpoint.v1.avsc', 'sealed-entry.v1.avsc', 'segment-manifest.v1.avsc']);
    const byFile: Record<string, unknown> = {
      'audit-event.v1.avsc': generated.auditEventSchemaV1,
      'sealed-entry.v1.avsc': generated.sealedEntrySchemaV1,
      'segment-manifest.v1.avsc': generated.segmentManifestSchemaV1,
      'checkpoint.v1.avsc': generated.checkpointSchemaV1,
    };
    for (const file of files) {
      expect(byFile[file]).toEqual(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')));
    }
  });
});

describe('v1 schemas', () => {
  it('have the fingerprints recorded in schemas/vectors/avro-fingerprints.json', () => {
    const recorded = readJson<{ auditseal: { name: string; file: string; canonical: string; fingerprint: string }[] }>(
      'schemas',
      'vectors',
      'avro-fingerprints.json',
    ).auditseal;
    expect(recorded.map((r) => r.name)).toEqual(loaded.map((s) => s.name));
    for (const [i, schema] of loaded.entries()) {
      const vector = recorded[i]!;
      expect(parsingCanonicalForm(JSON.parse(readFileSync(join(REPO_ROOT, vector.file), 'utf8')))).toBe(vector.canonical);
      expect(schema.canonicalForm).toBe(vector.canonical);
      expect(formatFingerprint(schema.fingerprint)).toBe(vector.fingerprint);
    }
  });

  it('agree with avsc on the canonical form', () => {
    for (const schema of loaded) expect(JSON.stringify(schema.type.schema())).toBe(schema.canonicalForm);
  });

  it('document every field and every named type', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((branch, i) => visit(branch, `${where}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      if (['record', 'enum', 'fixed'].includes(obj.type as string) && typeof obj.doc !== 'string') undocumented.push(`${where} (${String(obj.name)})`);
      for (const field of (obj.fields as Record<string, unknown>[] | undefined) ?? []) {
        if (typeof field.doc !== 'string' || field.doc === '') undocumented.push(`${where}.${String(field.name)}`);
        visit(field.type, `${where}.${String(field.name)}`);
      }
      visit(obj.items, `${where}[]`);
      visit(obj.values, `${where}{}`);
    };
    for (const schema of loaded) visit(schema.json, schema.name);
    expect(undocumented).toEqual([]);
  });

  it('make every optional field a union with null first and a null default', () => {
    for (const schema of loaded) {
      for (const field of (schema.json.fields as { name: string; type: unknown; default?: unknown }[]) ?? []) {
        if (Array.isArray(field.type)) {
          expect([field.name, field.type[0], field.default]).toEqual([field.name, 'null', null]);
        }
      }
    }
  });
});
