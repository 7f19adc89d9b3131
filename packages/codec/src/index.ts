// @auditseal/codec: Avro schemas of AuditSeal (schemas/*.avsc), single-object
// encoding, writer-schema resolution, validation. Formats: docs/FORMAT.md §8–9.
export { CodecError, isCodecError, type CodecErrorCode } from './errors';
export { crc64Avro, formatFingerprint } from './crc64-avro';
export { parsingCanonicalForm, schemaFingerprint } from './avro-schema';
export {
  SINGLE_OBJECT_MARKER,
  SINGLE_OBJECT_HEADER_BYTES,
  singleObjectHeader,
  encodeSingleObject,
  readSingleObjectHeader,
} from './single-object';
export type { ValidationIssue } from './validation';
export { uuidv7, isUuidV7, uuidV7Timestamp, createUuidV7Generator, type UuidV7Generator } from './uuidv7';
export {
  type AuditEvent,
  type Actor,
  type ActorType,
  type Target,
  type Outcome,
  type AuditSource,
  type ProducerSignature,
  type EventCodecOptions,
  type DecodeEventOptions,
  type DecodedEvent,
  EVENT_LIMITS,
  validateEvent,
  encodeEvent,
  eventSigningBytes,
  decodeEvent,
  decodeEventDetailed,
} from './audit-event';
export {
  type WriterSchemaRegistry,
  type WriterSchemaEntry,
  createWriterSchemaRegistry,
  registerWriterSchema,
  defaultWriterSchemas,
} from './writer-registry';
export {
  type SealedEntry,
  type EntryKind,
  type RejectReason,
  SEALED_ENTRY_LIMITS,
  validateSealedEntry,
  encodeSealedEntry,
  decodeSealedEntry,
  rejectReasonFor,
  SOURCE_TIMESTAMP_RANGE,
  sourceTimestampOf,
} from './sealed-entry';
export {
  type SegmentManifestRecord,
  ARCHIVE_RECORD_LIMITS,
  validateSegmentManifestRecord,
  encodeSegmentManifestRecord,
  decodeSegmentManifestRecord,
} from './segment-manifest';
export { toCoreEntry, wireRejectReason } from './entry-mapping';
export { type CheckpointRecord, validateCheckpointRecord, encodeCheckpointRecord, decodeCheckpointRecord } from './checkpoint';

import type { CodecSchema } from './schemas';
import { auditEventSchema, checkpointSchema, sealedEntrySchema, segmentManifestSchema } from './schemas';
export type { CodecSchema };
/** The v1 schemas: JSON, avsc Type (e.g. for object container files), canonical form, fingerprint. */
export const schemas: {
  readonly auditEvent: CodecSchema;
  readonly sealedEntry: CodecSchema;
  readonly segmentManifest: CodecSchema;
  readonly checkpoint: CodecSchema;
} = Object.freeze({
  auditEvent: auditEventSchema,
  sealedEntry: sealedEntrySchema,
  segmentManifest: segmentManifestSchema,
  checkpoint: checkpointSchema,
});
