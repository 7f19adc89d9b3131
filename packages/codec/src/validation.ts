import type { Type } from 'avsc';
import type { RecordNode, SchemaNode } from './avro-schema';
import type { LoadedSchema } from './schemas';
import { createSingleObjectEncoder } from './single-object';

/** One problem with a value: where (`actor.id`, `attributes["k"]`, or `` for the whole value) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Where rule checks report a problem: an Issues list, or a FailureFlag when only the verdict matters. */
export interface IssueSink {
  add(path: readonly string[], message: string): void;
}

export class Issues implements IssueSink {
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
 * The lowest long an encoder writes (FORMAT.md §8.3). avsc writes a negative
 * long n as the zig-zag value −2n − 1 in a JavaScript number, which is odd and
 * so inexact beyond 2^53: below −2^52 the bytes decode to another number.
 * Decoders read the whole ±(2^53 − 2) exactly.
 */
export const MIN_WRITABLE_LONG = -(2 ** 52);

/**
 * A value avsc's type check cannot be trusted with, wrapped so that the check
 * rejects it. An enum value that is not one of the symbols: avsc looks enum
 * values up in a plain object, where `toString`, `constructor` or
 * `['SUCCESS']` are found as well (and then encoded as the first symbol), and
 * where an object without a `toString` throws a TypeError. A BigInt where an
 * int is expected: avsc's int check (`x === (x | 0)`) throws a TypeError on
 * it. A long below MIN_WRITABLE_LONG: avsc accepts it and writes it
 * inexactly. addTypeIssues reports the wrapped value.
 */
export class Unencodable {
  constructor(readonly value: unknown) {}

  /** What avsc's lookup sees: a key no object has. */
  toString(): string {
    return '';
  }
}

/**
 * Copies `value` into the shape avsc expects for `node`, reporting fields the
 * schema does not declare: absent optional fields (unions with null first) become
 * null, an absent map becomes {}, Uint8Arrays become Buffers (without copying),
 * enum values that are not symbols, BigInts in int fields and longs below
 * MIN_WRITABLE_LONG become Unencodable.
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
    case 'enum':
      return typeof value === 'string' && node.symbols.includes(value) ? value : new Unencodable(value);
    case 'int':
      return typeof value === 'bigint' ? new Unencodable(value) : value;
    case 'long':
      return typeof value === 'number' && value < MIN_WRITABLE_LONG ? new Unencodable(value) : value;
    default:
      return value;
  }
}

/** What a FastNormalizer returns where normalizeValue would report an unknown field. */
export const UNDECLARED: unique symbol = Symbol('undeclared field');

/** normalizeValue without the report; see compileNormalizer. */
export type FastNormalizer = (value: unknown) => unknown;

const IDENTITY: FastNormalizer = (value) => value;

/**
 * normalizeValue for the fast path of encoding, compiled once per schema: it
 * builds the same copy (same fields in the same order, the same nulls, `{}` and
 * Buffers) without paths or issue objects, and returns UNDECLARED as soon as
 * it meets a field the schema does not declare — where normalizeValue would
 * report `unknown field`. Callers then run normalizeValue for the report.
 * Like normalizeValue it copies, so that what is checked is what is encoded
 * (a getter or a Proxy cannot change a value between the check and the write).
 */
export function compileNormalizer(node: SchemaNode): FastNormalizer {
  return compileNode(node, new Map());
}

function compileNode(node: SchemaNode, compiled: Map<SchemaNode, FastNormalizer>): FastNormalizer {
  const known = compiled.get(node);
  if (known) return known;
  // A recursive schema refers back to a record being compiled: go through a late-bound indirection.
  let target: FastNormalizer = IDENTITY;
  compiled.set(node, (value) => target(value));
  target = compileFresh(node, compiled);
  compiled.set(node, target);
  return target;
}

function compileFresh(node: SchemaNode, compiled: Map<SchemaNode, FastNormalizer>): FastNormalizer {
  switch (node.kind) {
    case 'record':
      return compileRecord(node, compiled);
    case 'union': {
      const others = node.branches.filter((branch) => branch.kind !== 'null');
      if (others.length !== 1 || !others[0]) return IDENTITY;
      const inner = compileNode(others[0], compiled);
      if (inner === IDENTITY) return IDENTITY;
      return (value) => (value === null || value === undefined ? value : inner(value));
    }
    case 'map': {
      const inner = compileNode(node.values, compiled);
      return (value) => {
        if (!isPlainObject(value)) return value;
        const out: Record<string, unknown> = {};
        const keys = Object.keys(value);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const entry = inner === IDENTITY ? value[key] : inner(value[key]);
          if (entry === UNDECLARED) return UNDECLARED;
          // Assigning `__proto__` would set the prototype instead of adding the key normalizeValue adds.
          if (key === '__proto__') Object.defineProperty(out, key, { value: entry, enumerable: true, writable: true, configurable: true });
          else out[key] = entry;
        }
        return out;
      };
    }
    case 'array': {
      const inner = compileNode(node.items, compiled);
      return (value) => {
        if (!Array.isArray(value)) return value;
        const out: unknown[] = [];
        for (const item of value as unknown[]) {
          const entry = inner(item);
          if (entry === UNDECLARED) return UNDECLARED;
          out.push(entry);
        }
        return out;
      };
    }
    case 'bytes':
    case 'fixed':
      return (value) =>
        value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
    case 'enum': {
      const symbols = new Set(node.symbols);
      return (value) => (typeof value === 'string' && symbols.has(value) ? value : new Unencodable(value));
    }
    case 'int':
      return (value) => (typeof value === 'bigint' ? new Unencodable(value) : value);
    case 'long':
      return (value) => (typeof value === 'number' && value < MIN_WRITABLE_LONG ? new Unencodable(value) : value);
    default:
      return IDENTITY;
  }
}

