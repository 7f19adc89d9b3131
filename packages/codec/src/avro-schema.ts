import { crc64Avro } from './crc64-avro';
import { CodecError } from './errors';

/**
 * Avro schemas reduced to what parsing binary data needs: the Parsing Canonical
 * Form (Avro specification, "Parsing Canonical Form for Schemas") and a tree of
 * nodes the bounded binary scanner walks (binary-scanner.ts).
 *
 * The transformation rules implemented here, in the specification's words:
 * [PRIMITIVES] primitive schemas in their simple form ("int", not {"type":"int"});
 * [FULLNAMES] names replaced by fullnames, namespace attributes dropped;
 * [STRIP] only type, name, fields, symbols, items, values, size kept (doc, aliases,
 * default, order, logicalType... dropped); [ORDER] attributes in that order;
 * [STRINGS] no escapes; [INTEGERS] sizes as plain integers; [WHITESPACE] none.
 */

export type SchemaNode =
  | { kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string' }
  | { kind: 'fixed'; name: string; size: number }
  | { kind: 'enum'; name: string; symbols: readonly string[] }
  | { kind: 'array'; items: SchemaNode }
  | { kind: 'map'; values: SchemaNode }
  | { kind: 'union'; branches: SchemaNode[] }
  | RecordNode;

export interface RecordNode {
  kind: 'record';
  name: string;
  fields: { name: string; type: SchemaNode }[];
}

export interface AnalyzedSchema {
  /** Parsing Canonical Form, the text the fingerprint is computed over. */
  canonical: string;
  root: SchemaNode;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_SCHEMA_DEPTH = 100;

type NamedNode = Extract<SchemaNode, { name: string }>;

/** The Parsing Canonical Form of a schema given as parsed JSON (e.g. `JSON.parse` of an .avsc file). */
export function parsingCanonicalForm(schema: unknown): string {
  return analyzeSchema(schema).canonical;
}

/** Canonical form and parse tree of a schema given as parsed JSON. Throws CodecError `invalid_schema`. */
export function analyzeSchema(schema: unknown): AnalyzedSchema {
  const named = new Map<string, NamedNode>();
  const [canonical, root] = analyze(schema, '', named, 0);
  return { canonical, root };
}

function invalid(message: string): CodecError {
  return new CodecError('invalid_schema', message);
}

function analyze(schema: unknown, namespace: string, named: Map<string, NamedNode>, depth: number): [string, SchemaNode] {
  if (depth > MAX_SCHEMA_DEPTH) throw invalid(`schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return [JSON.stringify(schema), { kind: schema } as SchemaNode];
    return reference(schema, namespace, named);
  }
  if (Array.isArray(schema)) {
    const parts: string[] = [];
    const branches: SchemaNode[] = [];
    for (const branch of schema) {
      if (Array.isArray(branch)) throw invalid('a union may not directly contain a union');
      const [text, node] = analyze(branch, namespace, named, depth + 1);
      parts.push(text);
      branches.push(node);
    }
    return [`[${parts.join(',')}]`, { kind: 'union', branches }];
  }
  if (schema === null || typeof schema !== 'object') throw invalid(`not a schema: ${JSON.stringify(schema)}`);

  const obj = schema as Record<string, unknown>;
  const type = obj.type;
  if (Array.isArray(type) || (type !== null && typeof type === 'object')) {
    return analyze(type, namespace, named, depth + 1);
  }
  if (typeof type !== 'string') throw invalid('schema object without a "type" string');
  if (PRIMITIVES.has(type)) return [JSON.stringify(type), { kind: type } as SchemaNode];

  switch (type) {
    case 'record':
    case 'error': {
      const { fullName, ownNamespace } = defineName(obj, namespace, named);
      const node: RecordNode = { kind: 'record', name: fullName, fields: [] };
      named.set(fullName, node);
      if (!Array.isArray(obj.fields)) throw invalid(`record ${fullName} has no "fields" array`);
      const seen = new Set<string>();
      const parts: string[] = [];
      for (const field of obj.fields as unknown[]) {
        if (field === null || typeof field !== 'object') throw invalid(`record ${fullName} has a field that is not an object`);
        const { name, type: fieldType } = field as Record<string, unknown>;
        if (typeof name !== 'string' || !NAME.test(name)) throw invalid(`record ${fullName} has a field with an invalid name`);
        if (seen.has(name)) throw invalid(`record ${fullName} declares field ${name} twice`);
        seen.add(name);
        const [text, fieldNode] = analyze(fieldType, ownNamespace, named, depth + 1);
        node.fields.push({ name, type: fieldNode });
        parts.push(`{"name":${JSON.stringify(name)},"type":${text}}`);
      }
      return [`{"name":${JSON.stringify(fullName)},"type":${JSON.stringify(type)},"fields":[${parts.join(',')}]}`, node];
    }
    case 'enum': {
      const { fullName } = defineName(obj, namespace, named);
      const symbols = obj.symbols;
      if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string' || !NAME.test(s))) {
        throw invalid(`enum ${fullName} needs "symbols", an array of names`);
      }
      if (new Set(symbols).size !== symbols.length) throw invalid(`enum ${fullName} repeats a symbol`);
      const node: SchemaNode = { kind: 'enum', name: fullName, symbols: [...(symbols as string[])] };
      named.set(fullName, node);
      return [`{"name":${JSON.stringify(fullName)},"type":"enum","symbols":${JSON.stringify(symbols)}}`, node];
    }
    case 'fixed': {
      const { fullName } = defineName(obj, namespace, named);
      const size = parseSize(obj.size);
      if (size === undefined) throw invalid(`fixed ${fullName} needs a non-negative integer "size"`);
      const node: SchemaNode = { kind: 'fixed', name: fullName, size };
      named.set(fullName, node);
      return [`{"name":${JSON.stringify(fullName)},"type":"fixed","size":${size}}`, node];
    }
    case 'array': {
      const [text, items] = analyze(obj.items, namespace, named, depth + 1);
      return [`{"type":"array","items":${text}}`, { kind: 'array', items }];
    }
    case 'map': {
      const [text, values] = analyze(obj.values, namespace, named, depth + 1);
      return [`{"type":"map","values":${text}}`, { kind: 'map', values }];
    }
    default:
      // {"type": "some.Name"} refers to a named type defined earlier.
      return reference(type, namespace, named);
  }
}

/** [INTEGERS]: sizes may be written as numbers or (leniently) as digit strings. */
function parseSize(size: unknown): number | undefined {
  if (typeof size === 'number') return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  if (typeof size === 'string' && /^[0-9]+$/.test(size)) return parseSize(Number(size));
  return undefined;
}

function defineName(obj: Record<string, unknown>, enclosing: string, named: Map<string, NamedNode>) {
  const { name, namespace } = obj;
  if (typeof name !== 'string' || name === '') throw invalid('named type without a "name"');
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') throw invalid(`namespace of ${name} is not a string`);
  let fullName: string;
  let ownNamespace: string;
  if (name.includes('.')) {
    fullName = name;
    ownNamespace = name.slice(0, name.lastIndexOf('.'));
  } else {
    ownNamespace = typeof namespace === 'string' ? namespace : enclosing;
    fullName = ownNamespace === '' ? name : `${ownNamespace}.${name}`;
  }
  if (!fullName.split('.').every((part) => NAME.test(part))) throw invalid(`invalid name: ${fullName}`);
  if (PRIMITIVES.has(fullName)) throw invalid(`a named type may not be called ${fullName}`);
  if (named.has(fullName)) throw invalid(`type ${fullName} is defined twice`);
  return { fullName, ownNamespace };
}

function reference(name: string, namespace: string, named: Map<string, NamedNode>): [string, SchemaNode] {
  // A short name is looked up in the enclosing namespace, then in the null namespace.
  const candidates = name.includes('.') || namespace === '' ? [name] : [`${namespace}.${name}`, name];
  for (const candidate of candidates) {
    const node = named.get(candidate);
    if (node) return [JSON.stringify(candidate), node];
  }
  throw invalid(`unknown type: ${name}`);
}

/** CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form (what single-object headers carry). */
export function schemaFingerprint(schema: unknown): bigint {
  return crc64Avro(Buffer.from(parsingCanonicalForm(schema), 'utf8'));
}
