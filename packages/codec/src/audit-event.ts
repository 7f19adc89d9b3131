import { isIP } from 'node:net';
import { readEventFast } from './audit-event-reader';
import { scanBinary } from './binary-scanner';
import { CodecError } from './errors';
import { formatFingerprint } from './crc64-avro';
import { auditEventSchema } from './schemas';
import {
  encodeSingleObject,
  readSingleObjectHeader,
  SINGLE_OBJECT_HEADER_BYTES,
  unknownFingerprint,
} from './single-object';
import { isUuidV7 } from './uuidv7';
import {
  addTypeIssues,
  checkByteLength,
  checkIdentifier,
  checkText,
  createFastEncoder,
  identifierProblem,
  Issues,
  isPlainObject,
  normalizeValue,
  textProblem,
  type IssueSink,
  type ValidationIssue,
} from './validation';
import { defaultWriterSchemas, type WriterSchemaRegistry } from './writer-registry';

/** Documented vocabulary for `actor.type`; other lower_snake_case values are accepted. */
export type ActorType = 'user' | 'service' | 'system' | 'api_key' | 'anonymous';

export interface Actor {
  /** See ActorType for the vocabulary. */
  type: ActorType | (string & {});
  id: string;
  displayName?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface Target {
  type: string;
  id: string;
  name?: string | null;
}

export type Outcome = 'SUCCESS' | 'FAILURE' | 'DENIED' | 'UNKNOWN';

export interface AuditSource {
  service: string;
  instance: string;
  region?: string | null;
}

export interface ProducerSignature {
  keyId: string;
  /** Ed25519 signature over the event's signing bytes (FORMAT.md 8.5). */
  value: Uint8Array;
}

/**
 * An audit event (schemas/audit-event.v1.avsc). Optional fields may be omitted
 * when encoding; decoded events carry every field (null when absent) and Buffers
 * for bytes. Times are JavaScript numbers: exact up to 2^53, i.e. until the year
 * 2255 for microseconds.
 */
export interface AuditEvent {
  /** UUIDv7, canonical lowercase text; see uuidv7(). */
  eventId: string;
  /** Microseconds since the Unix epoch (UTC). */
  eventTime: number;
  tenant: string;
  actor: Actor;
  /** Dotted verb phrase, e.g. `invoice.approve`. */
  action: string;
  target: Target;
  outcome: Outcome;
  outcomeReason?: string | null;
  source: AuditSource;
  correlationId?: string | null;
  traceId?: string | null;
  attributes?: Record<string, string>;
  payload?: Uint8Array | null;
  signature?: ProducerSignature | null;
}

/** Limits on events (FORMAT.md 8.4). String sizes are UTF-8 bytes. */
export const EVENT_LIMITS = Object.freeze({
  /** Whole single-object encoding, header included; the default of `maxEventBytes`. */
  maxEventBytes: 256 * 1024,
  /** tenant, actor.type/id, action, target.type/id, source.*, correlationId, traceId, signature.keyId. */
  maxIdentifierBytes: 256,
  /** actor.displayName, actor.userAgent, target.name. */
  maxTextBytes: 1024,
  maxOutcomeReasonBytes: 4096,
  maxAttributes: 64,
  maxAttributeKeyBytes: 128,
  maxAttributeValueBytes: 4096,
  maxSignatureBytes: 512,
  /** eventTime lower bound, inclusive: 2000-01-01T00:00:00Z in microseconds. */
  minEventTimeMicros: Date.UTC(2000, 0, 1) * 1000,
  /** eventTime upper bound, exclusive: 2100-01-01T00:00:00Z in microseconds. */
  maxEventTimeMicros: Date.UTC(2100, 0, 1) * 1000,
});

export interface EventCodecOptions {
  /** Largest accepted single-object encoding in bytes. Default EVENT_LIMITS.maxEventBytes (256 KiB). */
  maxEventBytes?: number;
}

export interface DecodeEventOptions extends EventCodecOptions {
  /** Writer schemas to accept. Default: the registry registerWriterSchema() adds to. */
  registry?: WriterSchemaRegistry;
  /** Apply the semantic rules of FORMAT.md 8.4 (default true). False still rejects anything that does not decode. */
  validate?: boolean;
}

export interface DecodedEvent {
  /** The event, read as v1 whatever version wrote it. */
  event: AuditEvent;
  /** Fingerprint of the writer schema from the header. */
  writerFingerprint: bigint;
  /**
   * The bytes the producer signature covers (FORMAT.md 8.5): the input with the
   * encoding of its `signature` field replaced by 0x00. Null for unsigned events.
   */
  signedBytes: Buffer | null;
}

/**
 * Every problem with `value` as an AuditEvent: type mismatches and unknown fields
 * (from the schema), then the rules of FORMAT.md 8.4, then the encoded size.
 * Empty when `value` can be encoded.
 */
export function validateEvent(value: unknown, options: EventCodecOptions = {}): ValidationIssue[] {
  const limit = maxEventBytes(options);
  if (encodeValidEvent(value, limit) !== undefined) return [];
  return checkEvent(value, limit).issues;
}

/**
 * The event in Avro single-object encoding with the v1 schema, ready for
 * audit.events. Throws CodecError `invalid_event` listing every issue.
 */
export function encodeEvent(event: AuditEvent, options: EventCodecOptions = {}): Buffer {
  const limit = maxEventBytes(options);
  const encoded = encodeValidEvent(event, limit);
  if (encoded !== undefined) return encoded;
  const { issues, body } = checkEvent(event, limit);
  if (!body) throw invalidEvent(issues, 'cannot encode the event');
  return encodeSingleObject(auditEventSchema.fingerprint, body);
}

/**
 * The bytes a producer signs (FORMAT.md 8.5): the event's encoding with
 * `signature` null. Sign them, set `signature`, then encodeEvent().
 */
export function eventSigningBytes(event: AuditEvent, options: EventCodecOptions = {}): Buffer {
  const encoded = encodeValidEvent(event, maxEventBytes(options), true);
  if (encoded !== undefined) return encoded;
  const unsigned = isPlainObject(event) ? { ...event, signature: null } : event;
  return encodeEvent(unsigned, options);
}

/** Decodes an event from audit.events; see decodeEventDetailed. */
export function decodeEvent(bytes: Uint8Array, options: DecodeEventOptions = {}): AuditEvent {
  return decodeEventDetailed(bytes, options).event;
}

/**
 * Decodes UNTRUSTED bytes (a record value from audit.events) into a v1 event.
 *
 * Order of checks: size limit (`too_large`), marker (`not_single_object`), header
 * length (`truncated`), writer fingerprint (`unknown_fingerprint`), a bounded walk
 * of the body under the writer schema (`truncated`, `malformed`,
 * `long_out_of_range`), resolution into v1, then the semantic rules
 * (`invalid_event`). Throws only CodecError, in time linear in the input.
 * Events written with v1 itself are read by a hand-written reader first
 * (audit-event-reader.ts), which accepts no more than the walk and avsc and
 * reads the same event; whatever it declines takes the path above.
 */
export function decodeEventDetailed(bytes: Uint8Array, options: DecodeEventOptions = {}): DecodedEvent {
  return decodeChecked(bytes, options, true);
}

/** decodeEventDetailed without the fast reader of v1 (audit-event-reader.ts). Exported for tests (audit-event-reader.test.ts); use decodeEventDetailed. */
export function decodeEventWithoutFastPath(bytes: Uint8Array, options: DecodeEventOptions = {}): DecodedEvent {
  return decodeChecked(bytes, options, false);
}

function decodeChecked(bytes: Uint8Array, options: DecodeEventOptions, fastPath: boolean): DecodedEvent {
  const limit = maxEventBytes(options);
  try {
    return decodeUntrusted(bytes, limit, options, fastPath);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError('malformed', `event does not decode: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

function decodeUntrusted(bytes: Uint8Array, limit: number, options: DecodeEventOptions, fastPath: boolean): DecodedEvent {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('not_single_object', 'input is not a byte array');
  const registry = options.registry ?? defaultWriterSchemas;
  const { fingerprint, bodyOffset } = readSingleObjectHeader(bytes, limit);
  const writer = registry.lookup(fingerprint);
  if (!writer) throw unknownFingerprint(fingerprint, 'AuditEvent');

  // v1 itself: the hand-written reader first; when it declines, the scan and avsc decide and name the error.
  const fast = fastPath && !writer.resolver && writer.schema.canonicalForm === auditEventSchema.canonicalForm ? readEventFast(bytes, bodyOffset) : undefined;
  let event: AuditEvent;
  let span: [number, number] | undefined;
  if (fast) {
    event = fast.event;
    span = fast.signatureSpan;
  } else {
    const { fieldSpans } = scanBinary(writer.schema.root, bytes, bodyOffset, limit);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset + bodyOffset, bytes.length - bodyOffset);
    const raw: unknown = writer.resolver ? auditEventSchema.type.fromBuffer(body, writer.resolver) : auditEventSchema.type.fromBuffer(body);
    event = toPlainEvent(raw as AuditEvent);
    span = writer.signatureFieldIndex === undefined ? undefined : fieldSpans[writer.signatureFieldIndex];
  }

  if (options.validate !== false) {
    const issues = new Issues();
    addEventRuleIssues(event, issues);
    if (issues.list.length > 0) throw invalidEvent(issues.list, 'event breaks the rules of FORMAT.md 8.4', fingerprint);
  }

  let signedBytes: Buffer | null = null;
  if (event.signature && span) {
    const [start, end] = span;
    signedBytes = Buffer.concat([bytes.subarray(0, start), Buffer.of(0x00), bytes.subarray(end)]);
  }
  return { event, writerFingerprint: fingerprint, signedBytes };
}

function maxEventBytes(options: EventCodecOptions): number {
  const limit = options.maxEventBytes ?? EVENT_LIMITS.maxEventBytes;
  if (!Number.isSafeInteger(limit) || limit < SINGLE_OBJECT_HEADER_BYTES) {
    throw new RangeError(`maxEventBytes must be an integer of at least ${SINGLE_OBJECT_HEADER_BYTES}, got ${limit}`);
  }
  return limit;
}

function invalidEvent(issues: ValidationIssue[], what: string, fingerprint?: bigint): CodecError {
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${issue.path || '(event)'} ${issue.message}`)
    .join('; ');
  const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : '';
  return new CodecError('invalid_event', `${what}: ${summary}${more}`, {
    details: { issues, ...(fingerprint === undefined ? {} : { writerFingerprint: formatFingerprint(fingerprint) }) },
  });
}

/**
 * The fast path of encodeEvent, validateEvent and eventSigningBytes
 * (createFastEncoder): the single-object encoding when `value` passes every
 * check of checkEvent, undefined when any fails, so a valid event costs
 * little more than avsc's encoding. Callers run checkEvent when it returns
 * undefined. An acceptance is final, which is why
 * audit-event-fast-path.test.ts checks that both paths agree on valid events
 * and on every kind of invalid one.
 * `withoutSignature` encodes the event with `signature` null (FORMAT.md 8.5).
 */
export function encodeValidEvent(value: unknown, limit: number, withoutSignature = false): Buffer | undefined {
  // eventSigningBytes: the copy is checkEvent's copy of `{ ...value, signature: null }`.
  return encodeFastEvent(value, limit, withoutSignature ? withNullSignature : undefined);
}

const withNullSignature = (copy: AuditEvent) => {
  copy.signature = null;
};
/** Its scratch buffer grows up to the default event limit, no further. */
const encodeFastEvent = createFastEncoder<AuditEvent>(auditEventSchema, addEventRuleIssues, EVENT_LIMITS.maxEventBytes);

/** The detailed path: every issue, with its path, in a stable order (unknown fields, types, rules, size). */
export function checkEvent(value: unknown, limit: number): { issues: ValidationIssue[]; body?: Buffer } {
  const issues = new Issues();
  if (!isPlainObject(value)) {
    issues.add([], 'must be an object');
    return { issues: issues.list };
  }
  const normalized = normalizeValue(auditEventSchema.root, value, [], issues) as AuditEvent;
  addTypeIssues(auditEventSchema.type, normalized, issues);
  addEventRuleIssues(normalized, issues);
  if (issues.list.length > 0) return { issues: issues.list };

  const body = auditEventSchema.type.toBuffer(normalized);
  const size = SINGLE_OBJECT_HEADER_BYTES + body.length;
  if (size > limit) {
    issues.add([], `encodes to ${size} bytes, over the ${limit}-byte limit`);
    return { issues: issues.list };
  }
  return { issues: [], body };
}

// Paths of the rule checks, built once: the fast path allocates none.
const P = {
  eventId: ['eventId'],
  eventTime: ['eventTime'],
  tenant: ['tenant'],
  action: ['action'],
  correlationId: ['correlationId'],
  traceId: ['traceId'],
  outcomeReason: ['outcomeReason'],
  actorType: ['actor', 'type'],
  actorId: ['actor', 'id'],
  actorDisplayName: ['actor', 'displayName'],
  actorUserAgent: ['actor', 'userAgent'],
  actorIp: ['actor', 'ip'],
  targetType: ['target', 'type'],
  targetId: ['target', 'id'],
  targetName: ['target', 'name'],
  sourceService: ['source', 'service'],
  sourceInstance: ['source', 'instance'],
  sourceRegion: ['source', 'region'],
  attributes: ['attributes'],
  signatureKeyId: ['signature', 'keyId'],
  signatureValue: ['signature', 'value'],
} as const satisfies Record<string, readonly string[]>;

/** FORMAT.md 8.4. Skips values of the wrong type: the type check reports those. Allocates nothing for a valid event. */
function addEventRuleIssues(event: AuditEvent, issues: IssueSink): void {
  const L = EVENT_LIMITS;
  if (typeof event.eventId === 'string' && !isUuidV7(event.eventId)) {
    issues.add(P.eventId, 'must be a UUIDv7 in canonical lowercase form');
  }
  if (Number.isSafeInteger(event.eventTime) && (event.eventTime < L.minEventTimeMicros || event.eventTime >= L.maxEventTimeMicros)) {
    issues.add(P.eventTime, 'must be microseconds since the epoch within [2000-01-01, 2100-01-01)');
  }
  checkIdentifier(event.tenant, P.tenant, L.maxIdentifierBytes, issues);
  checkIdentifier(event.action, P.action, L.maxIdentifierBytes, issues);
  checkOptionalIdentifier(event.correlationId, P.correlationId, issues);
  checkOptionalIdentifier(event.traceId, P.traceId, issues);
  checkText(event.outcomeReason, P.outcomeReason, L.maxOutcomeReasonBytes, issues);

  const actor = event.actor;
  if (isPlainObject(actor)) {
    checkIdentifier(actor.type, P.actorType, L.maxIdentifierBytes, issues);
    checkIdentifier(actor.id, P.actorId, L.maxIdentifierBytes, issues);
    checkText(actor.displayName, P.actorDisplayName, L.maxTextBytes, issues);
    checkText(actor.userAgent, P.actorUserAgent, L.maxTextBytes, issues);
    if (typeof actor.ip === 'string' && isIP(actor.ip) === 0) issues.add(P.actorIp, 'must be an IPv4 or IPv6 address');
  }
  const target = event.target;
  if (isPlainObject(target)) {
    checkIdentifier(target.type, P.targetType, L.maxIdentifierBytes, issues);
    checkIdentifier(target.id, P.targetId, L.maxIdentifierBytes, issues);
    checkText(target.name, P.targetName, L.maxTextBytes, issues);
  }
  const source = event.source;
  if (isPlainObject(source)) {
    checkIdentifier(source.service, P.sourceService, L.maxIdentifierBytes, issues);
    checkIdentifier(source.instance, P.sourceInstance, L.maxIdentifierBytes, issues);
    checkOptionalIdentifier(source.region, P.sourceRegion, issues);
  }
  const attributes = event.attributes;
  if (isPlainObject(attributes)) {
    const keys = Object.keys(attributes);
    if (keys.length > L.maxAttributes) issues.add(P.attributes, `has ${keys.length} entries, over the limit of ${L.maxAttributes}`);
    for (const key of keys) {
      // The path ['attributes', key] is built only for a problem.
      if (key === '__proto__') issues.add(['attributes', key], 'is not an accepted key');
      else {
        const keyProblem = identifierProblem(key, L.maxAttributeKeyBytes);
        if (keyProblem !== undefined) issues.add(['attributes', key], keyProblem);
      }
      const value = attributes[key];
      if (typeof value === 'string') {
        const valueProblem = textProblem(value, L.maxAttributeValueBytes);
        if (valueProblem !== undefined) issues.add(['attributes', key], valueProblem);
      }
    }
  }
  const signature = event.signature;
  if (isPlainObject(signature)) {
    checkIdentifier(signature.keyId, P.signatureKeyId, L.maxIdentifierBytes, issues);
    checkByteLength(signature.value, P.signatureValue, 1, L.maxSignatureBytes, issues);
  }
}

function checkOptionalIdentifier(value: unknown, path: readonly string[], issues: IssueSink): void {
  if (value === '') issues.add(path, 'must not be empty (use null for "absent")');
  else checkIdentifier(value, path, EVENT_LIMITS.maxIdentifierBytes, issues);
}

/** avsc decodes records into instances of generated classes; callers get plain objects. */
function toPlainEvent(raw: AuditEvent): AuditEvent {
  const { actor, target, source, signature } = raw;
  return {
    eventId: raw.eventId,
    eventTime: raw.eventTime,
    tenant: raw.tenant,
    actor: {
      type: actor.type,
      id: actor.id,
      displayName: actor.displayName ?? null,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
    },
    action: raw.action,
    target: { type: target.type, id: target.id, name: target.name ?? null },
    outcome: raw.outcome,
    outcomeReason: raw.outcomeReason ?? null,
    source: { service: source.service, instance: source.instance, region: source.region ?? null },
    correlationId: raw.correlationId ?? null,
    traceId: raw.traceId ?? null,
    attributes: { ...raw.attributes },
    payload: raw.payload ?? null,
    signature: signature ? { keyId: signature.keyId, value: signature.value } : null,
  };
}
