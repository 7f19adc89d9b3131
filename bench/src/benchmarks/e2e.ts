import { existsSync } from 'node:fs';
import { decodeSealedEntry } from '@auditseal/codec';
import type { TopicNames } from '@auditseal/kafka';
import { BENCH_SOURCE, benchEventInput, createAuditProducer, createRawBenchProducer, emitBounded, encodeBenchEvents, sendRawBatched, type AuditEventInput, type EmitReceipt } from '@auditseal/producer';
import type { Admin, Kafka, Message } from 'kafkajs';
import { BenchSkipped, median, round, type Benchmark, type BenchResult } from '../harness';
import { archivedSegmentOf, percentile, sealedToArchived, type ArchivedSegment, type SealedObservation } from '../latency';
import {
  ARCHIVER_JS,
  archiverEnv,
  benchKafka,
  CHAINER_JS,
  chainerEnv,
  createPlainTopic,
  createTopics,
  deleteTopics,
  requireKafkaAndS3,
  sleep,
  startService,
  VERIFIER_JS,
  verifierEnv,
  type Service,
} from '../pipeline';

/*
 * The whole pipeline running together, as deployed: the SDK (@auditseal/producer
 * `emit`, acks=all, idempotent) → audit.events → chainer (a Kafka transaction
 * per batch) → audit.sealed → archiver (segments + signed manifests in S3
 * under Object Lock), with the verifier running alongside — three child
 * processes of the built services on fresh topics, on one machine with
 * Kafka and the S3 gateway.
 *
 * 1. Throughput, per round: WARMUP_EVENTS events through the whole pipeline
 *    and archived (connections, metadata, JIT: the raw side warms up with as
 *    many), then EVENTS events emitted by the same SDK as fast as it takes
 *    them (emitBounded: at most maxBufferedEvents receipts pending); timed
 *    from the first of those emits until the archiver's log line of the
 *    segment that completes the last archived entry (archived implies
 *    sealed). Then the round waits for a verifier pass that saw every entry
 *    in the archive with no finding (else the round fails). Baseline in the
 *    same round: the raw batched kafkajs producer of sdk-vs-raw
 *    (`sendRawBatched`) sending the same events, already encoded, to a fresh
 *    topic after WARMUP_EVENTS of them; the first side alternates between
 *    rounds.
 *    e2e_vs_raw_produce = median over rounds of e2e / raw events/s (target ≥ 0.25).
 * 2. Latency: a fresh pipeline, the SDK emitting at half the measured e2e
 *    rate for LATENCY_SECONDS. produce→sealed = the moment a read_committed
 *    consumer of audit.sealed receives the entry - its input record's Kafka
 *    timestamp (set by the SDK's client at send); sealed→archived = the time
 *    of the archiver's "segment archived" line for the segment holding the
 *    entry - the entry's sealedAt. p50 and p99 of each.
 * 3. Memory: peak RSS (VmHWM of /proc/<pid>/status, read before each stop) of
 *    the chainer, archiver and verifier processes; the maximum over every
 *    pipeline of the run.
 *
 * Settings that differ from the services' defaults (docs/OPERATIONS.md):
 * ARCHIVER_SEGMENT_MAX_AGE_MS = SEGMENT_MAX_AGE_MS (0.5 s instead of 30 s, so
 * a finite round of ~7 s does not end with up to one age of waiting for the
 * last partial segments; at full speed segments are still cut by age, not by
 * the 50,000 entries) and VERIFIER_S3_SCAN_INTERVAL_MS = VERIFIER_INTERVAL_MS
 * (10 s instead of 60 s, so each round sees a full pass of its data); 1-day
 * retention; min.insync.replicas 1 (one local broker). The verifier runs at
 * nice VERIFIER_NICE (10): its passes use the CPU the pipeline leaves, as on
 * pods of its own; at nice 0, a pass every 10 s took both cores for seconds
 * and was most of the produce→sealed p99 (~1 s instead of ~0.15 s).
 */

const EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 200_000);
/** Sent before the timed part by both sides of a round, the raw producer and the pipeline (SDK and services). */
const WARMUP_EVENTS = 10_000;
const SEGMENT_MAX_AGE_MS = Number(process.env.BENCH_E2E_SEGMENT_MAX_AGE_MS ?? 500);
const VERIFIER_INTERVAL_MS = Number(process.env.BENCH_E2E_VERIFIER_INTERVAL_MS ?? 10_000);
const LATENCY_SECONDS = Number(process.env.BENCH_E2E_LATENCY_SECONDS ?? 20);
/** The verifier's niceness here: on one machine it would take both cores for its passes (a worker per core) from the pipeline it checks; deployed, it has pods of its own. */
const VERIFIER_NICE = Number(process.env.BENCH_E2E_VERIFIER_NICE ?? 10);
const MIB = 1024 * 1024;

