import { readFileSync } from 'node:fs';
import { createS3Client, type ArchiveStore } from '@auditseal/archive';
import { chainId as makeChainId, createKeyring, parseKeyring, type PublicKeyring } from '@auditseal/core';
import { connectExplained, createKafkaClient, fetchPartitionOffsets, readPartition, type Logger } from '@auditseal/kafka';
import type { HealthState } from '@auditseal/runtime';
import { findingId, verifyArchive, type ChainResume, type Finding, type Severity, type VerificationReport } from '@auditseal/verify';
import type { S3Client } from '@aws-sdk/client-s3';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import { alertIdOf, toAlert } from './alert';
import { settleUnknownKeys, unknownKeyOf } from './key-race';
import type { VerifierConfig } from './config';
import type { VerifierMetrics } from './metrics';
import { chainRootOf, commonOptions, createStore, scopedReader, verifyPartition, type PassContext } from './partition-pass';
import { runsArchiveWideChecks, shardPartitions } from './shard';
import { canRunWorkers, createWorkerPool, type PartitionResult, type WorkerPool } from './worker-pool';


/**
 * The continuous verifier (DESIGN.md "Verifier"): every
 * VERIFIER_S3_SCAN_INTERVAL_MS it runs a full pass of @auditseal/verify's
 * `verifyArchive` per partition, in parallel — chain p's archive objects,
 * audit.sealed partition p and audit.events partition p, cross-checked, plus
 * liveness — and one pass over the rest of the archive (key files, keys
 * outside the layout, chains of no current partition). Each distinct finding
 * (findingId) is published once to audit.alerts, logged and counted; the set
 * of raised ids is read back from audit.alerts at start, so a restart does not
 * raise anything again.
 *
 * Several instances share the chains by partition (VERIFIER_SHARDS, shard.ts);
 * each verifies its own partitions, shard 0 also the rest of the archive.
 *
 * Passes are incremental: the first verifies everything; after it, a chain
 * whose pass was clean resumes where it ended (@auditseal/verify's
 * ChainResume): segments verified before are only re-hashed against their
 * signed manifests, and the topics are read from the verified head on. Every
 * VERIFIER_FULL_PASS_INTERVAL_MS a pass starts from scratch again, and so
 * does a chain with open findings (so they stay open, and counted, until
 * fixed). The resume points live in memory only: a restarted verifier starts
 * with a full pass — nothing to persist but the raised ids, which
 * audit.alerts holds.
 */

export interface VerifierDeps {
  logger: Logger;
  metrics: VerifierMetrics;
  kafka?: Kafka;
  s3Client?: S3Client;
  now?: () => Date;
  /** Run passes on the interval after start (default true); false: only `runPass` calls (tests drive passes themselves). */
  loop?: boolean;
  /** Called when the loop stops for good with an error (main exits 1). */
  onFatal?: (error: unknown) => void;
}

export interface PassSummary {
  at: string;
  durationMs: number;
  partitions: number;
  /** Open findings (distinct) this pass found. */
  findings: number;
  newFindings: number;
  /** Archived entries verified in total as of this pass (re-hashed segments' entries included). */
  entries: number;
  /** Of those, entries this pass parsed and checked one by one (new since the last pass, or all in a full pass). */
  newEntries: number;
  segments: number;
  /** Whether the pass started from scratch for every chain (false: some chains resumed). */
  full: boolean;
}

export interface Verifier {
  start(): Promise<void>;
  /** One full pass now (the loop runs them on its interval). Exposed for tests and tools. */
  runPass(): Promise<PassSummary>;
  stop(): Promise<void>;
  readonly health: HealthState;
  /** Ids of every finding raised so far (loaded from audit.alerts, then added to). */
  readonly raised: ReadonlySet<string>;
}

