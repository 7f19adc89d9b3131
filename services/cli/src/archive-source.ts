import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { archiveLayout, createLocalDirFetcher, createS3ArchiveStore, createS3Client, type ArchiveFetcher, type ArchiveStore } from '@auditseal/archive';
import { createKeyring, parseKeyring, type PublicKeyEntry, type PublicKeyring } from '@auditseal/core';
import type { ArchiveReader } from '@auditseal/verify';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { stringOption, type ParsedValues } from './args';
import { CliError, INFRA_HINT, errorText, usageError } from './errors';

export const DEFAULT_ARCHIVE_PREFIX = 'auditseal-archive';

export interface OpenedArchive {
  kind: 's3' | 'dir';
  /** `s3://bucket/prefix (endpoint)` or the directory, for reports. */
  location: string;
  prefix: string;
  reader: ArchiveReader & ArchiveFetcher;
  /** The S3 store (with head/listVersions) when kind is s3. */
  store?: ArchiveStore;
  close(): void;
}

export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

export function s3Settings(values: ParsedValues, env: Record<string, string | undefined>): S3Settings {
  const bucket = stringOption(values, 'bucket') ?? env.S3_BUCKET?.trim();
  if (!bucket) throw usageError('no archive given: pass --bucket <name> (or set S3_BUCKET) or --dir <local copy>', INFRA_HINT);
  const endpoint = stringOption(values, 'endpoint') ?? (env.S3_ENDPOINT?.trim() || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw usageError(`--endpoint / S3_ENDPOINT must be an http(s) URL without a path, got ${JSON.stringify(endpoint)}`);
  return {
    endpoint,
    region: stringOption(values, 'region') ?? (env.S3_REGION?.trim() || 'us-east-1'),
    bucket,
    accessKeyId: env.S3_ACCESS_KEY_ID?.trim() || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY?.trim() || undefined,
  };
}

export function archivePrefix(values: ParsedValues, env: Record<string, string | undefined>): string {
  const prefix = stringOption(values, 'prefix') ?? (env.ARCHIVE_PREFIX?.trim() || DEFAULT_ARCHIVE_PREFIX);
  try {
    archiveLayout(prefix);
  } catch (error) {
    throw usageError(`--prefix: ${(error as Error).message}`);
  }
  return prefix;
}


/**
 * Opens the archive the flags name (--dir, else --bucket / S3_BUCKET) and
 * checks it is reachable, so a wrong endpoint or bucket is an environment
 * error (exit 2) that names it, never a report full of missing objects.
 */
export async function openArchive(values: ParsedValues, env: Record<string, string | undefined>): Promise<OpenedArchive> {
  const prefix = archivePrefix(values, env);
  const dir = stringOption(values, 'dir');
  if (dir !== undefined) {
    if (stringOption(values, 'bucket') !== undefined) throw usageError('give either --bucket or --dir, not both');
    const root = resolve(dir);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError('environment', `--dir ${root} is not a directory`);
    if (!existsSync(resolve(root, ...prefix.split('/')))) {
      throw new CliError('environment', `--dir ${root} holds no ${prefix}/ folder`, 'point --dir at the copy of the bucket (the folder that contains the prefix), or pass --prefix');
    }
    const fetcher = createLocalDirFetcher(root);
    return { kind: 'dir', location: root, prefix, reader: fetcher, close: () => undefined };
  }
  const s = s3Settings(values, env);
  const client = createS3Client({ ...s, maxAttempts: 2 });
  const where = `s3://${s.bucket} at ${s.endpoint ?? `AWS ${s.region}`}`;
  try {
    await client.send(new HeadBucketCommand({ Bucket: s.bucket }));
  } catch (error) {
    client.destroy();
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as Error).name;
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') throw new CliError('environment', `bucket ${s.bucket} does not exist at ${s.endpoint ?? `AWS ${s.region}`}`, 'check --bucket / S3_BUCKET');
    if (status === 403) throw new CliError('environment', `access to ${where} denied (HTTP 403)`, 'check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: the CLI needs read access (infra/s3)');
    throw new CliError('environment', `cannot reach ${where}: ${errorText(error)}`, INFRA_HINT, { cause: error });
  }
  const store = createS3ArchiveStore({ client, bucket: s.bucket });
  return { kind: 's3', location: `s3://${s.bucket}/${prefix}/ (${s.endpoint ?? `AWS ${s.region}`})`, prefix, reader: store, store, close: () => client.destroy() };
}