interface PassLine {
  entries: number;
  findings: number;
  durationMs: number;
}

interface PeakRss {
  chainer: number;
  archiver: number;
  verifier: number;
}

interface Pipeline {
  names: TopicNames;
  segments: ArchivedSegment[];
  passes: PassLine[];
  archivedEntries(): number;
  /** Peak RSS (bytes) of each service so far. */
  peakRss(): Partial<PeakRss>;
  stop(): Promise<void>;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function startPipeline(admin: Admin, brokers: string, prefix: string, run: string): Promise<Pipeline> {
  const names = await createTopics(admin, prefix);
  const archiveEnv = { ...archiverEnv(brokers, prefix, run), ARCHIVER_SEGMENT_MAX_AGE_MS: String(SEGMENT_MAX_AGE_MS) };
  const services: Service[] = [];
  const stopAll = async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteTopics(admin, names);
  };
  try {
    const chainer = startService(CHAINER_JS, chainerEnv(brokers, prefix), 'chain head recovered');
    services.push(chainer);
    const archiver = startService(ARCHIVER_JS, archiveEnv, 'partition recovered from S3');
    services.push(archiver);
    const verifier = startService(VERIFIER_JS, verifierEnv(archiveEnv, { VERIFIER_S3_SCAN_INTERVAL_MS: String(VERIFIER_INTERVAL_MS) }), 'verification pass done', { nice: VERIFIER_NICE });
    services.push(verifier);
    const segments: ArchivedSegment[] = [];
    const passes: PassLine[] = [];
    archiver.onRecord((record) => {
      const segment = archivedSegmentOf(record);
      if (segment) segments.push(segment);
    });
    verifier.onRecord((record) => {
      if (record.msg === 'verification pass done') passes.push({ entries: Number(record.entries), findings: Number(record.findings), durationMs: Number(record.durationMs) });
    });
    await Promise.all([chainer.ready, archiver.ready]);
    // The verifier's first pass (empty topics) runs at its start: wait for it, so its start-up is not in the measurement.
    await waitFor("the verifier's first pass", () => passes.length > 0, 60_000);
    const peak: Partial<PeakRss> = {};
    const sample = () => {
      for (const [name, service] of [['chainer', chainer], ['archiver', archiver], ['verifier', verifier]] as const) {
        const m = service.memory();
        if (m) peak[name] = Math.max(peak[name] ?? 0, m.peakRssBytes);
      }
    };
    return {
      names,
      segments,
      passes,
      archivedEntries: () => segments.reduce((sum, s) => sum + (s.lastSeq - s.firstSeq + 1), 0),
      peakRss: () => (sample(), { ...peak }),
      async stop() {
        sample();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}


async function rawRate(kafka: Kafka, admin: Admin, topic: string, messages: readonly Message[]): Promise<number> {
  await createPlainTopic(admin, topic);
  const producer = createRawBenchProducer(kafka);
  try {
    await producer.connect();
    await sendRawBatched(producer, topic, messages.slice(0, WARMUP_EVENTS)); // warm-up: connections, metadata, JIT
    const start = process.hrtime.bigint();
    await sendRawBatched(producer, topic, messages);
    return messages.length / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  }
}

function mergePeaks(into: Partial<PeakRss>, from: Partial<PeakRss>): void {
  for (const key of ['chainer', 'archiver', 'verifier'] as const) {
    if (from[key] !== undefined) into[key] = Math.max(into[key] ?? 0, from[key]);
  }
}

interface RoundResult {
  e2e: number;
  raw: number;
}

async function throughputRound(kafka: Kafka, admin: Admin, brokers: string, tag: string, work: { warmup: readonly AuditEventInput[]; inputs: readonly AuditEventInput[]; messages: readonly Message[] }, rawFirst: boolean, peaks: Partial<PeakRss>, log: (line: string) => void): Promise<RoundResult> {
  const { warmup, inputs, messages } = work;
  const prefix = `bench-e2e-${tag}.`;
  let raw = rawFirst ? await rawRate(kafka, admin, `${prefix}raw`, messages) : 0;
  const pipeline = await startPipeline(admin, brokers, prefix, tag);
  const sdk = createAuditProducer({ kafka, topic: pipeline.names.events, source: BENCH_SOURCE });
  let e2e: number;
  try {
    // The same warm-up as the raw side's, through the same SDK and the services: connections, metadata, JIT.
    await emitBounded(sdk, warmup);
    await waitFor(`${WARMUP_EVENTS} warm-up entries archived`, () => pipeline.archivedEntries() >= WARMUP_EVENTS, 120_000);
    const total = WARMUP_EVENTS + EVENTS;
    const start = Date.now();
    await emitBounded(sdk, inputs);
    const produced = Date.now();
    await waitFor(`${EVENTS} archived entries`, () => pipeline.archivedEntries() >= total, 600_000);
    const end = Math.max(...pipeline.segments.map((s) => s.archivedAtMs));
    e2e = EVENTS / ((end - start) / 1000);
    const passesBefore = pipeline.passes.length;
    await waitFor('a verifier pass over every archived entry', () => pipeline.passes.slice(passesBefore).some((p) => p.entries >= total), VERIFIER_INTERVAL_MS + 300_000);
    const pass = pipeline.passes.slice(passesBefore).find((p) => p.entries >= total)!;
    if (pass.entries !== total || pass.findings !== 0) throw new Error(`the verifier's pass saw ${pass.entries} archived entries and ${pass.findings} findings (expected ${total} and 0)`);
    log(`    emitted in ${((produced - start) / 1000).toFixed(2)} s, all archived after ${((end - start) / 1000).toFixed(2)} s; verifier pass: ${pass.entries} entries (warm-up included), 0 findings, ${(pass.durationMs / 1000).toFixed(2)} s`);
    mergePeaks(peaks, pipeline.peakRss());
  } finally {
    await sdk.close();
    await pipeline.stop();
  }
  if (!rawFirst) raw = await rawRate(kafka, admin, `${prefix}raw`, messages);
  return { e2e, raw };
}

interface LatencyResult {
  rate: number;
  produceToSealedMs: number[];
  sealedToArchivedMs: number[];
  unmatched: number;
}

async function latencyRun(kafka: Kafka, admin: Admin, brokers: string, tag: string, rate: number, peaks: Partial<PeakRss>): Promise<LatencyResult> {
  const prefix = `bench-e2e-${tag}.`;
  const pipeline = await startPipeline(admin, brokers, prefix, tag);
  const consumer = kafka.consumer({ groupId: `${prefix}latency-reader`, readUncommitted: false, maxWaitTimeInMs: 100 });
  try {
    const produceToSealed: number[] = [];
    const sealed: SealedObservation[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: pipeline.names.sealed, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) {
          const entry = decodeSealedEntry(message.value!);
          produceToSealed.push(now - entry.sourceTimestamp);
          sealed.push({ partition: batch.partition, seq: entry.seq, sealedAtMs: entry.sealedAt / 1000 });
        }
      },
    });
    const sdk = createAuditProducer({ kafka, topic: pipeline.names.events, source: BENCH_SOURCE });
    const total = Math.round(rate * LATENCY_SECONDS);
    const receipts: Promise<EmitReceipt>[] = [];
    try {
      const started = Date.now();
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * rate));
        for (; sent < due; sent++) receipts.push(sdk.emit(benchEventInput(sent)));
        await sleep(20);
      }
      await Promise.all(receipts);
    } finally {
      await sdk.close();
    }
    await waitFor(`${total} sealed and archived entries`, () => sealed.length >= total && pipeline.archivedEntries() >= total, 120_000);
    mergePeaks(peaks, pipeline.peakRss());
    const { latenciesMs, unmatched } = sealedToArchived(sealed, pipeline.segments);
    return { rate, produceToSealedMs: produceToSealed.sort((a, b) => a - b), sealedToArchivedMs: latenciesMs, unmatched };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await pipeline.stop();
  }
}

