/**
 * One error base for the whole project (CONVENTIONS.md, habit 2): a string
 * `code` callers can switch on, the `cause` that led to it (never swallowed),
 * and whether retrying the same operation could succeed.
 */
export interface AuditSealErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  /** Evidence or context worth logging with the error (offsets, keys, hashes as hex). */
  details?: Record<string, unknown>;
}

export class AuditSealError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: Code, message: string, options: AuditSealErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      details: this.details,
      cause: this.cause instanceof Error ? { name: this.cause.name, message: this.cause.message } : this.cause,
    };
  }
}

/** True for any AuditSeal error, whatever package raised it. */
export function isAuditSealError(value: unknown): value is AuditSealError {
  return value instanceof AuditSealError;
}

/** What went wrong in @auditseal/core. Every code names the input that was rejected. */
export type CoreErrorCode =
  | 'invalid_argument'
  | 'invalid_encoding'
  | 'invalid_chain_id'
  | 'invalid_entry'
  | 'invalid_hash'
  | 'invalid_seq'
  | 'invalid_timestamp'
  | 'invalid_manifest'
  | 'invalid_checkpoint'
  | 'invalid_key'
  | 'invalid_keyring'
  | 'invalid_proof';

/**
 * Errors raised by @auditseal/core. Core is pure computation over its inputs,
 * so nothing it raises is worth retrying with the same input: `retriable` is
 * always false.
 */
export class CoreError extends AuditSealError<CoreErrorCode> {
  constructor(code: CoreErrorCode, message: string, options: Omit<AuditSealErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: false });
  }
}
