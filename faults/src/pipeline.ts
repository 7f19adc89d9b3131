import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3ArchiveStore, type ArchiveStore } from '@auditseal/archive';
import { ensureTopics, fetchPartitionOffsets, topicNames, type TopicNames } from '@auditseal/kafka';
import { createS3Client, startServiceProcess, uniqueName, waitFor, type ServiceName, type ServiceProcess } from '@auditseal/testkit';
import type { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { FaultEnv } from './fault-env';
import { readTopic } from './read-topic';

export const CLUSTER = 'faults';
/** One partition per broker: a killed broker leads one of them. */
export const PARTITIONS = 3;

export interface PipelineOptions {
  /** Short name used in topic and archive prefixes. */
  name: string;
  /** Extra environment per service (wins over the defaults below). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The three services as deployed (`node services/<svc>/dist/main.js`) on
 * fresh audit topics (RF 3, min ISR 2) and a fresh archive prefix of the
 * fault cluster. Settings are production ones except the timings a test
 * cannot wait for: 6 s group sessions, segments cut after 1 s or 2,000
 * entries, checkpoints every 5 s, a verifier pass every second, 1-day retention.
 */
export interface Pipeline {
  readonly env: FaultEnv;
  readonly names: TopicNames;
  readonly archivePrefix: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly s3: S3Client;
  readonly store: ArchiveStore;
  readonly services: Record<ServiceName, ServiceProcess>;
  /** Starts (or starts again, after a kill) one service with the same configuration. */
  start(name: ServiceName): ServiceProcess;
  /** How many times each service was started. */
  readonly starts: Record<ServiceName, number>;
  /** Records on audit.events (all partitions): what the chain must account for. */
  eventsEnd(): Promise<number>;
  /** Entries the archive's manifests cover, summed over the chains. */
  archivedCount(): Promise<number>;
  /** Waits until every record of audit.events is sealed (the chainer group committed the end) and archived. */
  waitDrained(timeoutMs?: number): Promise<number>;
  /**
   * Waits for a verifier pass that started after `since` and covered `entries`
   * entries, and returns it with its open findings.
   */
  waitVerifierPass(since: Date, entries: number, timeoutMs?: number): Promise<VerifierPass>;
  /**
   * The verdict once the fault is over: starts the verifier again (SIGTERM,
   * new process) and returns its first pass — a full pass from scratch over
   * `entries` entries (later passes may be incremental, OPERATIONS.md).
   */
  finalVerifierPass(entries: number): Promise<VerifierPass>;
  /** Every verifier finding on audit.alerts: kind and severity. */
  alerts(): Promise<{ kind: string; severity: string }[]>;
  /**
   * Stops every service (SIGTERM), writes the log of every process it started
   * to <results>/logs/<name>/<service>-<n>.log and disconnects; the topics stay
   * as evidence until the runner purges the cluster.
   */
  close(): Promise<void>;
}

export interface VerifierPass {
  at: string;
  durationMs: number;
  findings: number;
  entries: number;
  segments: number;
  /** False for an incremental pass (absent before the verifier had them). */
  full?: boolean;
}

export async function createPipeline(env: FaultEnv, options: PipelineOptions): Promise<Pipeline> {
  const prefix = `${uniqueName(`faults-${options.name}`)}.`;
  const names = topicNames(prefix);
  const archivePrefix = `faults/${prefix.slice(0, -1)}`;
  const kafka = new Kafka({ clientId: `faults-${options.name}`, brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, names, { partitions: PARTITIONS, replicationFactor: 3, minInsyncReplicas: 2, maxEventMessageBytes: 1024 * 1024 });
  const s3 = createS3Client(env.s3);
  const store = createS3ArchiveStore({ client: s3, bucket: env.s3.bucket });
  const keyFile = join(mkdtempSync(join(tmpdir(), 'auditseal-faults-')), 'archiver-key.json');

  const common = {
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    AUDITSEAL_CLUSTER: CLUSTER,
    AUDITSEAL_TOPIC_PREFIX: prefix,
    AUDITSEAL_MIN_INSYNC_REPLICAS: '2',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const s3Env = {
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_ACCESS_KEY_ID: env.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
    S3_BUCKET: env.s3.bucket,
    ARCHIVE_PREFIX: archivePrefix,
  };
  const serviceEnv: Record<ServiceName, Record<string, string>> = {
    chainer: { ...common, CHAINER_SESSION_TIMEOUT_MS: '6000', ...options.env?.chainer },
    archiver: {
      ...common,
      ...s3Env,
      ARCHIVER_DEV_KEY: 'true',
      ARCHIVER_SIGNING_KEY: keyFile,
      ARCHIVER_DELETE_PROBE: 'warn',
      ARCHIVER_RETENTION_DAYS: '1',
      ARCHIVER_SEGMENT_MAX_ENTRIES: '2000',
      ARCHIVER_SEGMENT_MAX_AGE_MS: '1000',
      ARCHIVER_CHECKPOINT_INTERVAL_MS: '5000',
      ARCHIVER_SESSION_TIMEOUT_MS: '6000',
      ...options.env?.archiver,
    },
    verifier: {
      ...common,
      ...s3Env,
      VERIFIER_RETENTION_DAYS: '1',
      VERIFIER_S3_SCAN_INTERVAL_MS: '1000',
      VERIFIER_MANIFEST_GRACE_MS: '60000',
      ...options.env?.verifier,
    },
  };

  const starts: Record<ServiceName, number> = { chainer: 0, archiver: 0, verifier: 0 };
  const services = {} as Record<ServiceName, ServiceProcess>;
  const everyProcess: { label: string; process: ServiceProcess }[] = [];
  const start = (name: ServiceName) => {
    services[name]?.kill('SIGKILL');
    services[name] = startServiceProcess(name, serviceEnv[name]);
    starts[name]++;
    everyProcess.push({ label: `${name}-${starts[name]}`, process: services[name] });
    return services[name];
  };
  start('chainer');
  start('archiver');
  start('verifier');

  const eventsEnd = async () => [...(await fetchPartitionOffsets(admin, names.events)).values()].reduce((n, r) => n + r.endOffset - r.logStartOffset, 0);
  const archivedCount = async () => {
    let total = 0;
    for await (const object of store.list(`${archivePrefix}/v1/`)) {
      const match = /\/(\d{20})-(\d{20})\.manifest\.json$/.exec(object.key);
      if (match) total += Number(match[2]) - Number(match[1]) + 1;
    }
    return total;
  };
  const describe = () => Object.values(services).map((s) => `--- ${s.name} (running: ${s.running()}):\n${s.tail(8)}`).join('\n');

  const waitVerifierPass = async (since: Date, entries: number, timeoutMs = 120_000): Promise<VerifierPass> => {
    const verifier = services.verifier;
    return waitFor(
      async () => {
        const { body } = await verifier.http('/readyz');
        const pass = (JSON.parse(body) as { detail?: { lastPass?: VerifierPass } }).detail?.lastPass;
        return pass;
      },
      {
        description: `a verifier pass after ${since.toISOString()} over ${entries} entries (verifier:\n${verifier.tail(8)})`,
        timeoutMs,
        intervalMs: 500,
        until: (pass) => pass !== undefined && Date.parse(pass.at) - pass.durationMs > since.getTime() && pass.entries >= entries,
      },
    ) as Promise<VerifierPass>;
  };

  return {
    env,
    names,
    archivePrefix,
    kafka,
    admin,
    s3,
    store,
    services,
    starts,
    start,
    eventsEnd,
    archivedCount,
    async waitDrained(timeoutMs = 180_000) {
      const end = await eventsEnd();
      await waitFor(
        async () => {
          const [offsets, committed] = await Promise.all([fetchPartitionOffsets(admin, names.events), admin.fetchOffsets({ groupId: `${prefix}chainer`, topics: [names.events] })]);
          const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          const sealed = [...offsets].every(([p, r]) => r.endOffset === 0 || (byPartition.get(p) ?? -1) >= r.endOffset);
          return { sealed, archived: await archivedCount() };
        },
        { description: `all ${end} records of ${names.events} sealed and archived (services:\n${describe()})`, timeoutMs, intervalMs: 500, until: (s) => s.sealed && s.archived >= end },
      );
      return end;
    },
    waitVerifierPass,
    async finalVerifierPass(entries) {
      await services.verifier.stop(20_000);
      const since = new Date();
      start('verifier');
      const pass = await waitVerifierPass(since, entries);
      if (pass.full === false) throw new Error(`the first pass of a new verifier process was incremental: ${JSON.stringify(pass)}`);
      return pass;
    },
    async alerts() {
      const records = await readTopic(kafka, admin, names.alerts);
      return records.map((r) => {
        const alert = JSON.parse(r.value?.toString('utf8') ?? '{}') as { kind?: string; severity?: string };
        return { kind: String(alert.kind), severity: String(alert.severity) };
      });
    },
    async close() {
      await Promise.all(Object.values(services).map((s) => s.stop(20_000)));
      // Every process's log, as evidence (the runner keeps the results folder until the next run).
      const logDir = join(env.resultsDir, 'logs', options.name);
      mkdirSync(logDir, { recursive: true });
      for (const { label, process: service } of everyProcess) writeFileSync(join(logDir, `${label}.log`), `${service.lines.join('\n')}\n`);
      await admin.disconnect().catch(() => undefined);
      s3.destroy();
    },
  };
}

/** "archive_stalled ×2 (high)" style summary of alerts. */
export function summarizeAlerts(alerts: readonly { kind: string; severity: string }[]): string {
  if (alerts.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(`${a.kind} (${a.severity})`, (counts.get(`${a.kind} (${a.severity})`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
}
