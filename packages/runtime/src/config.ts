import { AuditSealError } from '@auditseal/core';
import { z } from 'zod';

export class ConfigError extends AuditSealError<'invalid_config'> {}

/**
 * Reads the environment once, through one schema (CONVENTIONS.md habit 4), and
 * fails with a message that names every bad variable and what is wrong with it.
 */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined>, service: string): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const name = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const value = name === undefined ? undefined : env[name];
    const got = value === undefined ? ' (not set)' : isSecretVariable(name!) ? ' (set; value not shown)' : ` (got ${JSON.stringify(value)})`;
    return `  - ${variable}: ${issue.message}${got}`;
  });
  throw new ConfigError('invalid_config', `${service}: invalid configuration:\n${problems.join('\n')}\nSee docs/OPERATIONS.md for every variable.`, {
    details: { issues: result.error.issues },
  });
}

/** Variables whose values never appear in an error message or a log (passwords, secret keys). */
export function isSecretVariable(name: string): boolean {
  return /PASSWORD|SECRET/.test(name);
}

/** Env helpers: every variable is a string, so these parse and bound it. */
export const env = {
  string: () => z.string().trim().min(1, 'must not be empty'),
  int: (min: number, max: number) =>
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, 'must be an integer')
      .transform(Number)
      .pipe(z.number().int().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`)),
  bool: () =>
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'must be true or false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: () =>
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
      .pipe(z.array(z.string()).min(1, 'must list at least one value')),
  logLevel: () => z.enum(['debug', 'info', 'warn', 'error']),
  /** AUDITSEAL_CLUSTER: Kafka's name alphabet, which the chain id (FORMAT.md §2) also uses. */
  clusterName: () =>
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .pipe(z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1-249 characters of [A-Za-z0-9._-] (it is part of every chain id)')),
  /** AUDITSEAL_TOPIC_PREFIX: prepended to every audit topic name; empty by default. */
  topicPrefix: () =>
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{0,200}$/, 'must be at most 200 characters of [A-Za-z0-9._-]')
      .default(''),
};
