import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: ParsedValues;
  positionals: string[];
}

/** node's util.parseArgs, strict, with errors turned into usage errors (exit 2) that name the command. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec, maxPositionals = 0): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(`${command}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}`, `see \`auditseal ${command} --help\``);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw usageError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`, `see \`auditseal ${command} --help\``);
  }
  return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A whole number in [min, max], or a usage error naming the flag. */
export function intOption(values: ParsedValues, name: string, range: { min: number; max: number }, fallback?: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw usageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) throw usageError(`--${name} must be between ${range.min} and ${range.max}, got ${raw}`);
  return n;
}

/** An RFC 3339 / ISO 8601 instant with an explicit zone (or a bare date, read as UTC midnight). */
export function timeOption(values: ParsedValues, name: string): Date | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(raw) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(raw);
  const date = new Date(raw);
  if (!ok || Number.isNaN(date.getTime())) throw usageError(`--${name} must be an ISO 8601 time with a zone (e.g. 2026-11-26T20:00:00Z) or a date (2026-11-26), got ${JSON.stringify(raw)}`);
  return date;
}

export function choiceOption<T extends string>(values: ParsedValues, name: string, choices: readonly T[], fallback: T): T {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw usageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
};

/** Where the archive is: a bucket (S3 flags with env fallbacks) or a local copy. */
export const ARCHIVE_OPTIONS: OptionSpec = {
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  dir: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  keyring: { type: 'string' },
};

export const ARCHIVE_HELP = `Archive location (a bucket, or a local copy of one):
  --bucket <name>        S3 bucket (env S3_BUCKET)
  --prefix <prefix>      archive key prefix (env ARCHIVE_PREFIX, default auditseal-archive)
  --dir <path>           a local copy of the bucket instead of S3 (e.g. \`aws s3 sync s3://bucket <path>\`):
                         <path>/<prefix>/v1/...
  --endpoint <url>       S3 endpoint (env S3_ENDPOINT; default AWS); credentials from
                         S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY or the AWS default chain
  --region <region>      S3 region (env S3_REGION, default us-east-1)
  --keyring <file>       the public keyring you trust (FORMAT.md §6.4). Without it the keys the
                         archive publishes under <prefix>/v1/keys/ are used, with a warning`;
