import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
  type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import type { Cleanup } from './cleanup';
import { integrationEnv, type S3Settings } from './integration-env';
import { uniqueName } from './unique-name';

// The SDK warns on Node < 22 about its future releases; the lockfile pins a
// release that supports Node 20, so in tests the warning is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface TestS3 {
  readonly client: S3Client;
  readonly settings: S3Settings;
  /** Creates a bucket with Object Lock enabled (which implies versioning); default name `uniqueName(prefix)`. */
  createLockedBucket(name?: string, prefix?: string): Promise<string>;
  /**
   * Deletes every version and delete marker of the buckets created here, then
   * the buckets. Versions under an unexpired COMPLIANCE retention (or a legal
   * hold) cannot be deleted — that is the point — so they and their bucket are
   * left behind and reported in the returned list instead of failing.
   */
  teardown(): Promise<string[]>;
}

export interface CreateTestS3Options {
  cleanup?: Cleanup;
}

/** An S3 client configured as a local gateway needs it (DESIGN.md, "Local infrastructure"). */
export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    forcePathStyle: true,
    // The SDK's default CRC32 trailers on every request: a gateway may not
    // support them, and we send our own SHA-256 where it matters.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createTestS3(options: CreateTestS3Options = {}): TestS3 {
  const { s3: settings } = integrationEnv();
  const client = createS3Client(settings);
  const buckets = new Set<string>();

  const emptyBucket = async (bucket: string, kept: string[]): Promise<void> => {
    let page: ListObjectVersionsCommandOutput | undefined;
    do {
      page = await client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: page?.NextKeyMarker, VersionIdMarker: page?.NextVersionIdMarker }),
      );
      for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
        try {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: entry.Key, VersionId: entry.VersionId, BypassGovernanceRetention: true }));
        } catch (error) {
          kept.push(`${bucket}/${entry.Key}?versionId=${entry.VersionId} (${error instanceof Error ? error.name : String(error)})`);
        }
      }
    } while (page.IsTruncated);
  };

  const testS3: TestS3 = {
    client,
    settings,
    async createLockedBucket(name, prefix = 'bucket') {
      const bucket = name ?? uniqueName(prefix);
      await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
      buckets.add(bucket);
      return bucket;
    },
    async teardown() {
      const kept: string[] = [];
      for (const bucket of buckets) {
        const before = kept.length;
        try {
          await emptyBucket(bucket, kept);
          if (kept.length === before) await client.send(new DeleteBucketCommand({ Bucket: bucket }));
        } catch (error) {
          // A test may delete its bucket itself.
          if (!(error instanceof Error && error.name === 'NoSuchBucket')) throw error;
        }
      }
      buckets.clear();
      client.destroy();
      return kept;
    },
  };
  options.cleanup?.add('s3 teardown', () => testS3.teardown());
  return testS3;
}
