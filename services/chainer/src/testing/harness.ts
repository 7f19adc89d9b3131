import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { decodeSealedEntry, encodeEvent, uuidv7, type AuditEvent, type SealedEntry, toCoreEntry } from '@auditseal/codec';
import { chainId, verifyChain } from '@auditseal/core';
import { ensureTopics, silentLogger, topicNames, type Logger, type TopicNames } from '@auditseal/kafka';
import { createTestKafka, uniqueName, waitFor, type Cleanup, type TestKafka } from '@auditseal/testkit';
import { Partitioners, type Admin, type Kafka, type Message } from 'kafkajs';
import { readSealedTails } from '../sealed-tail-reader';

/**
 * Helpers of the chainer's integration tests: topics, events, reading whole
 * partitions back, and the one check every test ends with — each chain
 * verifies and accounts 1:1 for the committed records of its input partition.
 */

export const silent: Logger = silentLogger;

export const mainJs = resolve(__dirname, '..', '..', 'dist', 'main.js');

export function sampleEvent(i: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: uuidv7(),
    eventTime: Date.now() * 1000,
    tenant: `tenant-${i % 7}`,
    actor: { type: 'user', id: `user-${i % 13}` },
    action: 'invoice.approve',
    target: { type: 'invoice', id: `inv-${i}` },
    outcome: 'SUCCESS',
    source: { service: 'billing', instance: 'billing-1' },
    attributes: { i: String(i) },
    ...overrides,
  };
}

/** Creates the three audit topics of `prefix` (single local broker: RF 1, min ISR 1). */
export async function createAuditTopics(admin: Admin, prefix: string, partitions: number): Promise<TopicNames> {
  const names = topicNames(prefix);
  await ensureTopics(admin, names, { partitions, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
  return names;
}

export interface TestTopics {
  kafka: TestKafka;
  admin: Admin;
  prefix: string;
  names: TopicNames;
  /** The chainer variables for these topics on the test Kafka (plain listener, one broker: min ISR 1). */
  env: Record<string, string>;
}

/**
 * A test's own audit topics (`<tag>-<unique>.audit.*`, `partitions` each) on
 * the test Kafka, deleted by `cleanup`, and the chainer variables that use them.
 */
export async function testTopics(cleanup: Cleanup, tag: string, partitions: number): Promise<TestTopics> {
  const kafka = createTestKafka({ cleanup });
  const admin = await kafka.admin();
  const prefix = `${uniqueName(tag)}.`;
  const names = await createAuditTopics(admin, prefix, partitions);
  cleanup.add('topics', () => admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }));
  const env = { KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_CLUSTER: 'test', AUDITSEAL_TOPIC_PREFIX: prefix, AUDITSEAL_MIN_INSYNC_REPLICAS: '1', CHAINER_SESSION_TIMEOUT_MS: '6000' };
  return { kafka, admin, prefix, names, env };
}

export async function deleteAuditTopics(admin: Admin, names: TopicNames): Promise<void> {
  await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
}

export interface ProduceOptions {
  topic: string;
  count: number;
  partitions: number;
  /** Concurrent producers, each writing its share. */
  producers?: number;
  /** Records per send call. */
  batch?: number;
  /** Pause between send calls of one producer (ms), to spread the load over time. */
  pauseMs?: number;
}

/** Writes `count` codec-encoded events round-robin over the partitions with idempotent acks=all producers. */
export async function produceEvents(kafka: Kafka, options: ProduceOptions): Promise<void> {
  const producerCount = options.producers ?? 3;
  const batch = options.batch ?? 200;
  let next = 0;
  await Promise.all(
    Array.from({ length: producerCount }, async () => {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        for (;;) {
          const start = next;
          const end = Math.min(options.count, start + batch);
          if (start >= end) return;
          next = end;
          const messages: Message[] = [];
          for (let i = start; i < end; i++) {
            const event = sampleEvent(i);
            messages.push({ partition: i % options.partitions, key: event.tenant, value: encodeEvent(event) });
          }
          await producer.send({ topic: options.topic, acks: -1, messages });
          if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
        }
      } finally {
        await producer.disconnect();
      }
    }),
  );
}

/** Every committed data record of every partition of `topic`, in offset order. */
export async function readWholeTopic(kafka: Kafka, admin: Admin, topic: string): Promise<Map<number, { offset: number; value: Uint8Array | null }[]>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return readSealedTails({
    kafka,
    topic,
    logger: silent,
    groupIdPrefix: 'test-read-all',
    initialWindow: Number.MAX_SAFE_INTEGER,
    timeoutMs: 60_000,
    requests: offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })),
  });
}

