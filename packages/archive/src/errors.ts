import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

/**
 * Why the archive package refused something.
 *
 * Reading untrusted bytes (a segment, manifest, checkpoint or key from a bucket or a disk):
 * - `too_large`: the input exceeds the reader's size limit (checked before parsing);
 * - `truncated`: the bytes end inside the header, a block or a record;
 * - `malformed`: anything else that does not parse (bad magic, varint, length, UTF-8,
 *   union or enum index, sync marker, compressed block, JSON, field type);
 * - `unsupported`: well-formed but not something this version reads (another schema,
 *   an Avro codec other than deflate/null, another manifest format);
 * - `bad_signature`: a manifest or checkpoint signature does not verify.
 *
 * Writing and storage:
 * - `conflict`: put-once found a DIFFERENT object at the key (both SHA-256s in details);
 * - `object_lock_disabled`: the bucket has no Object Lock configuration;
 * - `storage_error`: the store failed (network, permissions, 5xx); `retriable` says whether to retry;
 * - `invalid_argument`: a caller passed something unusable (a programmer error).
 */
export type ArchiveErrorCode =
  | 'too_large'
  | 'truncated'
  | 'malformed'
  | 'unsupported'
  | 'bad_signature'
  | 'conflict'
  | 'object_lock_disabled'
  | 'storage_error'
  | 'invalid_argument';

export class ArchiveError extends AuditSealError<ArchiveErrorCode> {
  constructor(code: ArchiveErrorCode, message: string, options: AuditSealErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isArchiveError(value: unknown): value is ArchiveError {
  return value instanceof ArchiveError;
}
