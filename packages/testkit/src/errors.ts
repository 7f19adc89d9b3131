import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

export type TestkitErrorCode =
  /** `waitFor` saw no acceptable value before its deadline. */
  | 'wait_timeout'
  /** Neither configured endpoints nor the local infrastructure are available. */
  | 'infra_unavailable'
  /** An environment variable is missing or malformed. */
  | 'env_invalid';

/** Errors raised by @auditseal/testkit. */
export class TestkitError extends AuditSealError<TestkitErrorCode> {
  constructor(code: TestkitErrorCode, message: string, options: AuditSealErrorOptions = {}) {
    super(code, message, options);
  }
}