export interface TrustedKeyring {
  keyring: PublicKeyring;
  /** `file` (given by the auditor) or `archive` (the archive's own key files: trust comes from the archive). */
  source: 'file' | 'archive';
  path?: string;
  warning?: string;
}

export function readKeyringFile(path: string): PublicKeyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError('environment', `cannot read keyring ${path}: ${errorText(error)}`);
  }
  try {
    return parseKeyring(text);
  } catch (error) {
    throw new CliError('invalid_input', `keyring ${path} is invalid: ${errorText(error)}`);
  }
}

/**
 * The keyring signatures are checked against. An auditor passes one they
 * obtained out of band (--keyring). Without it the CLI uses the keys the
 * archive publishes (FORMAT.md §10.5) — which proves the archive is
 * self-consistent, not who signed it — and says so.
 */
export async function loadKeyring(values: ParsedValues, archive: OpenedArchive): Promise<TrustedKeyring> {
  const path = stringOption(values, 'keyring');
  if (path !== undefined) return { keyring: readKeyringFile(path), source: 'file', path: resolve(path) };
  const keysPrefix = archiveLayout(archive.prefix).keysPrefix();
  const entries = new Map<string, PublicKeyEntry>();
  for await (const item of archive.reader.list(keysPrefix)) {
    const bytes = await archive.reader.get(item.key);
    if (!bytes) continue;
    try {
      for (const k of parseKeyring(Buffer.from(bytes).toString('utf8')).keys) if (!entries.has(k.keyId)) entries.set(k.keyId, k);
    } catch {
      // An unreadable key file is reported by verify-archive (key_file_mismatch); it just adds no key here.
    }
  }
  if (entries.size === 0) {
    throw new CliError('environment', `no keyring: --keyring was not given and the archive publishes no keys under ${keysPrefix}`, 'pass --keyring <file> with the archiver\'s public keys');
  }
  return {
    keyring: createKeyring([...entries.values()]),
    source: 'archive',
    warning:
      `no --keyring given: trusting the ${entries.size} key(s) the archive itself publishes under ${keysPrefix} (${[...entries.keys()].join(', ')}). ` +
      'This shows the archive is consistent with its own keys, not that your archiver signed it: pass --keyring with keys obtained out of band.',
  };
}

/**
 * Prefetches the objects the verifier will read next: as the listing is
 * consumed, GETs (and, on S3, HEAD and version listings) of the next
 * `concurrency` keys run in parallel. Memory stays bounded by about
 * 2 × concurrency objects; anything not asked for is dropped.
 */
export function prefetchingReader(reader: ArchiveReader, concurrency: number): ArchiveReader {
  if (concurrency <= 1) return reader;
  interface Slot {
    get?: Promise<Uint8Array | undefined>;
    head?: Promise<unknown>;
    versions?: Promise<unknown>;
  }
  const cache = new Map<string, Slot>();
  const order: string[] = [];
  const quiet = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  const start = (key: string) => {
    if (cache.has(key)) return;
    const slot: Slot = { get: quiet(reader.get(key)) };
    if (reader.head) slot.head = quiet(reader.head(key));
    if (reader.listVersions) slot.versions = quiet(reader.listVersions(key));
    cache.set(key, slot);
    order.push(key);
    while (order.length > concurrency * 2) cache.delete(order.shift()!);
  };
  const take = <K extends keyof Slot>(key: string, field: K): Slot[K] | undefined => {
    const slot = cache.get(key);
    const value = slot?.[field];
    if (slot && value) delete slot[field];
    return value;
  };
  const wrapped: ArchiveReader = {
    get: (key) => take(key, 'get') ?? reader.get(key),
    async *list(prefix, options) {
      const ahead: Array<{ key: string; size: number; lastModified?: Date }> = [];
      const iterator = reader.list(prefix, options)[Symbol.asyncIterator]();
      let done = false;
      for (;;) {
        while (!done && ahead.length < concurrency) {
          const next = await iterator.next();
          if (next.done) done = true;
          else {
            ahead.push(next.value);
            start(next.value.key);
          }
        }
        const item = ahead.shift();
        if (!item) return;
        yield item;
      }
    },
  };
  if (reader.head) {
    const head = reader.head.bind(reader);
    wrapped.head = (key) => (take(key, 'head') as ReturnType<typeof head> | undefined) ?? head(key);
  }
  if (reader.listVersions) {
    const listVersions = reader.listVersions.bind(reader);
    wrapped.listVersions = (key) => (take(key, 'versions') as ReturnType<typeof listVersions> | undefined) ?? listVersions(key);
  }
  return wrapped;
}
