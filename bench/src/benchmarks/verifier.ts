import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { BenchSkipped, round, type Benchmark, type BenchResult } from '../harness';
import { archiverEnv, chainerEnv, createTopics, deleteTopics, produce, ROOT, sampleEvent, startService, waitForCommits } from './archiver';

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
const CHAINER_JS = join(ROOT, 'services', 'chainer', 'dist', 'main.js');
const ARCHIVER_JS = join(ROOT, 'services', 'archiver', 'dist', 'main.js');
const VERIFIER_JS = join(ROOT, 'services', 'verifier', 'dist', 'main.js');

interface PassLine {
  durationMs: number;
  entries: number;
  findings: number;
}

async function firstPass(env: Record<string, string>): Promise<PassLine> {
  const child = spawn(process.execPath, [...(process.env.BENCH_VERIFIER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), VERIFIER_JS], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  try {
    return await new Promise<PassLine>((res, rej) => {
      let buffered = '';
      const tail: string[] = [];
      const take = (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const line of parts) {
          tail.push(line);
          if (tail.length > 5) tail.shift();
          if (!line.startsWith('{')) continue;
          const record = JSON.parse(line) as { msg: string } & Partial<PassLine>;
          if (record.msg === 'verification pass done') res({ durationMs: record.durationMs!, entries: record.entries!, findings: record.findings! });
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      void exited.then((code) => rej(new Error(`the verifier exited with ${code} before its first pass: ${tail.join(' | ')}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export const verifierBenchmark: Benchmark = {
  name: 'verifier',
  description: `verifier full pass vs chainer (sustained ingest) throughput on the same ${EVENTS.toLocaleString('en-US')} events`,
  ratios: ['verifier_vs_ingest'],
  async run(ctx): Promise<BenchResult> {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers || !process.env.S3_ENDPOINT || !process.env.S3_BUCKET) throw new BenchSkipped('KAFKA_BROKERS / S3_ENDPOINT / S3_BUCKET are not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
    for (const js of [CHAINER_JS, ARCHIVER_JS, VERIFIER_JS]) if (!existsSync(js)) throw new BenchSkipped(`${js} is missing (npx turbo run build)`);
    const kafka = new Kafka({ clientId: 'bench-verifier', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const run = Date.now().toString(36);
    const prefix = `bench-verif-${run}.`;
    const names = await createTopics(admin, prefix);
    try {
      await produce(kafka, names.events, Array.from({ length: EVENTS }, (_, i) => sampleEvent(i)));
      const chainer = startService(CHAINER_JS, chainerEnv(brokers, prefix), 'chain head recovered');
      let chainerRate: number;
      try {
        const start = await chainer.ready;
        const end = await waitForCommits(admin, names.events, `${prefix}chainer`, 0, 600_000);
        chainerRate = EVENTS / ((end - start) / 1000);
      } finally {
        await chainer.stop();
      }
      const archiveEnv = archiverEnv(brokers, prefix, `${run}-v`);
      const archiver = startService(ARCHIVER_JS, archiveEnv, 'partition recovered from S3');
      try {
        await archiver.ready;
        await waitForCommits(admin, names.sealed, `${prefix}archiver`, 1, 600_000);
      } finally {
        await archiver.stop();
      }
      const pass = await firstPass({
        ...archiveEnv,
        VERIFIER_RETENTION_DAYS: '1',
        VERIFIER_S3_SCAN_INTERVAL_MS: '3600000',
        HTTP_PORT: '0',
        ...(process.env.VERIFIER_WORKERS ? { VERIFIER_WORKERS: process.env.VERIFIER_WORKERS } : {}),
      });
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