/**
 * A record's normalizer, generated as JavaScript source so that V8 sees fixed
 * property names (monomorphic loads, one object literal of a stable shape)
 * instead of keyed accesses: this copy is the largest cost of checking an
 * event. Field names are safe to embed: analyzeSchema only accepts
 * [A-Za-z_][A-Za-z0-9_]* (Avro names).
 */
function compileRecord(node: RecordNode, compiled: Map<SchemaNode, FastNormalizer>): FastNormalizer {
  const names = node.fields.map((field) => field.name);
  // `__proto__` would set the prototype of the literal: such a record always takes the detailed path.
  if (names.some((name) => !AVRO_NAME.test(name) || name === '__proto__')) return () => UNDECLARED;
  const normalizers = node.fields.map((field) => compileNode(field.type, compiled));
  const lines: string[] = [];
  names.forEach((name, i) => {
    const type = node.fields[i]!.type;
    lines.push(`let f${i} = value.${name};`);
    // What an absent (undefined) field becomes, as normalizeValue does it.
    if (type.kind === 'union' && type.branches[0]?.kind === 'null') lines.push(`if (f${i} === undefined) f${i} = null;`);
    else if (type.kind === 'map') lines.push(`if (f${i} === undefined) f${i} = {};`);
    if (normalizers[i] !== IDENTITY) lines.push(`f${i} = n${i}(f${i});`, `if (f${i} === UNDECLARED) return UNDECLARED;`);
  });
  const body = `
    return function normalize${node.name.replace(/[^A-Za-z0-9_]/g, '_')}(value) {
      if (!isPlainObject(value)) return value;
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) if (!declared.has(keys[i])) return UNDECLARED;
      ${lines.join('\n      ')}
      return { ${names.map((name, i) => `${name}: f${i}`).join(', ')} };
    };`;
  const params = ['isPlainObject', 'declared', 'UNDECLARED', ...names.map((_, i) => `n${i}`)];
  // Generated from checked field names, see above.
  const factory = new Function(...params, body) as (...args: unknown[]) => FastNormalizer;
  return factory(isPlainObject, new Set(names), UNDECLARED, ...normalizers);
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An IssueSink that only remembers whether anything was reported (the fast path's rule checks). */
export class FailureFlag implements IssueSink {
  failed = false;

  add(): void {
    this.failed = true;
  }
}

/**
 * The fast path of an encoder (encodeValidEvent, the record codecs'
 * encodeValid): the single-object encoding when a value passes every check
 * of the detailed path — the same copy (compileNormalizer, which gives up on
 * unknown fields), avsc's type check without an error hook, the same rule
 * function with a FailureFlag, the same size limit — and undefined when any
 * fails. It allocates no paths or issue objects. A rejection is never final:
 * the caller then runs the detailed path, which decides and reports every
 * issue. `prepare` may change the copy before the checks.
 */
export function createFastEncoder<T>(
  schema: LoadedSchema,
  addRuleIssues: (value: T, issues: IssueSink) => void,
  maxScratchBytes: number,
): (value: unknown, limit: number, prepare?: (copy: T) => void) => Buffer | undefined {
  const normalize = compileNormalizer(schema.root);
  const encode = createSingleObjectEncoder(schema.type, schema.fingerprint, maxScratchBytes);
  return (value, limit, prepare) => {
    if (!isPlainObject(value)) return undefined;
    const normalized = normalize(value);
    if (normalized === UNDECLARED) return undefined;
    prepare?.(normalized as T);
    if (!schema.type.isValid(normalized)) return undefined;
    const flag = new FailureFlag();
    addRuleIssues(normalized as T, flag);
    if (flag.failed) return undefined;
    return encode(normalized, limit);
  };
}

/** Reports every path where `value` (normalized) does not fit `type`, with what was expected. */
export function addTypeIssues(type: Type, value: unknown, issues: Issues): void {
  type.isValid(value, {
    errorHook: (path: string[], wrapped: unknown, expected: Type) => {
      const actual = wrapped instanceof Unencodable ? wrapped.value : wrapped;
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
      return 'an integer from -(2^52) to 2^53 - 2';
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

// String rules (FORMAT.md 8.4). Control characters are C0, DEL and C1
// (U+0000–U+001F, U+007F–U+009F); white space is what `\s` matches; a lone
// surrogate is a high one not followed by a low one, or a low one not preceded
// by a high one. Identifiers are checked in one pass over their UTF-16 code
// units; validation.test.ts checks that pass against the rules written as
// regular expressions.

const NOT_EMPTY = 'must not be empty';
const NO_CONTROL = 'must not contain control characters';
const NO_EDGE_SPACE = 'must not start or end with white space';
const NO_NUL = 'must not contain NUL characters';
const WELL_FORMED = 'must be well-formed Unicode (no lone surrogates)';

/**
 * What is wrong with `value` as an identifier, or undefined: non-empty, no
 * control characters, no leading or trailing white space, well-formed Unicode,
 * at most `maxBytes` UTF-8 bytes — reported in that order of precedence.
 * Allocates nothing when it is fine.
 */
export function identifierProblem(value: string, maxBytes: number): string | undefined {
  const n = value.length;
  if (n === 0) return NOT_EMPTY;
  let lone = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return NO_CONTROL;
    if (c >= 0xd800 && c <= 0xdfff && !lone) {
      if (c <= 0xdbff && i + 1 < n && isLowSurrogate(value.charCodeAt(i + 1))) i++;
      else lone = true;
    }
  }
  if (isWhiteSpace(value.charCodeAt(0)) || isWhiteSpace(value.charCodeAt(n - 1))) return NO_EDGE_SPACE;
  if (lone) return WELL_FORMED;
  return byteLimitProblem(value, maxBytes);
}

/**
 * What is wrong with `value` as free text, or undefined: no NUL, well-formed
 * Unicode, at most `maxBytes` UTF-8 bytes — in that order of precedence.
 */
export function textProblem(value: string, maxBytes: number): string | undefined {
  // Native searches beat a loop over the code units for text, which tends to be longer than identifiers.
  if (value.includes('\u0000')) return NO_NUL;
  if (LONE_SURROGATE.test(value)) return WELL_FORMED;
  return byteLimitProblem(value, maxBytes);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function byteLimitProblem(value: string, maxBytes: number): string | undefined {
  // At most 3 UTF-8 bytes per UTF-16 code unit: short strings need no count.
  if (value.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > maxBytes ? `is ${bytes} UTF-8 bytes, over the ${maxBytes}-byte limit` : undefined;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The code units `\s` matches (ECMA-262 WhiteSpace and LineTerminator: Zs, TAB, VT, FF, ZWNBSP, LF, CR, LS, PS). */
export function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * An identifier (see identifierProblem). Non-string values are left to the type check.
 */
export function checkIdentifier(value: unknown, path: readonly string[], maxBytes: number, issues: IssueSink): void {
  if (typeof value !== 'string') return;
  const problem = identifierProblem(value, maxBytes);
  if (problem !== undefined) issues.add(path, problem);
}

/** Free text (see textProblem). Non-string values are left to the type check. */
export function checkText(value: unknown, path: readonly string[], maxBytes: number, issues: IssueSink): void {
  if (typeof value !== 'string') return;
  const problem = textProblem(value, maxBytes);
  if (problem !== undefined) issues.add(path, problem);
}

/** A safe integer of at least `min` (the type check rejects non-integers and unsafe ones). */
export function checkMin(value: unknown, path: readonly string[], min: number, issues: IssueSink): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value < min) issues.add(path, `must be at least ${min}`);
}

/** Byte length bounds for bytes fields. */
export function checkByteLength(value: unknown, path: readonly string[], min: number, max: number, issues: IssueSink): void {
  if (!(value instanceof Uint8Array)) return;
  if (value.length < min) issues.add(path, `must hold at least ${min} byte(s)`);
  else if (value.length > max) issues.add(path, `is ${value.length} bytes, over the ${max}-byte limit`);
}