const mib = (bytes: number | undefined): number | undefined => (bytes === undefined ? undefined : round(bytes / MIB, 1));

export const e2eBenchmark: Benchmark = {
  name: 'e2e',
  description: `whole pipeline (SDK → chainer → archiver, verifier alongside) sealed+archived events/s on ${EVENTS.toLocaleString('en-US')} events vs raw batched kafkajs produce of the same events; produce→sealed and sealed→archived p50/p99 at half that rate; peak RSS of each service`,
  ratios: ['e2e_vs_raw_produce'],
  async run(ctx): Promise<BenchResult> {
    const brokers = requireKafkaAndS3();
    for (const js of [CHAINER_JS, ARCHIVER_JS, VERIFIER_JS]) if (!existsSync(js)) throw new BenchSkipped(`${js} is missing (npx turbo run build)`);
    const kafka = benchKafka('bench-e2e', brokers);
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    const peaks: Partial<PeakRss> = {};
    try {
      const inputs = Array.from({ length: EVENTS }, (_, i) => benchEventInput(i));
      const warmup = Array.from({ length: WARMUP_EVENTS }, (_, i) => benchEventInput(EVENTS + i));
      const messages = encodeBenchEvents(inputs);
      // Five with the default 7 rounds: a round's ratio moves by ±10 % with the machine, and a median of five resists outliers.
      const rounds = Number(process.env.BENCH_E2E_ROUNDS ?? Math.max(1, Math.ceil((ctx.rounds * 3) / 5)));
      const results: RoundResult[] = [];
      for (let r = 0; r < rounds; r++) {
        const result = await throughputRound(kafka, admin, brokers, `${run}-${r}`, { warmup, inputs, messages }, r % 2 === 1, peaks, ctx.log);
        results.push(result);
        ctx.log(`  round ${r + 1}/${rounds}: pipeline ${Math.round(result.e2e).toLocaleString('en-US')} sealed+archived events/s   raw kafkajs ${Math.round(result.raw).toLocaleString('en-US')}/s   ratio ${(result.e2e / result.raw).toFixed(3)}`);
      }
      const ratio = median(results.map((r) => r.e2e / r.raw));
      const e2eRate = median(results.map((r) => r.e2e));
      ctx.log(`  pipeline ${Math.round(e2eRate).toLocaleString('en-US')}/s   raw ${Math.round(median(results.map((r) => r.raw))).toLocaleString('en-US')}/s   ratio ${ratio.toFixed(3)} (e2e_vs_raw_produce, target ≥ 0.25)`);

      const rate = Number(process.env.BENCH_E2E_LATENCY_RATE ?? Math.max(100, Math.round(e2eRate / 2)));
      const latency = await latencyRun(kafka, admin, brokers, `${run}-lat`, rate, peaks);
      const p = (values: number[], q: number) => Math.round(percentile(values, q));
      ctx.log(
        `  at ${rate.toLocaleString('en-US')} events/s for ${LATENCY_SECONDS} s: produce→sealed p50 ${p(latency.produceToSealedMs, 50)} ms p99 ${p(latency.produceToSealedMs, 99)} ms; ` +
          `sealed→archived p50 ${p(latency.sealedToArchivedMs, 50)} ms p99 ${p(latency.sealedToArchivedMs, 99)} ms (segments cut by age ${SEGMENT_MAX_AGE_MS} ms)${latency.unmatched ? `; ${latency.unmatched} entries without a segment line` : ''}`,
      );
      ctx.log(`  peak RSS: chainer ${mib(peaks.chainer) ?? '?'} MiB, archiver ${mib(peaks.archiver) ?? '?'} MiB, verifier ${mib(peaks.verifier) ?? '?'} MiB`);
      const figures: Record<string, number> = {
        e2e_events_per_s: Math.round(e2eRate),
        e2e_raw_produce_events_per_s: Math.round(median(results.map((r) => r.raw))),
        e2e_latency_rate_events_per_s: rate,
        e2e_produce_to_sealed_p50_ms: p(latency.produceToSealedMs, 50),
        e2e_produce_to_sealed_p99_ms: p(latency.produceToSealedMs, 99),
        e2e_sealed_to_archived_p50_ms: p(latency.sealedToArchivedMs, 50),
        e2e_sealed_to_archived_p99_ms: p(latency.sealedToArchivedMs, 99),
      };
      // Memory only where /proc exists (Linux): no figure rather than a zero.
      for (const key of ['chainer', 'archiver', 'verifier'] as const) {
        const value = mib(peaks[key]);
        if (value !== undefined) figures[`${key}_peak_rss_mib`] = value;
      }
      return { ratios: { e2e_vs_raw_produce: round(ratio) }, figures };
    } finally {
      await admin.disconnect();
    }
  },
};
