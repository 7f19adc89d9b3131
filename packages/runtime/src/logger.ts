import type { Logger } from '@auditseal/kafka';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. Injected in tests. */
  write?: (line: string) => void;
  now?: () => Date;
}

/**
 * One JSON object per line: `time`, `level`, `service`, `ns`, `msg`, then the
 * fields. Errors are expanded (code, message, cause, details) so that evidence
 * is never reduced to "[object Object]".
 */
export function createJsonLogger(options: JsonLoggerOptions, namespace = options.service): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const record = { time: now().toISOString(), level, service: options.service, ns: namespace, msg, ...serializeFields(fields) };
    write(JSON.stringify(record, jsonReplacer));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (ns) => createJsonLogger(options, `${namespace}.${ns}`),
  };
}

function serializeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? serializeError(value) : value;
  return out;
}

export function serializeError(error: Error): Record<string, unknown> {
  const e = error as Error & { code?: unknown; details?: unknown; retriable?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.retriable !== undefined ? { retriable: e.retriable } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
    ...(e.cause instanceof Error ? { cause: serializeError(e.cause) } : e.cause !== undefined ? { cause: String(e.cause) } : {}),
  };
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/** A logger that drops everything (defined beside the Logger interface, in @auditseal/kafka). */
export { silentLogger } from '@auditseal/kafka';
