import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createCleanup, createTestS3, integrationEnv, uniqueName } from '@auditseal/testkit';
import { createLocalDirFetcher } from './local-dir-fetcher';
import { createS3ArchiveStore } from './s3-store';
import { listAll } from './store';

const DAY = 86_400_000;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('createS3ArchiveStore (real S3 gateway with Object Lock)', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  async function storeFixture(pageSize?: number) {
    const s3 = createTestS3({ cleanup });
    const bucket = await s3.createLockedBucket(undefined, 'archive-store');
    return { s3, bucket, store: createS3ArchiveStore({ client: s3.client, bucket, ...(pageSize ? { pageSize } : {}) }) };
  }

  describe('putOnce', () => {
    it('creates the object under COMPLIANCE retention, then is a no-op for identical bytes', async () => {
      const { store } = await storeFixture();
      const bytes = Buffer.from('segment bytes');
      const retainUntil = new Date(Date.now() + DAY + 300);
      expect(await store.putOnce('p/k', bytes, { lockMode: 'COMPLIANCE', retainUntil })).toBe('created');
      expect(await store.putOnce('p/k', bytes, { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + 2 * DAY) })).toBe('identical');
      const head = await store.head('p/k');
      expect(head).toMatchObject({ key: 'p/k', size: bytes.length, sha256: sha(bytes), lockMode: 'COMPLIANCE', legalHold: false });
      // Rounded up to a whole second, never down.
      expect(head!.retainUntil!.getTime()).toBe(Math.ceil(retainUntil.getTime() / 1000) * 1000);
      expect(await store.listVersions('p/k')).toEqual([expect.objectContaining({ key: 'p/k', isLatest: true, isDeleteMarker: false, size: bytes.length })]);
    });

    it('throws conflict with both hashes when different bytes exist, and leaves the object alone', async () => {
      const { store } = await storeFixture();
      const ours = Buffer.from('ours');
      await store.putOnce('p/k', Buffer.from('theirs'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      await expect(store.putOnce('p/k', ours, { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) })).rejects.toMatchObject({
        code: 'conflict',
        details: { key: 'p/k', expectedSha256: sha(ours), actualSha256: sha(Buffer.from('theirs')) },
      });
      expect(Buffer.from((await store.get('p/k'))!).toString()).toBe('theirs');
      expect(await store.listVersions('p/k')).toHaveLength(1);
    });
  });

  describe('get and head', () => {
    it('return undefined for a missing key', async () => {
      const { store } = await storeFixture();
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.head('missing')).toBeUndefined();
    });

    it('throw a storage_error for a missing bucket', async () => {
      const s3 = createTestS3({ cleanup });
      const store = createS3ArchiveStore({ client: s3.client, bucket: uniqueName('no-such-bucket') });
      await expect(store.get('k')).rejects.toMatchObject({ code: 'storage_error', retriable: false });
    });
  });

  describe('list', () => {
    it('yields every key under a prefix in order across pages', async () => {
      const { store } = await storeFixture(3);
      const keys = Array.from({ length: 8 }, (_, i) => `p/seg/${String(i).padStart(4, '0')}`);
      for (const key of [...keys].reverse()) await store.putOnce(key, Buffer.from(key), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      await store.putOnce('q/other', Buffer.from('x'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      expect((await listAll(store, 'p/seg/')).map((o) => o.key)).toEqual(keys);
      expect((await listAll(store, 'p/seg/', { startAfter: keys[5] })).map((o) => o.key)).toEqual(keys.slice(6));
      expect(await listAll(store, 'none/')).toEqual([]);
    });

    it('yields when each object was written (lastModified), which the verifier needs to tell a segment awaiting its manifest from an orphan', async () => {
      const { store } = await storeFixture();
      await store.putOnce('p/seg/a', Buffer.from('a'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      const [listed] = await listAll(store, 'p/seg/');
      expect(listed).toMatchObject({ key: 'p/seg/a', size: 1 });
      expect(listed!.lastModified).toBeInstanceOf(Date);
      expect(Number.isNaN(listed!.lastModified!.getTime())).toBe(false);
    });
  });

  describe('bucketObjectLockEnabled', () => {
    it('is true for a locked bucket and false for a plain one', async () => {
      const { s3, store } = await storeFixture();
      expect(await store.bucketObjectLockEnabled()).toBe(true);
      const plain = uniqueName('plain');
      await s3.client.send(new CreateBucketCommand({ Bucket: plain }));
      cleanup.add('plain bucket', async () => {
        await s3.client.send(new DeleteBucketCommand({ Bucket: plain }));
      });
      expect(await createS3ArchiveStore({ client: s3.client, bucket: plain }).bucketObjectLockEnabled()).toBe(false);
    });
  });

  describe('when the object version is deleted', () => {
    it('is refused by the bucket (COMPLIANCE)', async () => {
      const { s3, bucket, store } = await storeFixture();
      await store.putOnce('p/k', Buffer.from('x'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      const [version] = await store.listVersions('p/k');
      await expect(s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'p/k', VersionId: version!.versionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
    });
  });

  describe('createLocalDirFetcher over the gateway data directory', () => {
    it('sees the same keys and bytes as S3 (the directory is a copy of the bucket)', async () => {
      const { localS3DataDir } = integrationEnv();
      if (!localS3DataDir) return; // a remote S3: nothing local to read
      const { s3, bucket, store } = await storeFixture();
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'p/a/1', Body: 'one' }));
      await store.putOnce('p/a/2', Buffer.from('two'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      const local = createLocalDirFetcher(join(localS3DataDir, bucket));
      expect((await listAll(local, 'p/')).map((o) => o.key)).toEqual((await listAll(store, 'p/')).map((o) => o.key));
      expect(Buffer.from((await local.get('p/a/2'))!).toString()).toBe('two');
    });
  });
});
