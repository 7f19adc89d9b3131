import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectRetentionCommand } from '@aws-sdk/client-s3';
import { archiveLayout, listAll, parseCheckpoint, verifyCheckpointSignature, verifyManifestSignature } from '@auditseal/archive';
import { createKeyring, equalBytes, merkleRoot, publicKeyEntry, toHex } from '@auditseal/core';
import { createCleanup, createTestKafka, createTestS3, uniqueName, waitFor } from '@auditseal/testkit';
import { Registry } from 'prom-client';
import { createArchiver } from './archiver';
import { loadArchiverConfig } from './config';
import { createArchiverMetrics } from './metrics';
import { loadArchiveKeyring } from './startup-checks';
import { archiverEnv, createAuditTopics, deleteAuditTopics, PREFIX, readArchivedChain, SealedWriter, silent, storeFor, writeKeyFile } from './testing/harness';

const DAY = 86_400_000;

describe('archiver (real Kafka and S3 with Object Lock)', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  async function setup(partitions: number, extra: Record<string, string> = {}) {
    const kafka = createTestKafka({ cleanup });
    const s3 = createTestS3({ cleanup });
    const admin = await kafka.admin();
    const topicPrefix = `${uniqueName('arch')}.`;
    const names = await createAuditTopics(admin, topicPrefix, partitions);
    cleanup.add('audit topics', () => deleteAuditTopics(admin, names));
    const bucket = await s3.createLockedBucket(undefined, 'archiver');
    const { path, key } = writeKeyFile();
    const env = archiverEnv({ brokers: kafka.brokers, s3: s3.settings, bucket, topicPrefix, keyPath: path, extra });
    const config = loadArchiverConfig(env);
    const registry = new Registry();
    const metrics = createArchiverMetrics(registry);
    const archiver = createArchiver(config, { logger: silent, metrics, signingKey: key, keyNotBefore: new Date(Date.now() - 60_000), s3Client: s3.client, tickMs: 200 });
    cleanup.add('archiver', () => archiver.stop());
    return { kafka, s3, admin, names, bucket, key, config, archiver, registry, env, writer: new SealedWriter(kafka.kafka, names), store: storeFor(s3.client, bucket) };
  }

  describe('when 20,000 entries arrive on 4 partitions', () => {
    it('archives segments whose concatenation is the sealed topic, signed, under COMPLIANCE retention, offsets committed', async () => {
      const t = await setup(4, { ARCHIVER_SEGMENT_MAX_ENTRIES: '1000' });
      const partitions = [0, 1, 2, 3];
      await t.writer.write(partitions, 5000);
      await t.archiver.start();
      await waitFor(() => t.archiver.snapshot().partitions, {
        description: 'every partition archived up to seq 4999',
        timeoutMs: 120_000,
        intervalMs: 250,
        until: (ps) => ps.length === 4 && ps.every((p) => p.archivedHeadSeq === 4999),
      });
      const keyring = await loadArchiveKeyring(t.store, archiveLayout(PREFIX), silent);
      expect(keyring.keys.map((k) => k.keyId)).toEqual([t.key.keyId]);
      const policyFloor = Date.now() + DAY - 120_000;
      for (const p of partitions) {
        const chain = t.writer.chainIdOf(p);
        const archived = await readArchivedChain(t.store, chain);
        // Exactly the sealed topic: the same Avro records, in order, nothing more, nothing less.
        const sealed = t.writer.values.get(p)!.map((v) => v.subarray(10));
        expect(archived.records.length).toBe(sealed.length);
        archived.records.forEach((r, i) => expect(Buffer.compare(r, sealed[i]!)).toBe(0));
        expect(archived.segmentKeys).toHaveLength(5);
        expect(archived.manifestKeys).toHaveLength(5);
        let expectFirst = 0;
        for (const [i, m] of archived.manifests.entries()) {
          expect(m).toMatchObject({ chainId: chain, firstSeq: expectFirst, lockMode: 'COMPLIANCE', keyId: t.key.keyId, source: { topic: t.names.sealed, partition: p } });
          expect(verifyManifestSignature(m, keyring)).toMatchObject({ ok: true });
          const bytes = (await t.store.get(archived.segmentKeys[i]!))!;
          expect(toHex(createHash('sha256').update(bytes).digest())).toBe(toHex(m.segmentSha256));
          expect(m.segmentBytes).toBe(bytes.length);
          const hashes = t.writer.values.get(p)!.slice(m.firstSeq, m.lastSeq + 1).map((v) => v.subarray(v.length - 32));
          expect(equalBytes(merkleRoot(hashes), m.merkleRoot)).toBe(true);
          expectFirst = m.lastSeq + 1;
        }
        // Every object (segments, manifests) is locked in COMPLIANCE mode at least as long as the policy (1 day here).
        for (const key of [...archived.segmentKeys, ...archived.manifestKeys]) {
          const r = await t.s3.client.send(new GetObjectRetentionCommand({ Bucket: t.bucket, Key: key }));
          expect(r.Retention?.Mode).toBe('COMPLIANCE');
          expect(r.Retention!.RetainUntilDate!.getTime()).toBeGreaterThanOrEqual(policyFloor);
          expect(await t.store.listVersions(key)).toHaveLength(1);
        }
      }
      // Offsets are committed once S3 holds the segments.
      const committed = await waitFor(() => t.admin.fetchOffsets({ groupId: t.config.groupId, topics: [t.names.sealed] }), {
        description: 'committed offsets at the end of each partition',
        timeoutMs: 10_000,
        until: (r) => r[0]!.partitions.every((x) => Number(x.offset) > 4999),
      });
      const ends = await t.admin.fetchTopicOffsets(t.names.sealed);
      // After the last entry; only the last transaction's commit marker (one offset) may follow it.
      for (const x of committed[0]!.partitions) {
        expect(Number(x.offset)).toBe(Number(ends.find((e) => e.partition === x.partition)!.high) - 1);
        // The commit names the last manifest: recovery lists S3 from there instead of the whole history.
        expect(x.metadata).toBe(archiveLayout(PREFIX).manifestKey(t.writer.chainIdOf(x.partition), 4000, 4999));
      }
      // A signed checkpoint of the archived head.
      const layout = archiveLayout(PREFIX);
      const checkpoints = await waitFor(() => listAll(t.store, layout.checkpointsPrefix(t.writer.chainIdOf(0))), { description: 'a checkpoint of chain 0', timeoutMs: 10_000, until: (l) => l.length > 0 });
      const cp = parseCheckpoint((await t.store.get(checkpoints.at(-1)!.key))!);
      expect(cp.headSeq).toBe(4999);
      expect(verifyCheckpointSignature(cp, createKeyring([publicKeyEntry(t.key, new Date(Date.now() - 60_000))]))).toMatchObject({ ok: true });
      // Deleting an archived object version is refused by the bucket.
      const segKey = layout.segmentKey(t.writer.chainIdOf(0), 0, 999);
      const [version] = await t.store.listVersions(segKey);
      await expect(t.s3.client.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: segKey, VersionId: version!.versionId }))).rejects.toMatchObject({ name: 'AccessDenied' });
      const metrics = await t.registry.getSingleMetricAsString('auditseal_archiver_entries_archived_total');
      expect(metrics).toContain('auditseal_archiver_entries_archived_total 20000');
    });
  });

  describe('when two instances share the partitions and one leaves while entries flow', () => {
    it('the other takes over and the archive is complete: no gap, no overlap, no duplicate object', async () => {
      const t = await setup(4, { ARCHIVER_SEGMENT_MAX_ENTRIES: '300', ARCHIVER_SEGMENT_MAX_AGE_MS: '700' });
      const other = createArchiver(t.config, { logger: silent, metrics: createArchiverMetrics(new Registry()), signingKey: t.key, keyNotBefore: new Date(Date.now() - 60_000), s3Client: t.s3.client, tickMs: 200 });
      cleanup.add('second archiver', () => other.stop());
      await Promise.all([t.archiver.start(), other.start()]);
      await waitFor(() => [...t.archiver.snapshot().partitions, ...other.snapshot().partitions], {
        description: 'the 4 partitions shared by the two instances',
        timeoutMs: 30_000,
        until: (ps) => ps.length === 4 && ps.every((p) => p.state === 'active'),
      });
      const partitions = [0, 1, 2, 3];
      for (let round = 0; round < 6; round++) {
        await t.writer.write(partitions, 250, 125);
        if (round === 2) await other.stop();
      }
      await waitFor(() => t.archiver.snapshot().partitions, {
        description: 'the remaining instance archived every partition to seq 1499',
        timeoutMs: 60_000,
        intervalMs: 250,
        until: (ps) => ps.length === 4 && ps.every((p) => p.archivedHeadSeq === 1499),
      });
      for (const p of partitions) {
        const archived = await readArchivedChain(t.store, t.writer.chainIdOf(p));
        expect(archived.manifestKeys.map((k) => k.replace(/\.manifest\.json$/, ''))).toEqual(archived.segmentKeys.map((k) => k.replace(/\.avro$/, '')));
        let next = 0;
        for (const m of archived.manifests) {
          expect(m.firstSeq).toBe(next);
          next = m.lastSeq + 1;
        }
        expect(next).toBe(1500);
        const sealed = t.writer.values.get(p)!.map((v) => v.subarray(10));
        expect(archived.records.length).toBe(sealed.length);
        archived.records.forEach((r, i) => expect(Buffer.compare(r, sealed[i]!)).toBe(0));
        for (const key of [...archived.segmentKeys, ...archived.manifestKeys]) expect(await t.store.listVersions(key)).toHaveLength(1);
      }
    });
  });

  describe('when someone else placed an object at the next segment key', () => {
    it('refuses to continue that partition, says why, and overwrites nothing', async () => {
      const t = await setup(1, { ARCHIVER_SEGMENT_MAX_ENTRIES: '100', ARCHIVER_SEGMENT_MAX_AGE_MS: '600000' });
      await t.writer.write([0], 100);
      await t.archiver.start();
      await waitFor(() => t.archiver.snapshot().partitions[0]?.archivedHeadSeq, { description: 'first segment archived', timeoutMs: 30_000, until: (s) => s === 99 });
      const layout = archiveLayout(PREFIX);
      const nextKey = layout.segmentKey(t.writer.chainIdOf(0), 100, 199);
      await t.store.putOnce(nextKey, Buffer.from('not a segment of this chain'), { lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + DAY) });
      await t.writer.write([0], 100);
      const stopped = await waitFor(() => t.archiver.snapshot().partitions[0], { description: 'partition stopped', timeoutMs: 30_000, until: (p) => p?.state === 'stopped' });
      expect(stopped!.stop).toMatchObject({ kind: 'conflict' });
      expect(stopped!.stop!.message).toContain(nextKey);
      expect(await t.store.head(layout.manifestKeyFor(nextKey))).toBeUndefined();
      expect(Buffer.from((await t.store.get(nextKey))!).toString()).toBe('not a segment of this chain');
      expect(await t.registry.getSingleMetricAsString('auditseal_archiver_alerts_total')).toContain('kind="conflict"} 1');
      expect(await t.registry.getSingleMetricAsString('auditseal_archiver_partition_stopped')).toContain('partition="0"} 1');
      expect(t.archiver.health.ready()).toMatchObject({ ready: false });
    });
  });

  describe('when the chain on audit.sealed is broken', () => {
    it('archives nothing past the break and stops the partition with a broken_chain alert', async () => {
      const t = await setup(1, { ARCHIVER_SEGMENT_MAX_ENTRIES: '50', ARCHIVER_SEGMENT_MAX_AGE_MS: '600000' });
      await t.writer.write([0], 50);
      // Skip seq 50..59: a gap.
      t.writer.entries(0, 10);
      await t.writer.write([0], 50);
      await t.archiver.start();
      const stopped = await waitFor(() => t.archiver.snapshot().partitions[0], { description: 'partition stopped', timeoutMs: 30_000, until: (p) => p?.state === 'stopped' });
      expect(stopped).toMatchObject({ archivedHeadSeq: 49, stop: { kind: 'broken_chain' } });
      const archived = await readArchivedChain(t.store, t.writer.chainIdOf(0));
      expect(archived.manifests.map((m) => [m.firstSeq, m.lastSeq])).toEqual([[0, 49]]);
    });
  });

  describe('at start', () => {
    it('refuses a bucket without Object Lock', async () => {
      const t = await setup(1);
      const { CreateBucketCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3');
      const plain = uniqueName('plain');
      await t.s3.client.send(new CreateBucketCommand({ Bucket: plain }));
      cleanup.add('plain bucket', () => t.s3.client.send(new DeleteBucketCommand({ Bucket: plain })));
      const config = loadArchiverConfig({ ...t.env, S3_BUCKET: plain });
      const archiver = createArchiver(config, { logger: silent, metrics: createArchiverMetrics(new Registry()), signingKey: t.key, keyNotBefore: new Date(), s3Client: t.s3.client });
      await expect(archiver.start()).rejects.toMatchObject({ code: 'object_lock_disabled' });
    });

    it('refuses credentials that can delete object versions when the probe is set to refuse', async () => {
      // The local gateway's root credentials may delete anything (it has no IAM): the probe must say so.
      const t = await setup(1);
      const config = loadArchiverConfig({ ...t.env, ARCHIVER_DELETE_PROBE: 'refuse' });
      const archiver = createArchiver(config, { logger: silent, metrics: createArchiverMetrics(new Registry()), signingKey: t.key, keyNotBefore: new Date(), s3Client: t.s3.client });
      await expect(archiver.start()).rejects.toMatchObject({ code: 'can_delete' });
    });
  });
});
