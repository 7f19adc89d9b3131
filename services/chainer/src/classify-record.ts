import { CodecError, decodeEventDetailed, rejectReasonFor, type WriterSchemaRegistry } from '@auditseal/codec';
import { verifySignature, type PublicKeyring, type RejectReason } from '@auditseal/core';

/**
 * Decides what one record of audit.events becomes in its chain (DESIGN.md
 * "Data flow", Completeness): an `event` entry, or a `rejected` entry with a
 * reason. Pure: no I/O, no clock. The value is UNTRUSTED bytes from Kafka —
 * every failure of the decoder is a typed CodecError, which becomes a reason,
 * and anything else thrown here would be a bug (the caller lets it crash the
 * batch rather than guess).
 */

export type Rejection = Exclude<RejectReason, 'none'>;

export type Classification =
  | { readonly kind: 'event'; readonly service: string; readonly signed: boolean }
  | { readonly kind: 'rejected'; readonly reason: Rejection; readonly detail: string };

export interface ClassifyOptions {
  /** Values longer than this are `too_large` (CHAINER_MAX_EVENT_BYTES). */
  maxEventBytes: number;
  /** Producer keyring; when absent, signatures that are present are not checked. */
  keyring?: PublicKeyring;
  /** source.service names whose events must be signed (CHAINER_REQUIRE_SIGNATURES_FROM). */
  requireSignaturesFrom: ReadonlySet<string>;
  /** Writer schemas accepted; codec's default registry when absent. */
  registry?: WriterSchemaRegistry;
}

/** Longest reject detail kept, in UTF-16 code units (FORMAT.md §3 allows 1024 UTF-8 bytes; ASCII is typical). */
export const MAX_DETAIL_CHARS = 300;

const CODEC_REASONS: Readonly<Record<ReturnType<typeof rejectReasonFor>, Rejection>> = {
  MALFORMED: 'malformed',
  UNKNOWN_SCHEMA: 'unknown_schema',
  TOO_LARGE: 'too_large',
  BAD_SIGNATURE: 'bad_signature',
  MISSING_SIGNATURE: 'missing_signature',
  INVALID_EVENT: 'invalid_event',
};

export function classifyRecord(value: Uint8Array | null, options: ClassifyOptions): Classification {
  if (value === null) return reject('malformed', 'tombstone: the record has no value');
  if (value.length > options.maxEventBytes) {
    return reject('too_large', `value is ${value.length} bytes, over the ${options.maxEventBytes}-byte limit`);
  }
  let decoded: ReturnType<typeof decodeEventDetailed>;
  try {
    decoded = decodeEventDetailed(value, { maxEventBytes: options.maxEventBytes, ...(options.registry ? { registry: options.registry } : {}) });
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return reject(CODEC_REASONS[rejectReasonFor(error)], `${error.code}: ${error.message}`);
  }
  const { event, signedBytes } = decoded;
  const service = event.source.service;
  const signature = event.signature;
  if (signature) {
    if (!options.keyring) return { kind: 'event', service, signed: true };
    if (!signedBytes) return reject('bad_signature', 'the writer schema has no signature field the signed bytes can be derived from');
    // The signing time is the one the event states (core verifySignature: a key
    // retired later still verifies what it signed while valid).
    const at = new Date(Math.floor(event.eventTime / 1000));
    const result = verifySignature(signedBytes, signature.value, signature.keyId, options.keyring, at);
    if (!result.ok) return reject('bad_signature', `${result.reason}: ${result.message}`);
    return { kind: 'event', service, signed: true };
  }
  if (options.requireSignaturesFrom.has(service)) {
    return reject('missing_signature', `service ${JSON.stringify(service)} must sign its events and this one is unsigned`);
  }
  return { kind: 'event', service, signed: false };
}

function reject(reason: Rejection, detail: string): Classification {
  return { kind: 'rejected', reason, detail: shortDetail(detail) };
}

/**
 * At most MAX_DETAIL_CHARS, cut on a code-point boundary and with lone
 * surrogates replaced, so the detail always has exactly one UTF-8 encoding
 * (core's encodeEntryBody refuses anything else).
 */
export function shortDetail(text: string): string {
  let out = text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS - 1)}…` : text;
  out = out.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return out;
}
