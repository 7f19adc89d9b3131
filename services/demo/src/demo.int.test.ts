import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTopics, topicNames } from '@auditseal/kafka';
import { createCleanup, createTestKafka, integrationEnv, uniqueName } from '@auditseal/testkit';

/*
 * The built demo (`node services/demo/dist/main.js`, what `npm run demo` runs)
 * against the running Kafka and S3: the whole pipeline for 2,000 events with
 * --exit, and the workload generator alone (`produce`).
 */

const repo = resolve(__dirname, '..', '..', '..');
const main = join(repo, 'services', 'demo', 'dist', 'main.js');

function runDemo(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
  const child = spawn(process.execPath, [main, ...args], { cwd: repo, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
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
