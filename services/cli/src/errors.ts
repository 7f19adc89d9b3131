/**
 * Exit codes (DESIGN.md "The contract"): 0 verified, 1 tampering or loss
 * found, 2 usage or environment error. Commands throw CliError for the
 * last two kinds; `hint` is printed on its own line (what to do next).
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export type CliErrorCode = 'usage' | 'environment' | 'invalid_input' | 'verification_failed';

export class CliError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = code === 'verification_failed' ? EXIT_FINDINGS : EXIT_ERROR;
  }
}

export const usageError = (message: string, hint?: string) => new CliError('usage', message, hint);

export const INFRA_HINT = 'is the local infrastructure running? `npm run infra:up`, then `eval "$(npm run -s infra:env)"`';

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
  }
  return String(error);
}
