import { createS3Client } from '@auditseal/archive';
import { CreateBucketCommand, GetObjectLockConfigurationCommand, HeadBucketCommand } from '@aws-sdk/client-s3';

/*
 * Makes sure the archive bucket exists with Object Lock (DESIGN.md "Archive
 * layout"): `infra.sh up` creates it for the local gateway; with S3_ENDPOINT
 * pointing elsewhere the demo creates it when missing. A bucket without
 * Object Lock is refused (the archiver would refuse it too, less clearly).
 */

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export class BucketError extends Error {
  override readonly name = 'BucketError';
}

const status = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export async function ensureBucket(s3: S3Settings): Promise<{ created: boolean }> {
  const client = createS3Client({ ...s3, maxAttempts: 3 });
  try {
    let created = false;
    try {
      await client.send(new HeadBucketCommand({ Bucket: s3.bucket }));
    } catch (error) {
      if (status(error) !== 404) throw new BucketError(`cannot reach bucket ${s3.bucket} at ${s3.endpoint}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
      await client.send(new CreateBucketCommand({ Bucket: s3.bucket, ObjectLockEnabledForBucket: true }));
      created = true;
    }
    let enabled: string | undefined;
    try {
      enabled = (await client.send(new GetObjectLockConfigurationCommand({ Bucket: s3.bucket }))).ObjectLockConfiguration?.ObjectLockEnabled;
    } catch (error) {
      throw new BucketError(`bucket ${s3.bucket} has no Object Lock configuration (${(error as Error).name}); the archive needs a bucket created with Object Lock`, { cause: error });
    }
    if (enabled !== 'Enabled') throw new BucketError(`bucket ${s3.bucket} does not have Object Lock enabled; the archive needs a bucket created with Object Lock`);
    return { created };
  } finally {
    client.destroy();
  }
}
