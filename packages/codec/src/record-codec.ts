import { CodecError } from './errors';
import { scanBinary } from './binary-scanner';
import type { LoadedSchema } from './schemas';
import { encodeSingleObject, readSingleObjectHeader, SINGLE_OBJECT_HEADER_BYTES, unknownFingerprint } from './single-object';
import { addTypeIssues, createFastEncoder, Issues, isPlainObject, normalizeValue, type IssueSink, type ValidationIssue } from './validation';

/**
 * Single-object encode/decode for the records AuditSeal itself writes (sealed
 * entries, manifests, checkpoints). Unlike events, these have one writer schema
 * per version and are produced by AuditSeal, so decoding checks structure and
 * representability but leaves semantic checks to the verifier, which reports
 * them with evidence; encoding enforces everything.
 *
 * Encoding first tries a fast path (`encodeValid`) that runs the same checks
 * as the detailed one — the same copy (compileNormalizer), avsc's type check,
 * the same rule function, the same size limit — without building paths or
 * issues, as encodeEvent does. When it declines, the detailed path decides
 * and reports; record-codec.test.ts checks that both make the same decision
 * and the same bytes.
 */
export interface RecordCodec<T> {
  validate(value: unknown, maxBytes?: number): ValidationIssue[];
  encode(value: T, maxBytes?: number): Buffer;
  decode(bytes: Uint8Array, maxBytes?: number): T;
}

/** The two encoding paths, exposed so that tests can show they agree. */
export interface FastPathPair {
  /** The single-object encoding when the value passes every check; undefined when any fails. */
  encodeValid(value: unknown, limit: number): Buffer | undefined;
  /** Every issue, and the Avro body when there is none. */
  detailed(value: unknown, limit: number): { issues: ValidationIssue[]; body?: Buffer };
}

export function createRecordCodec<T>(spec: {
  schema: LoadedSchema;
  /** What the record is called in messages, e.g. "sealed entry". */
  what: string;
  defaultMaxBytes: number;
  addRuleIssues(value: T, issues: IssueSink): void;
  toPlain(raw: T): T;
}): RecordCodec<T> & FastPathPair {
  const { schema, what } = spec;
  /** The single-object encoding when `value` passes every check, undefined when any fails (then `check` decides). */
  const encodeValid = createFastEncoder<T>(schema, spec.addRuleIssues, spec.defaultMaxBytes);

  function check(value: unknown, maxBytes: number): { issues: ValidationIssue[]; body?: Buffer } {
    const issues = new Issues();
    if (!isPlainObject(value)) {
      issues.add([], 'must be an object');
      return { issues: issues.list };
    }
    const normalized = normalizeValue(schema.root, value, [], issues) as T;
    addTypeIssues(schema.type, normalized, issues);
    spec.addRuleIssues(normalized, issues);
    if (issues.list.length > 0) return { issues: issues.list };
    const body = schema.type.toBuffer(normalized);
    const size = SINGLE_OBJECT_HEADER_BYTES + body.length;
    if (size > maxBytes) {
      issues.add([], `encodes to ${size} bytes, over the ${maxBytes}-byte limit`);
      return { issues: issues.list };
    }
    return { issues: [], body };
  }

  function limitOf(maxBytes: number | undefined): number {
    const limit = maxBytes ?? spec.defaultMaxBytes;
    if (!Number.isSafeInteger(limit) || limit < SINGLE_OBJECT_HEADER_BYTES) {
      throw new RangeError(`maxBytes must be an integer of at least ${SINGLE_OBJECT_HEADER_BYTES}, got ${limit}`);
    }
    return limit;
  }

  return {
    validate: (value, maxBytes) => check(value, limitOf(maxBytes)).issues,

    encodeValid,
    detailed: check,

    encode(value, maxBytes) {
      const limit = limitOf(maxBytes);
      const fast = encodeValid(value, limit);
      if (fast) return fast;
      const { issues, body } = check(value, limit);
      if (!body) {
        const summary = issues.slice(0, 5).map((issue) => `${issue.path || `(${what})`} ${issue.message}`).join('; ');
        throw new CodecError('invalid_record', `cannot encode the ${what}: ${summary}`, { details: { issues } });
      }
      return encodeSingleObject(schema.fingerprint, body);
    },

    // Decodes UNTRUSTED bytes: only CodecError escapes, in time linear in the input.
    decode(bytes, maxBytes) {
      const limit = limitOf(maxBytes);
      try {
        if (!(bytes instanceof Uint8Array)) throw new CodecError('not_single_object', 'input is not a byte array');
        const { fingerprint, bodyOffset } = readSingleObjectHeader(bytes, limit);
        if (fingerprint !== schema.fingerprint) throw unknownFingerprint(fingerprint, schema.name, schema.fingerprint);
        scanBinary(schema.root, bytes, bodyOffset, limit);
        const body = Buffer.from(bytes.buffer, bytes.byteOffset + bodyOffset, bytes.length - bodyOffset);
        return spec.toPlain(schema.type.fromBuffer(body) as T);
      } catch (err) {
        if (err instanceof CodecError) throw err;
        throw new CodecError('malformed', `${what} does not decode: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }
    },
  };
}
