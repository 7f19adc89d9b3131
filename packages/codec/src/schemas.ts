import { Type } from 'avsc';
import { analyzeSchema, type SchemaNode } from './avro-schema';
import { crc64Avro } from './crc64-avro';
import { auditEventSchemaV1, checkpointSchemaV1, sealedEntrySchemaV1, segmentManifestSchemaV1 } from './schemas.generated';

/** A schema this package knows: its JSON (as in schemas/*.avsc), the avsc Type, canonical form and fingerprint. */
export interface CodecSchema {
  /** Full name, e.g. dev.auditseal.v1.AuditEvent. */
  readonly name: string;
  /** The schema as written in schemas/*.avsc, docs included. */
  readonly json: Readonly<Record<string, unknown>>;
  /** avsc type for plain Avro binary (and object container files). Longs are JavaScript numbers. */
  readonly type: Type;
  /** Parsing Canonical Form (Avro specification). */
  readonly canonicalForm: string;
  /** CRC-64-AVRO of the canonical form, as written little-endian in single-object headers. */
  readonly fingerprint: bigint;
}

/** Internal: a schema plus the parse tree the bounded scanner walks. */
export interface LoadedSchema extends CodecSchema {
  readonly root: SchemaNode;
}

export function loadSchema(json: Record<string, unknown>, type: Type = Type.forSchema(json as never)): LoadedSchema {
  const { canonical, root } = analyzeSchema(json);
  return {
    name: root.kind === 'record' ? root.name : String(json.type),
    json,
    type,
    canonicalForm: canonical,
    fingerprint: crc64Avro(Buffer.from(canonical, 'utf8')),
    root,
  };
}

export const auditEventSchema: LoadedSchema = loadSchema(auditEventSchemaV1);
export const sealedEntrySchema: LoadedSchema = loadSchema(sealedEntrySchemaV1);
export const segmentManifestSchema: LoadedSchema = loadSchema(segmentManifestSchemaV1);
export const checkpointSchema: LoadedSchema = loadSchema(checkpointSchemaV1);
