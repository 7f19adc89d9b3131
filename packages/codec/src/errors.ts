import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

/**
 * Why the codec refused some input.
 *
 * Decoding untrusted bytes yields one of:
 * - `too_large`: the input exceeds the configured size limit (checked before parsing);
 * - `truncated`: the input ends before the header or the body is complete;
 * - `not_single_object`: the first two bytes are not the single-object marker 0xC3 0x01;
 * - `unknown_fingerprint`: no known writer schema has the header's fingerprint;
 * - `malformed`: the body does not parse under the writer schema (bad varint, union or
 *   enum index, negative length, invalid UTF-8, duplicate map key, trailing bytes...);
 * - `long_out_of_range`: a long lies beyond ±(2^53 - 2), the range avsc reads exactly as numbers;
 * - `invalid_event` / `invalid_record`: the value decodes but breaks a semantic rule.
 *
 * Encoding and configuration yield `invalid_event` / `invalid_record` (the value breaks
 * the schema or a rule; `details.issues` lists every problem), `invalid_schema` and
 * `incompatible_schema` (a writer schema given to the registry cannot be used).
 */
export type CodecErrorCode =
  | 'too_large'
  | 'truncated'
  | 'not_single_object'
  | 'unknown_fingerprint'
  | 'malformed'
  | 'long_out_of_range'
  | 'invalid_event'
  | 'invalid_record'
  | 'invalid_schema'
  | 'incompatible_schema';

/** Every error the codec raises. Never retriable: the same bytes fail the same way. */
export class CodecError extends AuditSealError<CodecErrorCode> {
  constructor(code: CodecErrorCode, message: string, options: Omit<AuditSealErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: false });
  }
}

export function isCodecError(value: unknown): value is CodecError {
  return value instanceof CodecError;
}
