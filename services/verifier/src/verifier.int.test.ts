import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createS3ArchiveStore, listAll } from '@auditseal/archive';
import { decodeSealedEntry, encodeEvent, encodeSealedEntry, uuidv7 } from '@auditseal/codec';
import { chainId } from '@auditseal/core';
import { ensureTopics, fetchPartitionOffsets, readPartition, topicNames } from '@auditseal/kafka';
import { silentLogger } from '@auditseal/runtime';
import { createCleanup, createTestKafka, createTestS3, integrationEnv, saslIntegrationEnv, uniqueName, waitFor } from '@auditseal/testkit';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { Registry } from 'prom-client';
import type { AlertV1 } from './alert';
import { loadVerifierConfig } from './config';
import { createVerifierMetrics } from './metrics';
import { createVerifier, type Verifier } from './verifier';

/**
 * The verifier against the real pipeline: the chainer and the archiver run as
 * child processes (their built main.js, as in production) on local Kafka and
 * versitygw; the verifier runs in-process so the test drives its passes. The
 * scenarios build on each other in order: a clean run, then each tamper or
 * loss must show up in audit.alerts exactly once with its evidence, then a
 * restart raises nothing again.
 */

const repo = resolve(__dirname, '..', '..', '..');
const CLUSTER = 'vit';
const ARCHIVE_PREFIX = 'verifier-it';
const PARTITIONS = 4;
const STALL_MS = 3_000;

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

