import { Type } from 'avsc';
import { CodecError } from './errors';
import { formatFingerprint } from './crc64-avro';
import { auditEventSchema, loadSchema, type LoadedSchema } from './schemas';

type Resolver = ReturnType<Type['createResolver']>;

/** A writer schema of AuditEvent the decoder accepts, ready to resolve into the v1 reader schema. */
export interface WriterSchemaEntry {
  readonly schema: LoadedSchema;
  /** Undefined for v1 itself (no resolution needed). */
  readonly resolver: Resolver | undefined;
  /** Index of the top-level `signature` field, if the writer schema has one (FORMAT.md 8.5). */
  readonly signatureFieldIndex: number | undefined;
}

/**
 * The AuditEvent writer schemas a decoder accepts, by fingerprint. v1 is always
 * there; add others (e.g. a newer version emitted by upgraded producers) before
 * decoding their events. The events are then read as v1 (Avro schema resolution:
 * fields v1 does not know are skipped, fields it has but the writer lacks take
 * their defaults).
 */
export interface WriterSchemaRegistry {
  /**
   * Accepts an AuditEvent writer schema (parsed JSON). Returns its fingerprint.
   * Throws CodecError `invalid_schema` (not a valid Avro schema, fingerprint clash)
   * or `incompatible_schema` (cannot be read as AuditEvent v1, or breaks the
   * signature rule of FORMAT.md 8.5). Registering a schema twice is a no-op.
   */
  register(schema: unknown): bigint;
  lookup(fingerprint: bigint): WriterSchemaEntry | undefined;
  fingerprints(): bigint[];
}

export function createWriterSchemaRegistry(): WriterSchemaRegistry {
  const entries = new Map<bigint, WriterSchemaEntry>();
  entries.set(auditEventSchema.fingerprint, {
    schema: auditEventSchema,
    resolver: undefined,
    signatureFieldIndex: signatureFieldIndex(auditEventSchema),
  });

  return {
    register(schema: unknown): bigint {
      if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
        throw new CodecError('invalid_schema', 'an AuditEvent writer schema must be a record schema object');
      }
      let loaded: LoadedSchema;
      try {
        loaded = loadSchema(schema as Record<string, unknown>);
      } catch (err) {
        if (err instanceof CodecError) throw err;
        throw new CodecError('invalid_schema', `avsc rejects the schema: ${(err as Error).message}`, { cause: err });
      }
      const existing = entries.get(loaded.fingerprint);
      if (existing) {
        if (existing.schema.canonicalForm === loaded.canonicalForm) return loaded.fingerprint;
        throw new CodecError('invalid_schema', `fingerprint ${formatFingerprint(loaded.fingerprint)} clashes with ${existing.schema.name}`, {
          details: { fingerprint: formatFingerprint(loaded.fingerprint) },
        });
      }
      let resolver: Resolver;
      try {
        resolver = auditEventSchema.type.createResolver(loaded.type);
      } catch (err) {
        throw new CodecError('incompatible_schema', `${loaded.name} cannot be read as ${auditEventSchema.name}: ${(err as Error).message}`, {
          cause: err,
          details: { fingerprint: formatFingerprint(loaded.fingerprint) },
        });
      }
      const entry = { schema: loaded, resolver, signatureFieldIndex: signatureFieldIndex(loaded) };
      entries.set(loaded.fingerprint, entry);
      return loaded.fingerprint;
    },
    lookup: (fingerprint) => entries.get(fingerprint),
    fingerprints: () => [...entries.keys()],
  };
}

/** The `signature` field must be a union whose first branch is null, so 0x00 encodes "no signature". */
function signatureFieldIndex(schema: LoadedSchema): number | undefined {
  if (schema.root.kind !== 'record') return undefined;
  const index = schema.root.fields.findIndex((field) => field.name === 'signature');
  if (index < 0) return undefined;
  const type = schema.root.fields[index]?.type;
  if (type?.kind !== 'union' || type.branches[0]?.kind !== 'null') {
    throw new CodecError('incompatible_schema', `${schema.name}: field "signature" must be a union with null first (FORMAT.md 8.5)`);
  }
  return index;
}

/** The registry decoders use unless given another. */
export const defaultWriterSchemas: WriterSchemaRegistry = createWriterSchemaRegistry();

/** Adds an AuditEvent writer schema to the default registry; see WriterSchemaRegistry.register. */
export function registerWriterSchema(schema: unknown): bigint {
  return defaultWriterSchemas.register(schema);
}
