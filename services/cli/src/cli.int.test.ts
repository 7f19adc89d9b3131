import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, unlinkSync, writeFileSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { archiveLayout, createS3ArchiveStore, listAll, parseManifest, serializeManifest, signManifest } from '@auditseal/archive';
import { encodeSealedEntry } from '@auditseal/codec';
import { createCleanup, createTestKafka, createTestS3, integrationEnv, saslIntegrationEnv, uniqueName, type TestS3 } from '@auditseal/testkit';
import { buildFixtureArchive, keyringJson, OTHER_KEY, writeFixtureToStore, type FixtureArchive } from './testing/archive-fixture';

/**
 * The CLI as users run it (`node services/cli/dist/main.js`, built first)
 * against the real S3 gateway with Object Lock and the real Kafka. Tamper
 * cases act as an attacker would: editing or deleting the gateway's object
 * files on disk (LOCAL_S3_DATA_DIR/<bucket>/<key>), or writing through S3.
 */

const mainJs = resolve(__dirname, '..', 'dist', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [mainJs, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      res({ code: error ? ((error as { code?: number }).code ?? 99) : 0, stdout, stderr });
    });
  });
}

describe('auditseal CLI (real S3 with Object Lock, real Kafka)', () => {
  const cleanup = createCleanup();
  let s3: TestS3;
  let fixture: FixtureArchive;
  let work: string;
  let keyring: string;
  let s3Env: Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npx turbo run build)`);
    s3 = createTestS3({ cleanup });
    fixture = await buildFixtureArchive({ entriesPerChain: 25, segmentSize: 10 });
    work = mkdtempSync(join(tmpdir(), 'auditseal-cli-it-'));
    keyring = join(work, 'keyring.json');
    writeFileSync(keyring, keyringJson());
    const { s3: settings } = integrationEnv();
    s3Env = { S3_ENDPOINT: settings.endpoint, S3_REGION: settings.region, S3_ACCESS_KEY_ID: settings.accessKeyId, S3_SECRET_ACCESS_KEY: settings.secretAccessKey, ARCHIVE_PREFIX: fixture.prefix };
  });
  afterAll(async () => {
    await cleanup.run();
    rmSync(work, { recursive: true, force: true });
  });

  /** A fresh locked bucket holding the fixture archive, put once under COMPLIANCE like the archiver does. */
  async function archiveBucket(): Promise<string> {
    const bucket = await s3.createLockedBucket(undefined, 'cli');
    await writeFixtureToStore(fixture, createS3ArchiveStore({ client: s3.client, bucket }));
    return bucket;
  }

  const verify = (bucket: string, ...extra: string[]) => cli(['verify-archive', '--bucket', bucket, '--keyring', keyring, '--json', ...extra], s3Env);
  const kinds = (run: Run) => JSON.parse(run.stdout).report.counts.byKind as Record<string, number>;
  const fileOf = (bucket: string, key: string) => {
    const dir = integrationEnv().localS3DataDir;
    if (!dir) throw new Error('LOCAL_S3_DATA_DIR is not set: the tamper tests edit the local gateway\'s files');
    return join(dir, bucket, ...key.split('/'));
  };

  describe('verify-archive', () => {
    it('a clean archive: exit 0, zero problems, retention checked', async () => {
      const bucket = await archiveBucket();
      const human = await cli(['verify-archive', '--bucket', bucket, '--keyring', keyring, '--retention-days', '0'], s3Env);
      expect(human.stderr).toBe('');
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('0 problems');
      expect(human.stdout).toContain('retention    checked');
      expect(human.stdout).toMatch(/VERDICT: VERIFIED/);
      const json = await verify(bucket);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'verified', retention: { checked: true }, report: { counts: { findings: 0, segments: { valid: 6, invalid: 0, missing: 0 } } } });
    });

    it('bytes changed in a stored segment file → segment_sha256_mismatch, exit 1', async () => {
      const bucket = await archiveBucket();
      const key = fixture.segmentKeys[1]!;
      const fd = openSync(fileOf(bucket, key), 'r+');
      const byte = Buffer.alloc(1);
      readSync(fd, byte, 0, 1, 200);
      byte[0]! ^= 0xff;
      writeSync(fd, byte, 0, 1, 200);
      closeSync(fd);
      const run = await verify(bucket);
      expect(run.code).toBe(1);
      expect(kinds(run)).toMatchObject({ segment_sha256_mismatch: 1 });
      const f = JSON.parse(run.stdout).report.findings.find((x: { kind: string }) => x.kind === 'segment_sha256_mismatch');
      expect(f).toMatchObject({ severity: 'critical', object: { key }, seqs: { first: 10, last: 19 } });
      expect(f.expected).not.toBe(f.actual);
    });

    it('a segment file deleted from disk → segment_missing, exit 1', async () => {
      const bucket = await archiveBucket();
      const key = fixture.segmentKeys[0]!;
      unlinkSync(fileOf(bucket, key));
      const run = await verify(bucket);
      expect(run.code).toBe(1);
      expect(kinds(run)).toMatchObject({ segment_missing: 1 });
      expect(JSON.parse(run.stdout).report.findings.find((x: { kind: string }) => x.kind === 'segment_missing')).toMatchObject({ object: { key }, seqs: { first: 0, last: 9 } });
    });

    it('a manifest replaced on disk (re-signed by a key the auditor does not trust) → manifest_signature_invalid, exit 1', async () => {
      const bucket = await archiveBucket();
      const key = fixture.manifestKeys[2]!;
      const original = parseManifest(readFileSync(fileOf(bucket, key)));
      const forged = signManifest({ ...original, createdAt: original.createdAt, retainUntil: original.retainUntil }, OTHER_KEY);
      writeFileSync(fileOf(bucket, key), serializeManifest(forged));
      const run = await verify(bucket);
      expect(run.code).toBe(1);
      expect(kinds(run)).toMatchObject({ manifest_signature_invalid: 1 });
      expect(JSON.parse(run.stdout).report.findings[0]).toMatchObject({ kind: 'manifest_signature_invalid', object: { key }, actual: 'unknown_key' });
    });

    it('a new object version PUT on top of a segment → extra_object_version, exit 1', async () => {
      const bucket = await archiveBucket();
      const key = fixture.segmentKeys[3]!;
      const bytes = readFileSync(fileOf(bucket, key));
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
      const run = await verify(bucket);
      expect(run.code).toBe(1);
      expect(kinds(run)).toMatchObject({ extra_object_version: 1 });
      expect(JSON.parse(run.stdout).report.findings.find((x: { kind: string }) => x.kind === 'extra_object_version')).toMatchObject({ severity: 'critical', object: { key } });
    });

    it('objects written without a lock (a new key, a segment-like key) → unexpected_key, object_unlocked, exit 1', async () => {
      const bucket = await archiveBucket();
      const stray = `${fixture.prefix}/v1/notes.txt`;
      const layout = archiveLayout(fixture.prefix);
      const segmentLike = layout.segmentKey(fixture.chains[0]!, 25, 29);
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: stray, Body: 'hello' }));
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: segmentLike, Body: readFileSync(fileOf(bucket, fixture.segmentKeys[0]!)) }));
      const run = await verify(bucket);
      expect(run.code).toBe(1);
      const found = JSON.parse(run.stdout).report.findings as Array<{ kind: string; object?: { key: string } }>;
      expect(found).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'unexpected_key', object: expect.objectContaining({ key: stray }) })]));
      expect(found).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'object_unlocked', object: expect.objectContaining({ key: segmentLike }) })]));
    });

    it('a local copy of the bucket (downloaded) → exit 0, retention reported as not checked', async () => {
      const bucket = await archiveBucket();
      const store = createS3ArchiveStore({ client: s3.client, bucket });
      const copy = join(work, `copy-${bucket}`);
      for (const o of await listAll(store, '')) {
        const path = join(copy, ...o.key.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, (await store.get(o.key))!);
      }
      const run = await cli(['verify-archive', '--dir', copy, '--keyring', keyring]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('retention    NOT checked: a local copy has no Object Lock metadata');
      expect(run.stdout).toMatch(/VERDICT: VERIFIED/);
    });

    it('an unreachable S3 endpoint → exit 2 naming the endpoint and how to start the infrastructure', async () => {
      const run = await cli(['verify-archive', '--bucket', 'b'], { ...s3Env, S3_ENDPOINT: 'http://127.0.0.1:9' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('cannot reach s3://b at http://127.0.0.1:9');
      expect(run.stderr).toContain('npm run infra:up');
    });
  });

  describe('prove, verify-proof and export over S3', () => {
    let bucket: string;
    beforeAll(async () => {
      bucket = await archiveBucket();
    });

    it('prove → verify-proof round trip (exit 0); a tampered bundle → exit 1', async () => {
      const event = fixture.events[20]!;
      const out = join(work, 'bundle.json');
      const prove = await cli(['prove', event.eventId, '--bucket', bucket, '--keyring', keyring, '--out', out], s3Env);
      expect(prove.code).toBe(0);
      expect(prove.stderr).toContain(`wrote evidence bundle ${out}`);
      const ok = await cli(['verify-proof', out, '--keyring', keyring]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^VALID/m);
      const bundle = JSON.parse(readFileSync(out, 'utf8'));
      bundle.inclusion.proof[0] = bundle.inclusion.proof[0].replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
      writeFileSync(out, JSON.stringify(bundle));
      const bad = await cli(['verify-proof', out, '--keyring', keyring]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/INVALID: inclusion proof: root_mismatch/);
    });

    it('export filters and says it verified each segment', async () => {
      const run = await cli(['export', '--bucket', bucket, '--keyring', keyring, '--tenant', 'globex', '--format', 'jsonl'], s3Env);
      expect(run.code).toBe(0);
      const ids = run.stdout.trim().split('\n').map((l) => JSON.parse(l).eventId);
      expect(ids).toEqual(fixture.events.filter((e) => e.tenant === 'globex').map((e) => e.eventId));
      expect(run.stderr).toMatch(/from 6 segments, each verified/);
    });

    it('export refuses a segment that fails verification (exit 1)', async () => {
      const tampered = await archiveBucket();
      const fd = openSync(fileOf(tampered, fixture.segmentKeys[4]!), 'r+');
      writeSync(fd, Buffer.from([0x00, 0x01, 0x02]), 0, 3, 300);
      closeSync(fd);
      const out = join(work, 'refused.jsonl');
      const run = await cli(['export', '--bucket', tampered, '--keyring', keyring, '--out', out], s3Env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`segment ${fixture.segmentKeys[4]} failed verification: SHA-256`);
      expect(existsSync(out)).toBe(false);
    });
  });

  describe('topics and status (real Kafka)', () => {
    it('topics ensure creates the topics and check judges them; status shows chain heads, archived heads, lag and alerts', async () => {
      const kafka = createTestKafka({ cleanup });
      const prefix = `${uniqueName('cli')}.`;
      const env = { ...s3Env, KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_TOPIC_PREFIX: prefix };
      cleanup.add('topics', async () => {
        const admin = await kafka.admin();
        await admin.deleteTopics({ topics: ['audit.events', 'audit.sealed', 'audit.alerts'].map((t) => prefix + t) }).catch(() => undefined);
      });
      const check1 = await cli(['topics', 'check', '--min-insync-replicas', '1'], env);
      expect(check1.code).toBe(1);
      expect(check1.stdout).toContain('existence is missing');
      const ensure = await cli(['topics', 'ensure', '--partitions', '2', '--replication-factor', '1', '--min-insync-replicas', '1', '--json'], env);
      expect(ensure.code).toBe(0);
      expect(JSON.parse(ensure.stdout)).toMatchObject({ safe: true, created: [`${prefix}audit.events`, `${prefix}audit.sealed`, `${prefix}audit.alerts`] });
      const check2 = await cli(['topics', 'check', '--min-insync-replicas', '2'], env);
      expect(check2.code).toBe(1);
      expect(check2.stdout).toMatch(/min.insync.replicas is 1, must be >= 2/);
      // status: chain 0 sealed up to seq 24 on Kafka but archived up to 19; one alert on audit.alerts.
      const chainsFixture = await buildFixtureArchive({ topic: `${prefix}audit.events`, partitions: [0, 1], entriesPerChain: 25, segmentSize: 10 });
      const statusBucket = await s3.createLockedBucket(undefined, 'cli-status');
      const lastSegment = chainsFixture.segmentKeys[2]!;
      const withheld = new Set([lastSegment, lastSegment.replace(/\.avro$/, '.manifest.json')]);
      await writeFixtureToStore({ ...chainsFixture, objects: chainsFixture.objects.filter((o) => !withheld.has(o.key)) }, createS3ArchiveStore({ client: s3.client, bucket: statusBucket }));
      const producer = kafka.producer({ transactionalId: uniqueName('cli-sealed-writer'), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const tx = await producer.transaction();
      for (const [p, chain] of chainsFixture.chains.entries()) {
        await tx.send({ topic: `${prefix}audit.sealed`, acks: -1, messages: chainsFixture.entries.get(chain)!.map((e) => ({ partition: p, value: encodeSealedEntry(e) })) });
      }
      await tx.commit();
      await producer.send({ topic: `${prefix}audit.alerts`, acks: -1, messages: [{ value: JSON.stringify({ kind: 'segment_missing', severity: 'critical', chainId: chainsFixture.chains[0], message: 'segment x is missing' }) }] });
      await producer.disconnect();
      const status = await cli(['status', '--json', '--bucket', statusBucket], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        chains: [
          { partition: 0, chainId: chainsFixture.chains[0], sealed: { headSeq: 24 }, archived: { lastSeq: 19 }, archiveLagEntries: 5 },
          { partition: 1, chainId: chainsFixture.chains[1], sealed: { headSeq: 24 }, archived: { lastSeq: 24 }, archiveLagEntries: 0 },
        ],
        alerts: { records: 1, bySeverity: { critical: 1 }, byKind: { segment_missing: 1 } },
      });
      const human = await cli(['status', '--bucket', statusBucket], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('Alerts   1 on');
      expect(human.stdout).toMatch(/^0 +0–\d+ +24 /m);
      expect(human.stdout).toContain('Verifier not given (--verifier URL');
      // Each verifier instance's last pass, from its /readyz (stand-ins serving the verifier's documented body):
      // one instance alone, then the two shards of a sharded verifier.
      const lastPass = { at: '2026-11-27T03:00:00.000Z', durationMs: 412, partitions: 2, findings: 1, newFindings: 0, entries: 45, newEntries: 5, segments: 5, full: false };
      const readyz = async (shard: { index: number; count: number }) => {
        const server = createServer((req, res) => {
          res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ready: true, detail: { raisedFindings: 1, shard, lastPass } }));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        cleanup.add('readyz server', () => new Promise<void>((r) => server.close(() => r())));
        return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      };
      const url = await readyz({ index: 0, count: 1 });
      const withVerifier = await cli(['status', '--json', '--verifier', url], env);
      expect(withVerifier.code).toBe(0);
      expect(JSON.parse(withVerifier.stdout)).toMatchObject({ verifiers: [{ url, ready: true, shard: { index: 0, count: 1 }, raisedFindings: 1, lastPass }] });
      const humanVerifier = await cli(['status'], { ...env, AUDITSEAL_VERIFIER_URL: url });
      expect(humanVerifier.stdout).toContain(`Verifier ${url}: last incremental pass at 2026-11-27T03:00:00.000Z (412 ms): 1 open finding(s), 45 archived entries verified (5 new), 5 segments`);
      const shards = [await readyz({ index: 0, count: 2 }), await readyz({ index: 1, count: 2 })];
      const sharded = await cli(['status', '--verifier', shards[0]!, '--verifier', shards[1]!], env);
      expect(sharded.stdout).toContain(`Verifier ${shards[0]} (shard 0 of 2): last incremental pass`);
      expect(sharded.stdout).toContain(`Verifier ${shards[1]} (shard 1 of 2): last incremental pass`);
      const shardedFromEnv = await cli(['status', '--json'], { ...env, AUDITSEAL_VERIFIER_URL: `${shards[0]}, ${shards[1]}` });
      expect((JSON.parse(shardedFromEnv.stdout) as { verifiers: Array<{ url: string }> }).verifiers.map((v) => v.url)).toEqual(shards);
      const down = await cli(['status', '--verifier', 'http://127.0.0.1:9'], env);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/Verifier http:\/\/127\.0\.0\.1:9 unreachable: /);
      const bad = await cli(['status', '--verifier', 'not a url'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--verifier must be an http(s) URL');
    });

    it('an unreachable Kafka → exit 2 naming the brokers', async () => {
      const run = await cli(['topics', 'check'], { KAFKA_BROKERS: '127.0.0.1:9' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('cannot reach Kafka at 127.0.0.1:9');
      expect(run.stderr).toContain('npm run infra:up');
    });

    it('checks topics over SASL/SCRAM-SHA-512; a wrong password → exit 2 naming the user and mechanism, not the password', async () => {
      const sasl = saslIntegrationEnv();
      const env = { KAFKA_BROKERS: sasl.brokers.join(','), AUDITSEAL_TOPIC_PREFIX: `${uniqueName('cli-sasl')}.`, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: sasl.username };
      const ok = await cli(['topics', 'check', '--json'], { ...env, KAFKA_SASL_PASSWORD: sasl.password });
      // Connected and authenticated: the (missing) topics are judged, which is exit 1, not an environment error.
      expect(ok.code).toBe(1);
      expect(ok.stderr).not.toContain('authentication failed');
      expect(JSON.parse(ok.stdout)).toHaveProperty('topics');
      const wrong = await cli(['topics', 'check'], { ...env, KAFKA_SASL_PASSWORD: 'not-the-dev-password' });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(`auditseal topics: Kafka authentication failed for user "${sasl.username}" with mechanism SCRAM-SHA-512`);
      expect(wrong.stderr).not.toContain('not-the-dev-password');
      const incomplete = await cli(['topics', 'check'], { ...env, KAFKA_SASL_USERNAME: '' });
      expect(incomplete.code).toBe(2);
      expect(incomplete.stderr).toContain('KAFKA_SASL_USERNAME');
    });
  });
});
