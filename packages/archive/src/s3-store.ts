import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ArchiveError } from './errors';
import type { ArchiveStore, ListedObject, ObjectInfo, ObjectVersion, PutOnceOptions, PutOnceResult } from './store';

export interface S3ArchiveStoreOptions {
  client: S3Client;
  bucket: string;
  /** Keys per list page (S3 default and maximum 1000); small values exercise pagination in tests. */
  pageSize?: number;
  /** Observes each PUT (for a latency metric). */
  onPut?: (info: { key: string; bytes: number; seconds: number; result: PutOnceResult | 'error' }) => void;
}

const RETRIABLE_NAMES = new Set([
  'SlowDown',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'ConditionalRequestConflict',
  'OperationAborted',
  'TimeoutError',
  'NetworkingError',
]);

export function s3Status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

/** Wraps an S3 failure: retriable for 5xx, throttling, timeouts and network errors (no HTTP status). */
export function storageError(operation: string, key: string, error: unknown): ArchiveError {
  const status = s3Status(error);
  const name = errorName(error);
  const retriable = status === undefined || status >= 500 || status === 409 || status === 429 || RETRIABLE_NAMES.has(name);
  return new ArchiveError('storage_error', `S3 ${operation} ${key} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${(error as Error)?.message ?? ''}`, {
    cause: error,
    retriable,
    details: { operation, key, status, name },
  });
}

const isNotFound = (error: unknown) => {
  const name = errorName(error);
  return s3Status(error) === 404 && (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion');
};

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The archive store on S3 (or an S3-compatible gateway). Every write is
 * `PutObject` with `If-None-Match: *` (create only), the Object Lock mode and
 * retain-until date, and `x-amz-checksum-sha256` so the store verifies the
 * bytes it keeps (DESIGN.md "Archive layout").
 */
export function createS3ArchiveStore(options: S3ArchiveStoreOptions): ArchiveStore {
  const { client, bucket } = options;

  const get = async (key: string): Promise<Uint8Array | undefined> => {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) return new Uint8Array(0);
      return await out.Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storageError('GetObject', key, error);
    }
  };

  return {
    get,

    async *list(prefix: string, listOptions?: { startAfter?: string }): AsyncIterable<ListedObject> {
      let token: string | undefined;
      do {
        let page;
        try {
          page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              MaxKeys: options.pageSize,
              ContinuationToken: token,
              StartAfter: token === undefined ? listOptions?.startAfter : undefined,
            }),
          );
        } catch (error) {
          throw storageError('ListObjectsV2', prefix, error);
        }
        for (const item of page.Contents ?? []) {
          if (item.Key !== undefined) yield { key: item.Key, size: item.Size ?? 0, ...(item.LastModified ? { lastModified: item.LastModified } : {}) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async putOnce(key: string, bytes: Uint8Array, put: PutOnceOptions): Promise<PutOnceResult> {
      const digest = createHash('sha256').update(bytes).digest();
      const retainUntil = new Date(Math.ceil(put.retainUntil.getTime() / 1000) * 1000);
      const started = process.hrtime.bigint();
      const observe = (result: PutOnceResult | 'error') =>
        options.onPut?.({ key, bytes: bytes.length, seconds: Number(process.hrtime.bigint() - started) / 1e9, result });
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.length,
            ContentType: put.contentType ?? 'application/octet-stream',
            IfNoneMatch: '*',
            ObjectLockMode: put.lockMode,
            ObjectLockRetainUntilDate: retainUntil,
            // AWS requires an integrity header on puts with Object Lock parameters: the SHA-256 and its algorithm name.
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: digest.toString('base64'),
          }),
        );
        observe('created');
        return 'created';
      } catch (error) {
        if (s3Status(error) !== 412) {
          observe('error');
          throw storageError('PutObject', key, error);
        }
      }
      // 412: the key exists (or a retried PUT of ours already landed). Compare bytes, never overwrite.
      const existing = await get(key);
      if (existing === undefined) {
        observe('error');
        throw new ArchiveError('storage_error', `S3 PutObject ${key}: 412 Precondition Failed but the object cannot be read`, { retriable: true, details: { key } });
      }
      const expectedSha256 = digest.toString('hex');
      const actualSha256 = sha256Hex(existing);
      if (actualSha256 === expectedSha256) {
        observe('identical');
        return 'identical';
      }
      observe('error');
      throw new ArchiveError('conflict', `a different object already exists at ${key}`, {
        details: { key, expectedSha256, actualSha256, expectedBytes: bytes.length, actualBytes: existing.length },
      });
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        const mode = out.ObjectLockMode;
        return {
          key,
          size: out.ContentLength ?? 0,
          sha256: out.ChecksumSHA256 && out.ChecksumType !== 'COMPOSITE' ? Buffer.from(out.ChecksumSHA256, 'base64').toString('hex') : undefined,
          versionId: out.VersionId,
          lockMode: mode === 'COMPLIANCE' || mode === 'GOVERNANCE' ? mode : undefined,
          retainUntil: out.ObjectLockRetainUntilDate,
          legalHold: out.ObjectLockLegalHoldStatus === 'ON',
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw storageError('HeadObject', key, error);
      }
    },

    async listVersions(key: string): Promise<ObjectVersion[]> {
      const out: ObjectVersion[] = [];
      let keyMarker: string | undefined;
      let versionMarker: string | undefined;
      for (;;) {
        let page;
        try {
          page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: options.pageSize, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
        } catch (error) {
          throw storageError('ListObjectVersions', key, error);
        }
        for (const v of page.Versions ?? []) {
          if (v.Key === key) out.push({ key, versionId: v.VersionId ?? 'null', isLatest: v.IsLatest === true, size: v.Size ?? 0, isDeleteMarker: false });
        }
        for (const d of page.DeleteMarkers ?? []) {
          if (d.Key === key) out.push({ key, versionId: d.VersionId ?? 'null', isLatest: d.IsLatest === true, size: 0, isDeleteMarker: true });
        }
        if (!page.IsTruncated) return out;
        keyMarker = page.NextKeyMarker;
        versionMarker = page.NextVersionIdMarker;
      }
    },

    async bucketObjectLockEnabled(): Promise<boolean> {
      try {
        const out = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
        return out.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
      } catch (error) {
        if (errorName(error) === 'ObjectLockConfigurationNotFoundError') return false;
        throw storageError('GetObjectLockConfiguration', bucket, error);
      }
    },
  };
}
