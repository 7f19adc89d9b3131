import { existsSync } from 'node:fs';
import { BenchSkipped, round, type Benchmark, type BenchResult } from '../harness';
import { ARCHIVER_JS, benchKafka, CHAINER_JS, createTopics, deleteTopics, requireKafkaAndS3, sealThenArchive, startService, VERIFIER_JS, verifierEnv } from '../pipeline';

/*
 * The verifier (services/verifier) as deployed — `node services/verifier/dist/main.js` —
 * against the pipeline of the same run: EVENTS events pre-produced, sealed by
 * the chainer (timed as in the archiver benchmark: the sustained ingest rate,
 * since nothing enters the trail faster than the chainer seals it), archived by
 * the archiver, then one full verification pass of the verifier (all of
 * audit.sealed, audit.events and the archive, cross-checked, over 4
 * partitions in parallel), timed by the pass's own `durationMs`.
 * verifier_vs_ingest = verifier entries/s / chainer entries/s (target ≥ 2).
 */

const EVENTS = Number(process.env.BENCH_VERIFIER_EVENTS ?? 100_000);

interface PassLine {
  durationMs: number;
  entries: number;
  findings: number;
}

/** Starts the verifier and resolves with its first pass's log line. */
async function firstPass(env: Record<string, string>): Promise<PassLine> {
  const verifier = startService(VERIFIER_JS, env, 'verification pass done');
  try {
    return await new Promise<PassLine>((resolve, reject) => {
      verifier.onRecord((record) => {
        if (record.msg === 'verification pass done') resolve({ durationMs: Number(record.durationMs), entries: Number(record.entries), findings: Number(record.findings) });
      });
      // `ready` waits for one pass per partition; it rejects at once if the verifier exits first.
      verifier.ready.catch(reject);
    });
  } finally {
    await verifier.stop();
  }
}

export const verifierBenchmark: Benchmark = {
  name: 'verifier',
  description: `verifier full pass vs chainer (sustained ingest) throughput on the same ${EVENTS.toLocaleString('en-US')} events`,
  ratios: ['verifier_vs_ingest'],
  async run(ctx): Promise<BenchResult> {
    const brokers = requireKafkaAndS3();
    for (const js of [CHAINER_JS, ARCHIVER_JS, VERIFIER_JS]) if (!existsSync(js)) throw new BenchSkipped(`${js} is missing (npx turbo run build)`);
    const kafka = benchKafka('bench-verifier', brokers);
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    const prefix = `bench-verif-${run}.`;
    const names = await createTopics(admin, prefix);
    try {
      const { chainerRate, archiveEnv } = await sealThenArchive({ kafka, admin, brokers, prefix, names, events: EVENTS, archiveRun: `${run}-v` });
      const pass = await firstPass(
        verifierEnv(archiveEnv, {
          VERIFIER_S3_SCAN_INTERVAL_MS: '3600000',
          ...(process.env.VERIFIER_WORKERS ? { VERIFIER_WORKERS: process.env.VERIFIER_WORKERS } : {}),
        }),
      );
      if (pass.entries !== EVENTS || pass.findings !== 0) throw new Error(`the verifier's pass saw ${pass.entries} archived entries and ${pass.findings} findings (expected ${EVENTS} and 0)`);
      const verifierRate = EVENTS / (pass.durationMs / 1000);
      const ratio = verifierRate / chainerRate;
      ctx.log(`  chainer (ingest) ${Math.round(chainerRate).toLocaleString('en-US')} entries/s   verifier full pass ${Math.round(verifierRate).toLocaleString('en-US')} entries/s (${(pass.durationMs / 1000).toFixed(2)} s)   ratio ${ratio.toFixed(3)} (verifier_vs_ingest)`);
      return {
        ratios: { verifier_vs_ingest: round(ratio) },
        figures: { verifier_entries_per_s: Math.round(verifierRate), verifier_ingest_entries_per_s: Math.round(chainerRate), verifier_pass_seconds: round(pass.durationMs / 1000) },
      };
    } finally {
      await deleteTopics(admin, names);
      await admin.disconnect();
    }
  },
};