async function loadArchiveKeyring(store: ArchiveStore, root: string, logger: Logger): Promise<PublicKeyring> {
  const keys = new Map<string, PublicKeyring['keys'][number]>();
  for await (const { key } of store.list(`${root}/v1/keys/`)) {
    const bytes = await store.get(key);
    if (!bytes) continue;
    try {
      for (const k of parseKeyring(Buffer.from(bytes).toString('utf8')).keys) if (!keys.has(k.keyId)) keys.set(k.keyId, k);
    } catch (error) {
      // Reported as key_file_mismatch by the pass; the key is simply not trusted.
      logger.warn('unreadable key file in the archive (not trusted)', { key, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return createKeyring([...keys.values()]);
}

export function createVerifier(config: VerifierConfig, deps: VerifierDeps): Verifier {
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const kafka = deps.kafka ?? createKafkaClient({ brokers: config.brokers, security: config.kafkaSecurity, clientId: `${config.topicPrefix}verifier`, logger: logger.child('kafka') });
  const s3Client = deps.s3Client ?? createS3Client(config.s3);
  const store = createStore(s3Client, config);
  // Partition workers (threads) unless the caller injected its own clients (tests drive one process).
  const workers = deps.kafka || deps.s3Client || deps.now || !canRunWorkers() ? 0 : config.workers;
  let pool: WorkerPool | undefined;
  const fixedKeyring = config.keyringPath ? parseKeyring(readFileSync(config.keyringPath, 'utf8')) : undefined;
  const root = config.archivePrefix;
  const abort = new AbortController();
  const raised = new Set<string>();
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let started = false;
  let stopping = false;
  let crashed = false;
  let lastPass: PassSummary | undefined;
  let resumes = new Map<string, ChainResume>();
  let lastFromScratch = 0;
  let loop: Promise<void> | undefined;
  let wakeSleep: (() => void) | undefined;

  const loadRaised = async () => {
    const ends = await fetchPartitionOffsets(admin!, config.topics.alerts);
    await Promise.all(
      [...ends].map(async ([partition, range]) => {
        const records = readPartition({ kafka, topic: config.topics.alerts, partition, fromOffset: range.logStartOffset, endOffset: range.endOffset, logger, groupIdPrefix: `${config.groupIdPrefix}-alerts`, signal: abort.signal });
        for await (const r of records) {
          const id = alertIdOf(r.key, r.value);
          if (id) raised.add(id);
        }
      }),
    );
  };

  const publish = async (items: Array<{ id: string; finding: Finding }>) => {
    if (items.length === 0) return;
    const seenAt = now();
    const alerts = items.map(({ id, finding }) => toAlert(id, finding, seenAt, config.instance));
    await producer!.send({ topic: config.topics.alerts, acks: -1, messages: alerts.map((a) => ({ key: a.id, value: JSON.stringify(a) })) });
    for (const alert of alerts) {
      raised.add(alert.id);
      metrics.findings.inc({ kind: alert.kind, severity: alert.severity });
      const log = alert.severity === 'critical' || alert.severity === 'high' ? logger.error.bind(logger) : logger.warn.bind(logger);
      log(`FINDING ${alert.kind}: ${alert.message}`, { alert });
    }
  };

  const runPass = async (): Promise<PassSummary> => {
    const began = Date.now();
    if (Date.now() - lastFromScratch >= config.fullPassIntervalMs) resumes = new Map();
    const full = resumes.size === 0;
    const keyring = fixedKeyring ?? (await loadArchiveKeyring(store, root, logger));
    const allPartitions = [...(await fetchPartitionOffsets(admin!, config.topics.sealed)).keys()].sort((a, b) => a - b);
    const partitions = shardPartitions(allPartitions, config.shard);
    const found = new Map<string, Finding>();
    // New findings go out while the pass runs (a chain's problem is not held back by the other
    // chains); a failed send fails the pass, and those ids are raised again by the next one.
    const queue: Array<{ id: string; finding: Finding }> = [];
    let published = 0;
    let flushing: Promise<void> | undefined;
    let flushError: unknown;
    const flush = () => {
      flushing ??= (async () => {
        while (queue.length > 0) {
          const batch = queue.splice(0, queue.length);
          await publish(batch);
          published += batch.length;
        }
      })()
        .catch((error: unknown) => {
          flushError ??= error;
        })
        .finally(() => {
          flushing = undefined;
        });
      return flushing;
    };
    // Findings that blame only an unknown key wait for the end of the pass (key-race.ts).
    const held: Finding[] = [];
    const onFinding = (f: Finding) => {
      if (!fixedKeyring && unknownKeyOf(f) !== undefined) {
        held.push(f);
        return;
      }
      raise(f);
    };
    const raise = (f: Finding) => {
      const id = findingId(f);
      if (found.has(id)) return;
      found.set(id, f);
      if (raised.has(id)) return;
      queue.push({ id, finding: f });
      void flush();
    };
    const ctx: PassContext = { config, kafka, admin: admin!, store, logger, signal: abort.signal, now };
    const byPartition = new Map<number, ChainResume>();
    for (const partition of partitions) {
      const resume = resumes.get(makeChainId({ cluster: config.cluster, topic: config.topics.events, partition }));
      if (resume) byPartition.set(partition, resume);
    }
    let perPartition: PartitionResult[];
    if (pool) {
      perPartition = await pool.run(partitions, keyring, byPartition, onFinding);
    } else {
      perPartition = await Promise.all(partitions.map(async (partition) => ({ partition, report: await verifyPartition(ctx, partition, keyring, byPartition.get(partition), onFinding) })));
    }
    // Key files, keys outside the layout, and chains no partition of this cluster owns: archive-only
    // checks, by shard 0 alone (every partition's chain is some shard's).
    const reports: VerificationReport[] = perPartition.map((p) => p.report);
    if (runsArchiveWideChecks(config.shard)) {
      const chainRoots = allPartitions.map((p) => chainRootOf(config, p));
      reports.push(await verifyArchive(scopedReader(store, root, { exclude: chainRoots }), commonOptions(ctx, keyring, onFinding)));
    }
    const settled = await settleUnknownKeys(held, () => loadArchiveKeyring(store, root, logger));
    for (const f of settled.raise) raise(f);
    if (settled.explained.length > 0) logger.info('a key was published during the pass: its findings are dropped, its chains verified again next pass', { keyIds: [...new Set(settled.explained.map(unknownKeyOf))], findings: settled.explained.length });

    while (flushing || (queue.length > 0 && flushError === undefined)) await (flushing ?? flush());
    if (flushError !== undefined) throw flushError;

    let entries = 0;
    let newEntries = 0;
    let segments = 0;
    const next = new Map<string, ChainResume>();
    for (const report of reports) {
      for (const chain of report.chains) {
        const parsed = chain.archive.entries - chain.archive.rehashed.entries;
        metrics.entriesVerified.inc({ source: 'archive' }, parsed);
        entries += chain.archive.entries;
        newEntries += parsed;
        if (chain.sealed) metrics.entriesVerified.inc({ source: 'sealed' }, chain.sealed.records - (chain.resumedFrom?.sealedRecords ?? 0));
        if (chain.resume) next.set(chain.chainId, chain.resume);
      }
      const s = report.counts.segments;
      metrics.segmentsVerified.inc({ result: 'valid' }, s.valid);
      metrics.segmentsVerified.inc({ result: 'invalid' }, s.invalid);
      metrics.segmentsVerified.inc({ result: 'missing' }, s.missing);
      segments += s.valid + s.invalid + s.missing;
    }
    for (const { partition, report } of perPartition) {
      const chain = report.chains[0];
      const label = { partition: String(partition) };
      metrics.archiveLagEntries.set(label, chain?.liveness?.archiveLagEntries ?? 0);
      metrics.archiveLagSeconds.set(label, (chain?.liveness?.archiveDelayMs ?? 0) / 1000);
      metrics.chainerLag.set(label, chain?.events?.unsealedInputs ?? 0);
    }
    const bySeverity: Record<Severity, number> = { critical: 0, high: 0, warning: 0, info: 0 };
    for (const f of found.values()) bySeverity[f.severity]++;
    for (const [severity, count] of Object.entries(bySeverity)) metrics.openFindings.set({ severity }, count);
    const durationMs = Date.now() - began;
    metrics.passDuration.observe(durationMs / 1000);
    metrics.lastFullPass.set(now().getTime() / 1000);
    resumes = next;
    if (full) lastFromScratch = began;
    lastPass = { at: now().toISOString(), durationMs, partitions: partitions.length, findings: found.size, newFindings: published, entries, newEntries, segments, full };
    logger.info('verification pass done', { ...lastPass });
    return lastPass;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const runLoop = async () => {
    while (!stopping) {
      try {
        await runPass();
      } catch (error) {
        if (stopping) break;
        metrics.passFailures.inc();
        logger.error('verification pass failed; retrying at the next interval', { error });
      }
      if (!stopping) await sleep(config.passIntervalMs);
    }
  };

  return {
    raised,
    health: {
      live: () => !crashed,
      ready: () => ({
        ready: started && !stopping && lastPass !== undefined,
        detail: { raisedFindings: raised.size, shard: config.shard, ...(lastPass ? { lastPass } : {}) },
      }),
    },
    async start() {
      admin = kafka.admin();
      await connectExplained(admin, config.kafkaSecurity, config.brokers);
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await loadRaised();
      if (workers > 0) {
        pool = createWorkerPool(config, workers, logger);
        await pool.ready();
        logger.info('partition workers started', { workers });
      }
      logger.info('loaded the findings raised before from audit.alerts', { topic: config.topics.alerts, raised: raised.size });
      started = true;
      if (deps.loop === false) return;
      loop = runLoop().catch((error: unknown) => {
        crashed = true;
        deps.onFatal?.(error);
      });
    },
    runPass,
    async stop() {
      if (stopping) return;
      stopping = true;
      abort.abort();
      wakeSleep?.();
      await loop;
      await pool?.stop();
      await producer?.disconnect().catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
      if (!deps.s3Client) s3Client.destroy();
    },
  };
}
