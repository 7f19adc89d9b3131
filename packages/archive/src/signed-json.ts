import { fromBase64, fromHex, parseTimestamp, toBase64, toHex } from '@auditseal/core';
import { ArchiveError } from './errors';

/** Helpers to read the small JSON documents of the archive (manifests, checkpoints) from UNTRUSTED bytes. */

export const MAX_DOCUMENT_BYTES = 64 * 1024;

export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  if (!(bytes instanceof Uint8Array)) throw new ArchiveError('malformed', `${what} is not a byte array`);
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new ArchiveError('too_large', `${what} of ${bytes.length} bytes exceeds ${MAX_DOCUMENT_BYTES} bytes`);
  let text: string;
  let doc: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    doc = JSON.parse(text);
  } catch (error) {
    throw new ArchiveError('malformed', `${what} is not UTF-8 JSON`, { cause: error });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ArchiveError('malformed', `${what} is not a JSON object`);
  return doc as Record<string, unknown>;
}

export class FieldReader {
  constructor(
    private readonly doc: Record<string, unknown>,
    private readonly what: string,
    allowed: readonly string[],
  ) {
    for (const name of Object.keys(doc)) {
      if (!allowed.includes(name)) throw this.bad(name, 'is not a known field');
    }
  }

  bad(field: string, message: string, cause?: unknown): ArchiveError {
    return new ArchiveError('malformed', `${this.what}.${field.slice(0, 40)} ${message}`, cause === undefined ? { details: { field } } : { cause, details: { field } });
  }

  string(field: string, max = 1024): string {
    const v = this.doc[field];
    if (typeof v !== 'string' || v.length === 0 || v.length > max) throw this.bad(field, `must be a string of 1-${max} characters`);
    return v;
  }

  count(field: string): number {
    const v = this.doc[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.bad(field, 'must be a safe integer >= 0');
    return v;
  }

  hash(field: string): Uint8Array {
    const v = this.doc[field];
    try {
      if (typeof v !== 'string' || v !== v.toLowerCase()) throw new Error('not lowercase hex');
      return fromHex(v, 32);
    } catch (error) {
      throw this.bad(field, 'must be 64 lowercase hex characters', error);
    }
  }

  base64(field: string, length?: number): Uint8Array {
    const v = this.doc[field];
    try {
      if (typeof v !== 'string' || v.length > 1024) throw new Error('not a string');
      return fromBase64(v, length);
    } catch (error) {
      throw this.bad(field, `must be base64${length === undefined ? '' : ` of ${length} bytes`}`, error);
    }
  }

  time(field: string): string {
    const v = this.doc[field];
    try {
      parseTimestamp(v, { canonical: true });
    } catch (error) {
      throw this.bad(field, 'must be a timestamp YYYY-MM-DDTHH:MM:SS.sssZ', error);
    }
    return v as string;
  }

  object(field: string): Record<string, unknown> | undefined {
    const v = this.doc[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.bad(field, 'must be an object');
    return v as Record<string, unknown>;
  }
}

export { toBase64, toHex };
