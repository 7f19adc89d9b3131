import type { Type } from 'avsc';
import type { SchemaNode } from './avro-schema';

/** One problem with a value: where (`actor.id`, `attributes["k"]`, or `` for the whole value) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class Issues {
  readonly list: ValidationIssue[] = [];

  add(path: readonly string[], message: string): void {
    this.list.push({ path: formatPath(path), message });
  }

  has(path: readonly string[]): boolean {
    const formatted = formatPath(path);
    return this.list.some((issue) => issue.path === formatted);
  }
}

const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const segment of path) {
    if (PLAIN_SEGMENT.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * Copies `value` into the shape avsc expects for `node`, reporting fields the
 * schema does not declare: absent optional fields (unions with null first) become
 * null, an absent map becomes {}, Uint8Arrays become Buffers (without copying).
 * Anything else is left for avsc's type check to report.
 */
export function normalizeValue(node: SchemaNode, value: unknown, path: string[], issues: Issues): unknown {
  switch (node.kind) {
    case 'record': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      const declared = new Set(node.fields.map((field) => field.name));
      for (const key of Object.keys(value)) {
        if (!declared.has(key)) issues.add([...path, key], 'unknown field');
      }
      for (const field of node.fields) {
        let fieldValue = value[field.name];
        if (fieldValue === undefined) {
          if (field.type.kind === 'union' && field.type.branches[0]?.kind === 'null') fieldValue = null;
          else if (field.type.kind === 'map') fieldValue = {};
        }
        out[field.name] = normalizeValue(field.type, fieldValue, [...path, field.name], issues);
      }
      return out;
    }
    case 'union': {
      if (value === null || value === undefined) return value;
      const others = node.branches.filter((branch) => branch.kind !== 'null');
      return others.length === 1 && others[0] ? normalizeValue(others[0], value, path, issues) : value;
    }
    case 'map': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        Object.defineProperty(out, key, {
          value: normalizeValue(node.values, entry, [...path, key], issues),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item, i) => normalizeValue(node.items, item, [...path, String(i)], issues)) : value;
    case 'bytes':
    case 'fixed':
      return value instanceof Uint8Array && !Buffer.isBuffer(value)
        ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
        : value;
    default:
      return value;
  }
}

/** Reports every path where `value` (normalized) does not fit `type`, with what was expected. */
export function addTypeIssues(type: Type, value: unknown, issues: Issues): void {
  type.isValid(value, {
    errorHook: (path: string[], actual: unknown, expected: Type) => {
      const got = describeValue(actual);
      issues.add(path, actual === undefined ? `is required: expected ${describeType(expected)}` : `expected ${describeType(expected)}, got ${got}`);
    },
  });
}

function describeType(type: Type): string {
  const t = type as Type & { types?: Type[]; symbols?: string[]; size?: number };
  switch (type.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'a boolean';
    case 'int':
      return 'a 32-bit integer';
    case 'long':
      return 'an integer within ±(2^53 - 2)';
    case 'float':
    case 'double':
      return 'a number';
    case 'string':
      return 'a string';
    case 'bytes':
      return 'bytes (Buffer or Uint8Array)';
    case 'fixed':
      return `exactly ${t.size} bytes (Buffer or Uint8Array)`;
    case 'enum':
      return `one of ${(t.symbols ?? []).join(', ')}`;
    case 'map':
      return 'an object (map)';
    case 'array':
      return 'an array';
    case 'record':
    case 'error':
      return 'an object';
    default:
      return t.types ? t.types.map(describeType).join(' or ') : type.typeName;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'number') return Number.isInteger(value) ? `${value}` : `the number ${value}`;
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  return typeof value;
}

// String rules (FORMAT.md 8.4).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EDGE_SPACE = /^\s|\s$/;

/**
 * An identifier: non-empty, at most `maxBytes` UTF-8 bytes, no control characters
 * (C0, DEL, C1), no leading or trailing white space, well-formed Unicode.
 * Non-string values are left to the type check.
 */
export function checkIdentifier(value: unknown, path: string[], maxBytes: number, issues: Issues): void {
  if (typeof value !== 'string') return;
  if (value === '') return issues.add(path, 'must not be empty');
  if (CONTROL.test(value)) return issues.add(path, 'must not contain control characters');
  if (EDGE_SPACE.test(value)) return issues.add(path, 'must not start or end with white space');
  checkText(value, path, maxBytes, issues);
}

/** Free text: at most `maxBytes` UTF-8 bytes, no NUL, well-formed Unicode. */
export function checkText(value: unknown, path: string[], maxBytes: number, issues: Issues): void {
  if (typeof value !== 'string') return;
  if (value.includes('\u0000')) return issues.add(path, 'must not contain NUL characters');
  if (LONE_SURROGATE.test(value)) return issues.add(path, 'must be well-formed Unicode (no lone surrogates)');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) issues.add(path, `is ${bytes} UTF-8 bytes, over the ${maxBytes}-byte limit`);
}

/** A safe integer of at least `min` (the type check rejects non-integers and unsafe ones). */
export function checkMin(value: unknown, path: string[], min: number, issues: Issues): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value < min) issues.add(path, `must be at least ${min}`);
}

/** Byte length bounds for bytes fields. */
export function checkByteLength(value: unknown, path: string[], min: number, max: number, issues: Issues): void {
  if (!(value instanceof Uint8Array)) return;
  if (value.length < min) issues.add(path, `must hold at least ${min} byte(s)`);
  else if (value.length > max) issues.add(path, `is ${value.length} bytes, over the ${max}-byte limit`);
}
