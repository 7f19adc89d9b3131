import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { archiveLayout, listAll, type ArchiveStore } from '@auditseal/archive';
import { createCleanup, createTestKafka, createTestS3, uniqueName, waitFor } from '@auditseal/testkit';
import { archiverEnv, createAuditTopics, deleteAuditTopics, PREFIX, readArchivedChain, SealedWriter, spawnArchiver, storeFor, writeKeyFile, type ChildArchiver } from './testing/harness';

// The archiver as it runs in production (`node services/archiver/dist/main.js`;
// build first), SIGKILLed by its fault-injection switch ARCHIVER_CRASH_AFTER
// between the steps of archiving a segment, then restarted.

describe('archiver crash recovery (child process, real Kafka and S3)', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  async function setup() {
    const kafka = createTestKafka({ cleanup });
    const s3 = createTestS3({ cleanup });
    const admin = await kafka.admin();
    const topicPrefix = `${uniqueName('crash')}.`;
    const names = await createAuditTopics(admin, topicPrefix, 2);
    cleanup.add('audit topics', () => deleteAuditTopics(admin, names));
    const bucket = await s3.createLockedBucket(undefined, 'archiver-crash');
    const { path } = writeKeyFile();
    const children: ChildArchiver[] = [];
    cleanup.add('archiver processes', async () => {
      for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    });
    const env = (extra: Record<string, string>) =>
      archiverEnv({ brokers: kafka.brokers, s3: s3.settings, bucket, topicPrefix, keyPath: path, extra: { ARCHIVER_SEGMENT_MAX_ENTRIES: '1000', ...extra } });
    const run = (extra: Record<string, string> = {}) => {
      const child = spawnArchiver(env(extra));
      children.push(child);
      return child;
    };
    return { s3, admin, names, run, groupId: `${topicPrefix}archiver`, store: storeFor(s3.client, bucket), writer: new SealedWriter(kafka.kafka, names) };
  }

  /** No gap, no overlap, no duplicate object version, every segment with its manifest, every entry exactly once. */
  async function expectCompleteArchive(store: ArchiveStore, writer: SealedWriter, partition: number, lastSeq: number) {
    const chain = writer.chainIdOf(partition);
    const archived = await readArchivedChain(store, chain);
    const segments = archived.segmentKeys.map((k) => k.replace(/\.avro$/, ''));
    const manifests = archived.manifestKeys.map((k) => k.replace(/\.manifest\.json$/, ''));
    expect(manifests).toEqual(segments);
    let next = 0;
    for (const m of archived.manifests) {
      expect(m.firstSeq).toBe(next);
      next = m.lastSeq + 1;
    }
    expect(next).toBe(lastSeq + 1);
    const sealed = writer.values.get(partition)!.map((v) => v.subarray(10));
    expect(archived.records.length).toBe(sealed.length);
    archived.records.forEach((r, i) => expect(Buffer.compare(r, sealed[i]!)).toBe(0));
    for (const key of [...archived.segmentKeys, ...archived.manifestKeys]) expect(await store.listVersions(key)).toHaveLength(1);
  }

  const layout = archiveLayout(PREFIX);

  describe('when killed between the segment put and the manifest put', () => {
    it('re-creates the orphan segment identically, writes its manifest and continues without gap or duplicate', async () => {
      const t = await setup();
      await t.writer.write([0, 1], 2500);
      const first = t.run({ ARCHIVER_CRASH_AFTER: 'segment-put' });
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(first.output()).toContain('FAULT INJECTION: SIGKILL after segment-put');
      // The crash left a segment without its manifest (one per partition at most: both archive concurrently).
      const listed = [
        ...(await listAll(t.store, layout.segmentsPrefix(t.writer.chainIdOf(0)))),
        ...(await listAll(t.store, layout.segmentsPrefix(t.writer.chainIdOf(1)))),
      ].map((o) => o.key);
      const orphans = listed.filter((k) => k.endsWith('.avro') && !listed.includes(k.replace(/\.avro$/, '.manifest.json')));
      expect(orphans.length).toBeGreaterThanOrEqual(1);
      expect(orphans.length).toBeLessThanOrEqual(2);

      const second = t.run();
      for (const p of [0, 1]) {
        await waitFor(() => readArchivedChain(t.store, t.writer.chainIdOf(p)), {
          description: `chain ${p} archived to seq 2499`,
          timeoutMs: 60_000,
          intervalMs: 500,
          until: (a) => a.manifests.at(-1)?.lastSeq === 2499,
        });
        await expectCompleteArchive(t.store, t.writer, p, 2499);
      }
      expect(second.output()).toContain('segment objects without a manifest');
      // The orphan was rebuilt byte for byte: its put-once was a no-op, not an adoption of other bytes.
      expect(second.output()).toMatch(/"msg":"segment archived".*"firstSeq":0,.*"result":"identical"/);
      second.process.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    });
  });

  describe('when killed between the manifest put and the offset commit', () => {
    it('resumes from S3 (ahead of the committed offsets) without re-writing anything', async () => {
      const t = await setup();
      await t.writer.write([0, 1], 2500);
      const first = t.run({ ARCHIVER_CRASH_AFTER: 'manifest-put' });
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      const committedBefore = await t.admin.fetchOffsets({ groupId: t.groupId, topics: [t.names.sealed] });
      // Nothing was committed: S3 is ahead of the group.
      expect(committedBefore[0]!.partitions.every((p) => Number(p.offset) < 0)).toBe(true);
      const manifestsBefore = (await listAll(t.store, layout.segmentsPrefix(t.writer.chainIdOf(0)))).concat(await listAll(t.store, layout.segmentsPrefix(t.writer.chainIdOf(1)))).filter((o) => o.key.endsWith('.manifest.json'));
      expect(manifestsBefore.length).toBeGreaterThanOrEqual(1);

      const second = t.run();
      for (const p of [0, 1]) {
        await waitFor(() => readArchivedChain(t.store, t.writer.chainIdOf(p)), {
          description: `chain ${p} archived to seq 2499`,
          timeoutMs: 60_000,
          intervalMs: 500,
          until: (a) => a.manifests.at(-1)?.lastSeq === 2499,
        });
        await expectCompleteArchive(t.store, t.writer, p, 2499);
      }
      // After a graceful stop every partition's commit is after its last entry.
      second.process.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
      const committed = await t.admin.fetchOffsets({ groupId: t.groupId, topics: [t.names.sealed] });
      const ends = await t.admin.fetchTopicOffsets(t.names.sealed);
      for (const x of committed[0]!.partitions) expect(Number(x.offset)).toBe(Number(ends.find((e) => e.partition === x.partition)!.high) - 1);
    });
  });

  describe('when started with an unusable environment', () => {
    it('exits 2 naming the problem: a missing key file, a bucket without Object Lock', async () => {
      const t = await setup();
      const noKey = t.run({ ARCHIVER_SIGNING_KEY: '/nonexistent/key.json' });
      expect((await noKey.exited).code).toBe(2);
      expect(noKey.output()).toContain('ARCHIVER_SIGNING_KEY');
      const plain = uniqueName('plain');
      await t.s3.client.send(new CreateBucketCommand({ Bucket: plain }));
      cleanup.add('plain bucket', () => t.s3.client.send(new DeleteBucketCommand({ Bucket: plain })));
      const unlocked = t.run({ S3_BUCKET: plain });
      expect((await unlocked.exited).code).toBe(2);
      expect(unlocked.output()).toContain('does not have Object Lock enabled');
    });
  });
});
