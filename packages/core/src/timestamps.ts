import { CoreError } from './errors';

/**
 * Timestamps (FORMAT.md §1): RFC 3339 in UTC. The canonical form, the only
 * one allowed in signed bytes, is `YYYY-MM-DDTHH:MM:SS.sssZ` — exactly three
 * fractional digits and `Z`, which is what JavaScript's toISOString, Java's
 * `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` and Go's `2006-01-02T15:04:05.000Z` produce.
 */

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const LENIENT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z$/;

/** Canonical form of a date (years 0000–9999). Throws `invalid_timestamp`. */
export function formatTimestamp(date: Date): string {
  const time = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(time)) throw new CoreError('invalid_timestamp', 'not a valid Date');
  const text = date.toISOString();
  if (!CANONICAL.test(text)) throw new CoreError('invalid_timestamp', 'year must be 0000-9999', { details: { timestamp: text } });
  return text;
}

/**
 * Parses an RFC 3339 UTC timestamp. `canonical: true` (for signed bytes)
 * accepts only the canonical form; otherwise 0–3 fractional digits are
 * allowed (for hand-written keyrings). Offsets other than `Z`, leap seconds
 * and impossible dates are rejected. Throws `invalid_timestamp`.
 */
export function parseTimestamp(text: unknown, options: { canonical: boolean }): Date {
  const match = typeof text === 'string' && text.length <= 30 ? LENIENT.exec(text) : null;
  if (!match || (options.canonical && !CANONICAL.test(text as string))) {
    throw new CoreError(
      'invalid_timestamp',
      options.canonical ? 'timestamp must be RFC 3339 UTC of the form YYYY-MM-DDTHH:MM:SS.sssZ' : 'timestamp must be RFC 3339 UTC (…Z)',
      { details: { timestamp: typeof text === 'string' ? text.slice(0, 40) : typeof text } },
    );
  }
  const normalized = `${match[1]}.${(match[2] ?? '').padEnd(3, '0')}Z`;
  const date = new Date(normalized);
  // Round-tripping rejects dates that do not exist (2026-02-30, 24:00, :60).
  if (Number.isNaN(date.getTime()) || date.toISOString() !== normalized) {
    throw new CoreError('invalid_timestamp', 'timestamp is not a real UTC date and time', { details: { timestamp: text } });
  }
  return date;
}
