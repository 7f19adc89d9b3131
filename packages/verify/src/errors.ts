import { AuditSealError, type AuditSealErrorOptions } from '@auditseal/core';

/**
 * Errors of @auditseal/verify. Bad data is never an error here — it is a
 * Finding. Errors are for callers passing something unusable
 * (`invalid_argument`); failures of the fetchers propagate as they are.
 */
export type VerificationErrorCode = 'invalid_argument';

export class VerificationError extends AuditSealError<VerificationErrorCode> {
  constructor(code: VerificationErrorCode, message: string, options: Omit<AuditSealErrorOptions, 'retriable'> = {}) {
    super(code, message, { ...options, retriable: false });
  }
}