function spawnService(name: 'chainer' | 'archiver', env: Record<string, string>): Child {
  const main = join(repo, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { process: child, output: () => text, exited: new Promise((r) => child.on('exit', r)) };
}

async function produceEvents(kafka: Kafka, topic: string, count: number, from = 0): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = from; start < from + count; start += 250) {
      const messages: Message[] = [];
      for (let i = start; i < Math.min(from + count, start + 250); i++) {
        const tenant = `tenant-${i % 7}`;
        const value = encodeEvent({
          eventId: uuidv7(),
          eventTime: Date.now() * 1000,
          tenant,
          actor: { type: 'user', id: `user-${i % 13}` },
          action: 'invoice.approve',
          target: { type: 'invoice', id: `inv-${i}` },
          outcome: 'SUCCESS',
          source: { service: 'billing', instance: 'billing-1' },
          attributes: { i: String(i) },
        });
        messages.push({ partition: i % PARTITIONS, key: tenant, value });
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

async function readAll(kafka: Kafka, admin: Parameters<typeof fetchPartitionOffsets>[0], topic: string) {
  const out: Array<{ partition: number; offset: number; key: Buffer | null; value: Buffer | null }> = [];
  for (const [partition, range] of await fetchPartitionOffsets(admin, topic)) {
    for await (const r of readPartition({ kafka, topic, partition, fromOffset: range.logStartOffset, endOffset: range.endOffset, logger: silentLogger, groupIdPrefix: 'verifier-it-read' })) out.push({ partition, ...r });
  }
  return out;
}

describe('verifier (real Kafka and S3; chainer and archiver as child processes)', () => {
  const cleanup = createCleanup();
  afterAll(() => cleanup.run());

  let kafka: ReturnType<typeof createTestKafka>;
  let admin: Awaited<ReturnType<ReturnType<typeof createTestKafka>['admin']>>;
  let names: ReturnType<typeof topicNames>;
  let bucket: string;
  let s3: ReturnType<typeof createTestS3>;
  let archiver: Child;
  let chainer: Child;
  let verifierEnv: Record<string, string>;
  let verifier: Verifier;
  let registry: Registry;
  const chain = (p: number) => chainId({ cluster: CLUSTER, topic: names.events, partition: p });

  const alerts = async () => (await readAll(kafka.kafka, admin, names.alerts)).map((r) => JSON.parse(r.value!.toString('utf8')) as AlertV1);
  const newVerifier = async (env: Record<string, string> = {}) => {
    registry = new Registry();
    const v = createVerifier(loadVerifierConfig({ ...verifierEnv, ...env }, 'it-verifier'), { logger: silentLogger, metrics: createVerifierMetrics(registry), s3Client: s3.client, loop: false });
    cleanup.add('verifier', () => v.stop());
    await v.start();
    return v;
  };
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name) as unknown as { values: Array<{ labels: Record<string, string>; value: number }> } | undefined;
    return (m?.values ?? []).filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
  };
  const archivedEntries = async () => {
    const keys = await listAll(createS3ArchiveStore({ client: s3.client, bucket }), `${ARCHIVE_PREFIX}/v1/`);
    return keys
      .map((k) => /\/(\d{20})-(\d{20})\.manifest\.json$/.exec(k.key))
      .filter((m): m is RegExpExecArray => m !== null)
      .reduce((n, m) => n + Number(m[2]) - Number(m[1]) + 1, 0);
  };

  beforeAll(async () => {
    kafka = createTestKafka({ cleanup });
    s3 = createTestS3({ cleanup });
    admin = await kafka.admin();
    const prefix = `${uniqueName('verif')}.`;
    names = topicNames(prefix);
    await ensureTopics(admin, names, { partitions: PARTITIONS, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
    cleanup.add('topics', () => admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined));
    bucket = await s3.createLockedBucket(undefined, 'verifier');
    const common = { KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_CLUSTER: CLUSTER, AUDITSEAL_TOPIC_PREFIX: prefix, AUDITSEAL_MIN_INSYNC_REPLICAS: '1', HTTP_PORT: '0', LOG_LEVEL: 'warn' };
    const s3Env = { S3_ENDPOINT: s3.settings.endpoint, S3_REGION: s3.settings.region, S3_ACCESS_KEY_ID: s3.settings.accessKeyId, S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey, S3_BUCKET: bucket, ARCHIVE_PREFIX };
    chainer = spawnService('chainer', { ...common, CHAINER_SESSION_TIMEOUT_MS: '6000' });
    archiver = spawnService('archiver', {
      ...common,
      ...s3Env,
      ARCHIVER_DEV_KEY: 'true',
      ARCHIVER_SIGNING_KEY: join(mkdtempSync(join(tmpdir(), 'verifier-it-')), 'key.json'),
      ARCHIVER_DELETE_PROBE: 'warn',
      ARCHIVER_RETENTION_DAYS: '1',
      ARCHIVER_SEGMENT_MAX_ENTRIES: '250',
      ARCHIVER_SEGMENT_MAX_AGE_MS: '500',
      ARCHIVER_CHECKPOINT_INTERVAL_MS: '1000',
      ARCHIVER_SESSION_TIMEOUT_MS: '6000',
    });
    cleanup.add('children', () => [chainer, archiver].forEach((c) => c.process.kill('SIGKILL')));
    verifierEnv = { ...common, ...s3Env, VERIFIER_RETENTION_DAYS: '1', VERIFIER_MAX_ARCHIVE_DELAY_MS: String(STALL_MS), VERIFIER_MANIFEST_GRACE_MS: '60000' };
    await produceEvents(kafka.kafka, names.events, 3_000);
    await waitFor(archivedEntries, { description: `3,000 entries archived (chainer: ${chainer.output().slice(-500)} archiver: ${archiver.output().slice(-500)})`, until: (n) => n === 3_000, timeoutMs: 60_000, intervalMs: 250 });
    verifier = await newVerifier();
  }, 90_000);

  it('a clean run of 3,000 events: zero findings; entries and segments verified', async () => {
    const pass = await verifier.runPass();
    expect(pass).toMatchObject({ findings: 0, newFindings: 0, partitions: PARTITIONS, entries: 3_000 });
    expect(pass.segments).toBeGreaterThanOrEqual(12);
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'archive' })).toBe(3_000);
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'sealed' })).toBe(3_000);
    expect(await metric('auditseal_verifier_segments_verified_total', { result: 'valid' })).toBe(pass.segments);
    expect(await metric('auditseal_verifier_last_full_pass_timestamp_seconds')).toBeGreaterThan(0);
    expect(await metric('auditseal_verifier_chainer_lag')).toBe(0);
    expect(await alerts()).toEqual([]);
  }, 60_000);

  /** `node services/verifier/dist/main.js` (as deployed: partition worker threads) with the test's environment. */
  async function startVerifierProcess(env: Record<string, string>) {
    const main = join(repo, 'services', 'verifier', 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...verifierEnv, VERIFIER_S3_SCAN_INTERVAL_MS: '300', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.add('verifier process', () => child.kill('SIGKILL'));
    let text = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const port = await waitFor(() => /"msg":"serving \/healthz \/readyz \/metrics".*?"port":(\d+)/.exec(text)?.[1], {
      description: 'the verifier to log its port',
      until: (p) => p !== undefined,
      timeoutMs: 20_000,
    });
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    const stop = async () => {
      child.kill('SIGTERM');
      return exited;
    };
    return { get, stop, output: () => text };
  }

  it('`node services/verifier/dist/main.js` runs passes continuously, serves /readyz and /metrics, and exits 0 on SIGTERM', async () => {
    const { get, stop } = await startVerifierProcess({ VERIFIER_WORKERS: '2' });
    const metricValue = (body: string, series: string) => Number(body.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? NaN);
    await waitFor(() => get('/metrics'), {
      description: 'two passes of the running service',
      until: (m) => metricValue(m.body, 'auditseal_verifier_pass_duration_seconds_count') >= 2,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    // Every pass after the first is incremental: it re-hashes the segments and parses nothing again.
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, detail: { raisedFindings: 0, lastPass: { findings: 0, entries: 3_000, newEntries: 0, full: false, partitions: PARTITIONS } } });
    expect((await get('/healthz')).status).toBe(200);
    const metrics = (await get('/metrics')).body;
    expect(metricValue(metrics, 'auditseal_verifier_entries_verified_total{source="archive"}')).toBe(3_000);
    expect(metricValue(metrics, 'auditseal_verifier_entries_verified_total{source="sealed"}')).toBe(3_000);
    expect(metricValue(metrics, 'auditseal_verifier_open_findings{severity="critical"}')).toBe(0);
    expect(await stop()).toBe(0);
    expect(await alerts()).toEqual([]);
  }, 60_000);

  it('the service authenticates with SASL/SCRAM-SHA-512 in its main thread and its partition worker threads', async () => {
    const sasl = saslIntegrationEnv();
    const { get, stop, output } = await startVerifierProcess({
      VERIFIER_WORKERS: '2',
      KAFKA_BROKERS: sasl.brokers.join(','),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: sasl.username,
      KAFKA_SASL_PASSWORD: sasl.password,
    });
    // A pass reads every partition of audit.sealed in the workers: only possible once they authenticated.
    const ready = await waitFor(() => get('/readyz'), { description: 'a first pass over SASL', until: (r) => r.status === 200, timeoutMs: 30_000, intervalMs: 200 });
    expect(JSON.parse(ready.body)).toMatchObject({ detail: { raisedFindings: 0, lastPass: { findings: 0, entries: 3_000, partitions: PARTITIONS } } });
    expect(output()).toContain('"msg":"partition workers started","workers":2');
    expect(output()).toContain(`"sasl":{"mechanism":"SCRAM-SHA-512","username":"${sasl.username}"}`);
    expect(output()).not.toContain(sasl.password);
    expect(await stop()).toBe(0);
  }, 60_000);

  it('passes after the first are incremental: verified segments are re-hashed, and only new entries are read and checked', async () => {
    const again = await verifier.runPass();
    expect(again).toMatchObject({ full: false, findings: 0, entries: 3_000, newEntries: 0, segments: expect.any(Number) });
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'archive' })).toBe(3_000);
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'sealed' })).toBe(3_000);
    await produceEvents(kafka.kafka, names.events, 100, 3_000);
    await waitFor(archivedEntries, { description: '3,100 entries archived', until: (n) => n === 3_100, timeoutMs: 30_000, intervalMs: 250 });
    const next = await verifier.runPass();
    expect(next).toMatchObject({ full: false, findings: 0, entries: 3_100, newEntries: 100 });
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'archive' })).toBe(3_100);
    expect(await metric('auditseal_verifier_entries_verified_total', { source: 'sealed' })).toBe(3_100);
    expect(await alerts()).toEqual([]);
  }, 60_000);

  it('bytes changed in a segment file on the gateway\'s disk → segment_sha256_mismatch, once', async () => {
    const dir = integrationEnv().localS3DataDir;
    if (!dir) throw new Error('LOCAL_S3_DATA_DIR is not set: this test edits the local gateway\'s files');
    const keys = await listAll(createS3ArchiveStore({ client: s3.client, bucket }), `${ARCHIVE_PREFIX}/v1/${chain(0)}/segments/`);
    const key = keys.map((k) => k.key).find((k) => k.endsWith('.avro'))!;
    const fd = openSync(join(dir, bucket, ...key.split('/')), 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 200);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, 200);
    closeSync(fd);
    await verifier.runPass();
    await verifier.runPass();
    const found = (await alerts()).filter((a) => a.kind === 'segment_sha256_mismatch');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'critical', chainId: chain(0), object: { key }, verifierInstance: 'it-verifier' });
    expect(found[0]!.expected).toMatch(/^[0-9a-f]{64}$/);
    expect(found[0]!.actual).not.toBe(found[0]!.expected);
    expect(await metric('auditseal_verifier_findings_total', { kind: 'segment_sha256_mismatch', severity: 'critical' })).toBe(1);
  }, 60_000);

  it('a forged entry written to audit.sealed by a non-transactional producer → bad_hash at its offset, once', async () => {
    const sealed = (await readAll(kafka.kafka, admin, names.sealed)).filter((r) => r.partition === 1);
    const last = decodeSealedEntry(sealed[sealed.length - 1]!.value!);
    const forged = encodeSealedEntry({ ...last, seq: last.seq + 1, sourceOffset: last.sourceOffset + 1, prevHash: last.hash, value: Buffer.from('forged'), kind: 'REJECTED', rejectReason: 'MALFORMED', rejectDetail: 'x', hash: randomBytes(32) });
    const producer = kafka.producer({ idempotent: false });
    await producer.connect();
    const [meta] = await producer.send({ topic: names.sealed, acks: -1, messages: [{ partition: 1, value: forged }] });
    await producer.disconnect();
    await verifier.runPass();
    await verifier.runPass();
    const found = (await alerts()).filter((a) => a.kind === 'bad_hash');
    expect(found).toHaveLength(1);
    const offset = Number(meta!.baseOffset);
    expect(found[0]).toMatchObject({ severity: 'critical', chainId: chain(1), seqRange: { first: last.seq + 1, last: last.seq + 1 }, offsets: { topic: 'sealed', partition: 1, first: offset, last: offset } });
  }, 60_000);

  it('records deleted from audit.events and from audit.sealed → input_truncated and sealed_truncated, once each', async () => {
    // kafkajs finds the partition leaders in its cached metadata before loading the topic's: load it first.
    await admin.fetchTopicOffsets(names.events);
    await admin.fetchTopicOffsets(names.sealed);
    await admin.deleteTopicRecords({ topic: names.events, partitions: [{ partition: 2, offset: '10' }] });
    await admin.deleteTopicRecords({ topic: names.sealed, partitions: [{ partition: 3, offset: '10' }] });
    await verifier.runPass();
    await verifier.runPass();
    const all = await alerts();
    const input = all.filter((a) => a.kind === 'input_truncated');
    expect(input).toHaveLength(1);
    expect(input[0]).toMatchObject({ chainId: chain(2), actual: '10', offsets: { topic: 'events', partition: 2 } });
    const sealed = all.filter((a) => a.kind === 'sealed_truncated');
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).toMatchObject({ chainId: chain(3), actual: '10', offsets: { topic: 'sealed', partition: 3 } });
  }, 60_000);

  it('an archive that stops advancing while events flow → archive_stalled after the threshold, once per chain', async () => {
    archiver.process.kill('SIGTERM');
    await archiver.exited;
    await produceEvents(kafka.kafka, names.events, 400, 3_000);
    await new Promise((r) => setTimeout(r, STALL_MS + 500));
    await waitFor(
      async () => {
        await verifier.runPass();
        return (await metric('auditseal_verifier_chainer_lag')) + (await metric('auditseal_verifier_archive_lag_entries', { partition: '0' }) === 100 ? 0 : 1);
      },
      { description: 'the chainer to seal the 400 new events', until: (n) => n === 0, timeoutMs: 30_000, intervalMs: 200 },
    );
    const stalled = (await alerts()).filter((a) => a.kind === 'archive_stalled');
    const p0 = stalled.filter((a) => a.chainId === chain(0));
    expect(p0).toHaveLength(1);
    expect(p0[0]).toMatchObject({ severity: 'high', seqRange: { first: 775, last: 775 } });
    expect(await metric('auditseal_verifier_archive_lag_entries', { partition: '0' })).toBe(100);
    expect(await metric('auditseal_verifier_archive_lag_seconds', { partition: '0' })).toBeGreaterThan(STALL_MS / 1000);
  }, 60_000);

  it('a restarted verifier loads the raised findings from audit.alerts and raises none again', async () => {
    const before = await alerts();
    expect(new Set(before.map((a) => a.id)).size).toBe(before.length);
    await verifier.stop();
    verifier = await newVerifier();
    expect(verifier.raised.size).toBe(before.length);
    const pass = await verifier.runPass();
    expect(pass.newFindings).toBe(0);
    expect(pass.findings).toBeGreaterThanOrEqual(5);
    expect(await alerts()).toHaveLength(before.length);
    expect(await metric('auditseal_verifier_findings_total')).toBe(0);
    expect(await metric('auditseal_verifier_open_findings', { severity: 'critical' })).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('the service verifying in partition worker threads finds the same open findings as one in-process pass', async () => {
    const inProcess = await verifier.runPass();
    const service = await startVerifierProcess({ VERIFIER_WORKERS: '2' });
    const ready = await waitFor(async () => JSON.parse((await service.get('/readyz')).body) as { detail: { lastPass?: { findings: number; newFindings: number } } }, {
      description: 'a pass of the service',
      until: (r) => r.detail.lastPass !== undefined,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(ready.detail.lastPass).toMatchObject({ findings: inProcess.findings, newFindings: 0 });
    expect(await service.stop()).toBe(0);
  }, 60_000);

  it('two shards (VERIFIER_SHARDS=2) verify two partitions each, and together find the open findings one instance finds', async () => {
    const whole = await verifier.runPass();
    const passes = [];
    for (const shard of ['0', '1']) {
      const v = await newVerifier({ VERIFIER_SHARDS: '2', VERIFIER_SHARD: shard });
      passes.push(await v.runPass());
      await v.stop();
    }
    expect(passes.map((p) => p.partitions)).toEqual([2, 2]);
    expect(passes.map((p) => p.newFindings)).toEqual([0, 0]);
    expect(passes.every((p) => p.findings > 0)).toBe(true);
    expect(passes[0]!.findings + passes[1]!.findings).toBe(whole.findings);
    expect(passes[0]!.entries + passes[1]!.entries).toBe(whole.entries);
  }, 90_000);
});
