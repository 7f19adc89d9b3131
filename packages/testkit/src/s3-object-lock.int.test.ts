import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { createCleanup } from './cleanup';
import { createTestS3, type TestS3 } from './test-s3';

// Smoke test of the local S3 gateway (versitygw): the archiver writes every
// object once, with If-None-Match: *, COMPLIANCE retention and a SHA-256
// checksum (DESIGN.md, "Archive layout"); these are the guarantees it relies on.

const httpStatus = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, status: httpStatus(error) };
  }
  throw new Error('the request was accepted');
}

describe('local S3 gateway with Object Lock', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  async function lockedObject(s3: TestS3) {
    const bucket = await s3.createLockedBucket(undefined, 'lock');
    const key = 'v1/chain/segments/00000000000000000000-00000000000000000099.avro';
    const body = Buffer.from('sealed segment bytes');
    const retainUntil = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        IfNoneMatch: '*',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: retainUntil,
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      }),
    );
    if (!put.VersionId) throw new Error('PutObject returned no VersionId: is versioning on?');
    return { bucket, key, body, retainUntil, versionId: put.VersionId };
  }

  describe('when a bucket is created with Object Lock', () => {
    it('reports Object Lock enabled', async () => {
      const s3 = createTestS3({ cleanup });
      const bucket = await s3.createLockedBucket(undefined, 'lock');
      const config = await s3.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
      expect(config.ObjectLockConfiguration?.ObjectLockEnabled).toBe('Enabled');
    });
  });

  describe('when an object is written once under COMPLIANCE retention', () => {
    it('reads back its bytes, checksum and retention', async () => {
      const s3 = createTestS3({ cleanup });
      const { bucket, key, body, retainUntil, versionId } = await lockedObject(s3);
      const retention = await s3.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      expect(retention.Retention?.Mode).toBe('COMPLIANCE');
      expect(retention.Retention?.RetainUntilDate?.getTime()).toBe(retainUntil.getTime());
      const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(body);
      expect(object.ChecksumSHA256).toBe(createHash('sha256').update(body).digest('base64'));
      // versitygw v1.7.0 sends the x-amz-object-lock-* headers on HEAD only, not on GET.
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      expect(head.ObjectLockMode).toBe('COMPLIANCE');
      expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(retainUntil.getTime());
    });

    it('refuses a second write to the key with 412 Precondition Failed', async () => {
      const s3 = createTestS3({ cleanup });
      const { bucket, key } = await lockedObject(s3);
      const second = s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'forged', IfNoneMatch: '*' }));
      expect(await refusal(second)).toEqual({ name: 'PreconditionFailed', status: 412 });
    });

    it('refuses a body that does not match its SHA-256 with 400 BadDigest', async () => {
      const s3 = createTestS3({ cleanup });
      const bucket = await s3.createLockedBucket(undefined, 'lock');
      const put = s3.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'other bytes', IfNoneMatch: '*', ChecksumSHA256: createHash('sha256').update('bytes').digest('base64') }),
      );
      expect(await refusal(put)).toEqual({ name: 'BadDigest', status: 400 });
    });

    it('refuses to delete the version with 403 AccessDenied, even with the governance bypass header', async () => {
      const s3 = createTestS3({ cleanup });
      const { bucket, key, versionId } = await lockedObject(s3);
      expect(await refusal(s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })))).toEqual({ name: 'AccessDenied', status: 403 });
      expect(await refusal(s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, BypassGovernanceRetention: true })))).toEqual({
        name: 'AccessDenied',
        status: 403,
      });
    });

    it('refuses to downgrade the retention to GOVERNANCE with 403 AccessDenied', async () => {
      const s3 = createTestS3({ cleanup });
      const { bucket, key, versionId, retainUntil } = await lockedObject(s3);
      const downgrade = s3.client.send(
        new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: retainUntil } }),
      );
      expect(await refusal(downgrade)).toEqual({ name: 'AccessDenied', status: 403 });
    });

    // AWS S3 refuses to shorten a COMPLIANCE retention. versitygw v1.7.0 did
    // not (auth/object_lock.go, IsObjectLockRetentionPutAllowed accepted any
    // future date in the same mode), which is why the local gateway is pinned
    // to v1.8.0. The retention must read back unchanged.
    it('refuses to shorten a COMPLIANCE retention with 403 AccessDenied', async () => {
      const s3 = createTestS3({ cleanup });
      const { bucket, key, versionId, retainUntil } = await lockedObject(s3);
      const earlier = new Date(retainUntil.getTime() - 1_800_000);
      const shorten = s3.client.send(
        new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: earlier } }),
      );
      expect(await refusal(shorten)).toEqual({ name: 'AccessDenied', status: 403 });
      const retention = await s3.client.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      expect(retention.Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: retainUntil });
    });
  });
});
