import { existsSync } from 'node:fs';
import { Partitioners, type Message } from 'kafkajs';
import { BenchSkipped, round, type Benchmark, type BenchResult } from '../harness';
import {
  ARCHIVER_JS,
  archiverEnv,
  benchKafka,
  CHAINER_JS,
  chainerEnv,
  createTopics,
  deleteTopics,
  fetchMetrics,
  histogramQuantile,
  PARTITIONS,
  requireKafkaAndS3,
  sampleEvent,
  sealThenArchive,
  sleep,
  startService,
  sumMetric,
  waitForCommits,
} from '../pipeline';

/*
 * The archiver (services/archiver) as deployed — `node services/archiver/dist/main.js`
 * — against the Kafka and S3 of `npm run infra:env`, next to the chainer
 * (`services/chainer/dist/main.js`) in the same run, at default segment settings.
 *
 * 1. Throughput: EVENTS events pre-produced to a fresh audit.events; the
 *    chainer seals them (timed from its heads recovered until its group has
 *    committed every partition's end), then the archiver archives the
 *    resulting audit.sealed (timed from its partitions recovered from S3
 *    until its group has committed every partition's last entry, i.e. every
 *    segment and manifest is in S3). archiver_vs_chainer = chainer time /
 *    archiver time (≥ 0.95 means the archiver keeps up). EVENTS / 4 = 50,000
 *    per partition = one default segment, so no cut waits for the max age.
 *    PUTs per million events = the archiver's put-once calls (segments,
 *    manifests, checkpoints, its key file; from /metrics) / EVENTS × 10^6.
 * 2. Latency: chainer and archiver both running, events produced at RATE/s
 *    for LATENCY_SECONDS (low traffic: segments are cut by age, default 30 s);
 *    p99 of sealed→archived = the archiver's `sealed_to_archived_seconds`
 *    histogram (per entry, sealedAt → segment committed), read as the upper
 *    bound of the bucket that holds the 99th percentile.
 *
 * Segments go to the bucket S3_BUCKET (the demo bucket, Object Lock) under a
 * fresh prefix `bench-archive/<run>` with 1-day retention.
 */

const EVENTS = Number(process.env.BENCH_ARCHIVER_EVENTS ?? 200_000);
const LATENCY_SECONDS = Number(process.env.BENCH_ARCHIVER_LATENCY_SECONDS ?? 45);
const LATENCY_RATE = Number(process.env.BENCH_ARCHIVER_LATENCY_RATE ?? 500);

export const archiverBenchmark: Benchmark = {
  name: 'archiver',
  description: `archiver vs chainer throughput on the same ${EVENTS.toLocaleString('en-US')} events (${PARTITIONS} partitions, default segments), PUTs per million events, sealed→archived p99 at ${LATENCY_RATE} events/s`,
  ratios: ['archiver_vs_chainer'],
  async run(ctx): Promise<BenchResult> {
    const brokers = requireKafkaAndS3();
    for (const js of [ARCHIVER_JS, CHAINER_JS]) if (!existsSync(js)) throw new BenchSkipped(`${js} is missing (npx turbo run build)`);
    const kafka = benchKafka('bench-archiver', brokers);
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    try {
      // 1. Throughput, chainer then archiver on the same data.
      const prefix = `bench-arch-${run}.`;
      const names = await createTopics(admin, prefix);
      let chainerRate: number;
      let archiverRate: number;
      let puts = 0;
      try {
        ({ chainerRate, archiverRate } = await sealThenArchive({
          kafka,
          admin,
          brokers,
          prefix,
          names,
          events: EVENTS,
          archiveRun: `${run}-t`,
          whileArchiving: async (archiver) => {
            puts = sumMetric(await fetchMetrics(await archiver.port), 'auditseal_archiver_objects_written_total');
          },
        }));
      } finally {
        await deleteTopics(admin, names);
      }
      const ratio = archiverRate / chainerRate;
      const putsPerMillion = (puts / EVENTS) * 1_000_000;
      ctx.log(`  chainer ${Math.round(chainerRate).toLocaleString('en-US')} entries/s   archiver ${Math.round(archiverRate).toLocaleString('en-US')} entries/s   ratio ${ratio.toFixed(3)} (archiver_vs_chainer)`);
      ctx.log(`  ${puts} PUTs for ${EVENTS.toLocaleString('en-US')} events = ${putsPerMillion.toFixed(1)} per million`);

      // 2. Latency at low traffic, both services live.
      const latPrefix = `bench-arch-lat-${run}.`;
      const latNames = await createTopics(admin, latPrefix);
      let p99: number;
      let archived: number;
      try {
        const chainer = startService(CHAINER_JS, chainerEnv(brokers, latPrefix), 'chain head recovered');
        const archiver = startService(ARCHIVER_JS, archiverEnv(brokers, latPrefix, `${run}-l`), 'partition recovered from S3');
        try {
          await Promise.all([chainer.ready, archiver.ready]);
          const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
          await producer.connect();
          const total = Math.round(LATENCY_RATE * LATENCY_SECONDS);
          const started = Date.now();
          let sent = 0;
          while (sent < total) {
            const due = Math.min(total, Math.round(((Date.now() - started) / 1000) * LATENCY_RATE));
            if (due > sent) {
              const messages: Message[] = [];
              for (; sent < due; sent++) messages.push({ partition: sent % PARTITIONS, value: sampleEvent(sent) });
              await producer.send({ topic: latNames.events, acks: -1, messages });
            }
            await sleep(20);
          }
          await producer.disconnect();
          await waitForCommits(admin, latNames.events, `${latPrefix}chainer`, 0, 120_000);
          await waitForCommits(admin, latNames.sealed, `${latPrefix}archiver`, 1, 120_000);
          const text = await fetchMetrics(await archiver.port);
          p99 = histogramQuantile(text, 'auditseal_archiver_sealed_to_archived_seconds', 0.99);
          archived = sumMetric(text, 'auditseal_archiver_sealed_to_archived_seconds_count');
        } finally {
          await Promise.all([archiver.stop(), chainer.stop()]);
        }
      } finally {
        await deleteTopics(admin, latNames);
      }
      ctx.log(`  sealed→archived at ${LATENCY_RATE} events/s for ${LATENCY_SECONDS} s (default max age 30 s): p99 ≤ ${p99} s (${archived} entries)`);
      return {
        ratios: { archiver_vs_chainer: round(ratio) },
        figures: {
          archiver_entries_per_s: Math.round(archiverRate),
          archiver_chainer_entries_per_s: Math.round(chainerRate),
          archiver_puts_per_million_events: round(putsPerMillion, 1),
          archiver_sealed_to_archived_p99_seconds: p99,
        },
      };
    } finally {
      await admin.disconnect();
    }
  },
};