export interface ChainReport {
  partition: number;
  entries: SealedEntry[];
  events: number;
  rejected: number;
}

/**
 * The end-of-test check: for every partition p, chain p verifies from genesis
 * (core verifyChain) and its i-th entry has seq i and accounts for the i-th
 * committed record of events partition p — no gap, no duplicate, same order.
 */
export async function verifyChains(kafka: Kafka, admin: Admin, names: TopicNames, cluster: string): Promise<ChainReport[]> {
  const [inputs, sealed] = await Promise.all([readWholeTopic(kafka, admin, names.events), readWholeTopic(kafka, admin, names.sealed)]);
  const reports: ChainReport[] = [];
  for (const [partition, records] of [...inputs.entries()].sort(([a], [b]) => a - b)) {
    const id = chainId({ cluster, topic: names.events, partition });
    const entries = (sealed.get(partition) ?? []).map((r) => decodeSealedEntry(r.value ?? new Uint8Array(0)));
    const verification = verifyChain(entries.map(toCoreEntry), { chainId: id });
    if (!verification.ok) throw new Error(`chain ${id} does not verify: ${JSON.stringify(verification.failure)}`);
    const inputOffsets = records.map((r) => r.offset);
    const sourceOffsets = entries.map((e) => e.sourceOffset);
    if (inputOffsets.length !== sourceOffsets.length || inputOffsets.some((o, i) => o !== sourceOffsets[i])) {
      const firstDiff = inputOffsets.findIndex((o, i) => o !== sourceOffsets[i]);
      throw new Error(
        `chain ${id} does not account 1:1 for ${names.events}/${partition}: ${inputOffsets.length} input records, ${sourceOffsets.length} entries; first difference at index ${firstDiff} (input ${inputOffsets[firstDiff]}, entry ${sourceOffsets[firstDiff]})`,
      );
    }
    entries.forEach((e, i) => {
      if (e.seq !== i) throw new Error(`chain ${id}: entry ${i} has seq ${e.seq}`);
      const input = records[i]!.value ?? new Uint8Array(0);
      if (Buffer.compare(Buffer.from(e.value), Buffer.from(input)) !== 0) throw new Error(`chain ${id}: entry ${i} does not hold its input bytes verbatim`);
    });
    reports.push({ partition, entries, events: entries.filter((e) => e.kind === 'EVENT').length, rejected: entries.filter((e) => e.kind === 'REJECTED').length });
  }
  return reports;
}

/** Waits until the group's committed offset reaches the end of every events partition. */
export async function waitForSealed(admin: Admin, names: TopicNames, groupId: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(names.events), admin.fetchOffsets({ groupId, topics: [names.events] })]);
      const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      return ends.map((e) => ({ partition: e.partition, end: Number(e.high), committed: byPartition.get(e.partition) ?? -1 }));
    },
    { description: `the chainer group ${groupId} to commit every record of ${names.events}`, timeoutMs, intervalMs: 250, until: (list) => list.every((p) => p.end === 0 || p.committed >= p.end) },
  );
}

export interface ChainerProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  port(): Promise<number>;
  readyz(): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Prometheus text of /metrics. */
  metrics(): Promise<string>;
  /** auditseal_chainer_entries_sealed_total summed over kinds (0 before the first commit). */
  sealedCount(): Promise<number>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node services/chainer/dist/main.js` with `env` (on top of PATH), JSON log lines collected. */
export function startChainerProcess(env: Record<string, string>): ChainerProcess {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} does not exist: build first (npx turbo run build)`);
  const child = spawn(process.execPath, [mainJs], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.length > 0));
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  const port = () =>
    waitFor(
      () => {
        for (const line of lines) {
          if (!line.includes('/healthz')) continue;
          const parsed = JSON.parse(line) as { port?: number };
          if (parsed.port) return parsed.port;
        }
        return undefined;
      },
      { description: 'the chainer to log its HTTP port', timeoutMs: 20_000 },
    ) as Promise<number>;
  return {
    child,
    lines,
    port,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async readyz() {
      const { status, body } = await httpGet(await port(), '/readyz');
      return { status, body: JSON.parse(body) as Record<string, unknown> };
    },
    async metrics() {
      return (await httpGet(await port(), '/metrics')).body;
    },
    async sealedCount() {
      const text = (await httpGet(await port(), '/metrics')).body;
      return [...text.matchAll(/^auditseal_chainer_entries_sealed_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    },
  };
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    get({ host: '127.0.0.1', port, path, timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
