import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTopics, topicNames } from '@auditseal/kafka';
import { createCleanup, createTestKafka, integrationEnv, uniqueName, waitFor } from '@auditseal/testkit';

/*
 * The built demo (`node services/demo/dist/main.js`, what `npm run demo` runs)
 * against the running Kafka and S3: the whole pipeline for 2,000 events with
 * --exit, and the workload generator alone (`produce`).
 */

const repo = resolve(__dirname, '..', '..', '..');
const main = join(repo, 'services', 'demo', 'dist', 'main.js');

interface Run {
  output(): { stdout: string; stderr: string };
  signal(name: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startDemo(args: string[], env: Record<string, string | undefined>): Run {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
  const child = spawn(process.execPath, [main, ...args], { cwd: repo, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    output: () => ({ stdout, stderr }),
    signal: (name) => child.kill(name),
    exited: new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr }))),
  };
}

const runDemo = (args: string[], env: Record<string, string | undefined>) => startDemo(args, env).exited;

/** True when something answers on 127.0.0.1:port. */
async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe('demo (built; real Kafka and S3)', () => {
  const cleanup = createCleanup();
  afterAll(() => cleanup.run());
  const infraEnv = () => {
    const e = integrationEnv();
    return {
      KAFKA_BROKERS: e.kafkaBrokers.join(','),
      S3_ENDPOINT: e.s3.endpoint,
      S3_REGION: e.s3.region,
      S3_ACCESS_KEY_ID: e.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: e.s3.secretAccessKey,
      S3_BUCKET: e.s3.bucket,
    };
  };

  it('run --events 2000 --exit: seals, archives and verifies all 2,000 events and the bad records, exits 0 with the contract line', async () => {
    const result = await runDemo(['run', '--events', '2000', '--exit', '--timeout', '120', '--seed', '11'], infraEnv());
    const lines = result.stdout.trimEnd().split('\n');
    expect({ code: result.code, last: lines.at(-1) }).toEqual({ code: 0, last: 'DEMO OK events=2000 sealed=2000 archived=2000 verified=2000 alerts=0' });
    expect(lines.at(-2)).toBe('rejected=6 of 6 bad records written raw: sealed as rejected entries (malformed ×3, unknown_schema ×3), archived and verified with the events');
    expect(result.stdout).toMatch(/archive {6}auditseal verify-archive: VERIFIED: 2,006 entries/);
    expect(result.stderr).toMatch(/produced [\d,]+ \| sealed/);
  }, 150_000);

  it('Ctrl-C (SIGINT) stops the workload and the three services it started, checks what was archived, prints the summary and DEMO STOPPED, exits 130', async () => {
    const run = startDemo(['--rate', '100'], infraEnv());
    const ports = await waitFor(() => /chainer :(\d+), archiver :(\d+), verifier :(\d+)/.exec(run.output().stderr)?.slice(1).map(Number), {
      description: 'the demo to start its services',
      until: (p) => p !== undefined,
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    // Progress lines come every 5 s off a terminal; wait for one that shows archived entries.
    await waitFor(() => run.output().stderr, { description: 'a progress line with archived entries', until: (e) => /\| archived [1-9][\d,]* \|/.test(e), timeoutMs: 60_000, intervalMs: 200 });
    for (const port of ports!) expect(await answers(port)).toBe(true);
    run.signal('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Verification summary');
    // What got archived (the archiver archives its open segments on SIGTERM) is checked with the CLI.
    expect(result.stdout).toMatch(/archive {6}auditseal verify-archive \(after the services stopped\): VERIFIED: [\d,]+ entries/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^DEMO STOPPED events=\d+ sealed=\d+ archived=\d+ verified=\d+ alerts=0 \(interrupted\)$/);
    for (const port of ports!) expect(await answers(port)).toBe(false);
  }, 150_000);

  it('--exit with a --timeout the pipeline cannot meet exits 1 naming what was missing', async () => {
    const result = await runDemo(['--events', '200000', '--exit', '--timeout', '1'], infraEnv());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAILED: timeout after 1s: /);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^DEMO FAILED events=\d+ sealed=\d+ archived=\d+ verified=\d+ alerts=0 \(timeout after 1s: .+\)$/);
  }, 150_000);

  describe('produce', () => {
    it('writes N events and B bad records to <prefix>audit.events and exits 0', async () => {
      const kafka = createTestKafka({ cleanup });
      const admin = await kafka.admin();
      const prefix = `${uniqueName('demo-produce')}.`;
      const names = topicNames(prefix);
      await ensureTopics(admin, names, { partitions: 2, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
      cleanup.add('topics', () => admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined));
      const result = await runDemo(['produce', '--events', '300', '--rate', '100000', '--bad-events', '2', '--seed', '5'], { KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_TOPIC_PREFIX: prefix });
      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^produced 300 events \\+ 2 bad records to ${prefix.replace(/\./g, '\\.')}audit\\.events in \\d+s \\([\\d,]+/s\\), 0 failed$`));
      const offsets = await admin.fetchTopicOffsets(names.events);
      expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(302);
    }, 60_000);

    it('without --events produces until SIGTERM, then prints its totals and exits 0', async () => {
      const kafka = createTestKafka({ cleanup });
      const admin = await kafka.admin();
      const prefix = `${uniqueName('demo-produce')}.`;
      const names = topicNames(prefix);
      await ensureTopics(admin, names, { partitions: 2, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
      cleanup.add('topics', () => admin.deleteTopics({ topics: Object.values(names) }).catch(() => undefined));
      const run = startDemo(['produce', '--rate', '500', '--bad-every', '100'], { KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_TOPIC_PREFIX: prefix });
      await waitFor(() => admin.fetchTopicOffsets(names.events), { description: '300 records produced', until: (o) => o.reduce((n, p) => n + Number(p.high), 0) >= 300, timeoutMs: 60_000, intervalMs: 200 });
      run.signal('SIGTERM');
      const result = await run.exited;
      expect(result.code).toBe(0);
      const last = /^produced ([\d,]+) events \+ ([\d,]+) bad records .*, 0 failed$/.exec(result.stdout.trimEnd().split('\n').at(-1)!);
      expect(last).not.toBeNull();
      const [events, bad] = [Number(last![1]!.replace(/,/g, '')), Number(last![2]!.replace(/,/g, ''))];
      // One bad record after every 100 events (the one due right after the last event may or may not have been sent).
      expect([Math.floor((events - 1) / 100), Math.floor(events / 100)]).toContain(bad);
      expect((await admin.fetchTopicOffsets(names.events)).reduce((n, o) => n + Number(o.high), 0)).toBe(events + bad);
    }, 60_000);

    it('exits 2 naming the variable when KAFKA_BROKERS is missing or malformed', async () => {
      const missing = await runDemo(['produce', '--events', '1'], {});
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('KAFKA_BROKERS');
      const bad = await runDemo(['produce', '--events', '1'], { KAFKA_BROKERS: 'not a broker' });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('must be host:port');
    });

    it('exits 2 with a usage message for bad arguments', async () => {
      const result = await runDemo(['--events', 'lots'], {});
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain('--events must be a whole number');
    });
  });
});
