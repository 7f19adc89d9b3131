import { randomBytes } from 'node:crypto';

// S3 bucket names are the strictest target: 3–63 characters of [a-z0-9-],
// starting and ending with a letter or digit, and not starting with the
// reserved `xn--` or `sthree-` (S3 "Bucket naming rules"). Kafka topic names
// allow a superset ([a-zA-Z0-9._-], up to 249 characters).
const MAX_LENGTH = 63;
const RESERVED_PREFIXES = ['xn--', 'sthree-'];

let counter = 0;

/**
 * A name unique across test runs, jest workers and calls, safe as both a Kafka
 * topic and an S3 bucket: `<prefix>-<time>-<counter+random>`. The prefix is
 * lower-cased, characters outside [a-z0-9-] become `-`, and it is shortened so
 * the whole name fits 63 characters.
 */
export function uniqueName(prefix = 'test'): string {
  counter = (counter + 1) % 36 ** 2;
  const suffix = `${Date.now().toString(36)}-${counter.toString(36).padStart(2, '0')}${randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0')}`;
  let head = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (head === '' || RESERVED_PREFIXES.some((reserved) => `${head}-`.startsWith(reserved))) head = `t-${head}`.replace(/-+$/, '');
  head = head.slice(0, MAX_LENGTH - suffix.length - 1).replace(/-+$/, '');
  return `${head}-${suffix}`;
}
