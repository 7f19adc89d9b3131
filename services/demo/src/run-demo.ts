import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createKafkaClient, ensureTopics, topicNames } from '@auditseal/kafka';
import { createJsonLogger } from '@auditseal/runtime';
import { integrationEnv, TestkitError } from '@auditseal/testkit';
import { runArchiveCheck, verifyArchiveArgs, type ArchiveCheck } from './archive-check';
import type { RunOptions } from './args';
import { ensureBucket } from './ensure-bucket';
import { ensureDemoKeys } from './demo-keys';
import { archiveComplete, assess, exitCodeFor, finalLine, type DemoEnd } from './demo-outcome';
import { summaryLines } from './summary';
import { createPipelineProbe } from './pipeline-probe';
import { newRunId } from './run-id';
import type { PipelineSnapshot } from './pipeline-snapshot';
import { formatCount, progressLine, renderProgress } from './progress-line';
import { DEMO_RETENTION_DAYS, serviceEnvironments, type DemoServiceName } from './service-env';
import { startServiceProcess, type ServiceProcess } from './service-process';
import { startWorkload, type WorkloadRunner } from './workload-runner';
import { DEFAULTS } from './args';

/*
 * `npm run demo`: the whole pipeline on local Kafka + S3 (DESIGN.md "The
 * contract"). Steps: infrastructure (infra.sh up unless KAFKA_BROKERS and
 * S3_ENDPOINT are set) → this run's topics and the bucket → the demo key →
 * chainer, archiver, verifier as child processes → the workload → live
 * progress → (with --exit) wait until everything is sealed, archived and
 * verified → the CLI's verify-archive → summary → stop the services. Local
 * Kafka and S3 keep running with the data.
 */

export interface DemoIo {
  out(text: string): void;
  err(text: string): void;
  tty: boolean;
  columns: number;
}

export class DemoEnvironmentError extends Error {
  override readonly name = 'DemoEnvironmentError';
}

const SERVICE_READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 35_000;
const POLL_MS = 500;
const PLAIN_PROGRESS_MS = 5_000;

const repoRoot = resolve(__dirname, '..', '..', '..');
const serviceScript = (name: string) => join(repoRoot, 'services', name, 'dist', 'main.js');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A path relative to the repository when it is inside it (shorter to read and to paste). */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
};

export async function runDemo(options: RunOptions, io: DemoIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const startedAt = Date.now();
  const runId = newRunId(new Date(startedAt));
  const topicPrefix = `demo-${runId}.`;
  const names = topicNames(topicPrefix);
  const archivePrefix = `demo/${runId}`;
  const localDir = env.AUDITSEAL_LOCAL_DIR ? resolve(env.AUDITSEAL_LOCAL_DIR) : join(repoRoot, '.local');
  const logDir = join(localDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const say = (line: string) => io.err(`${line}\n`);

  say(`AuditSeal demo — run ${runId}`);
  // 1. Infrastructure: the env variables when given, else local Kafka + S3 (installed and started when missing).
  if (!env.KAFKA_BROKERS || !env.S3_ENDPOINT) say('starting local Kafka and S3 (infra/local/infra.sh up; a no-op when they run)…');
  let infra: ReturnType<typeof integrationEnv>;
  try {
    infra = integrationEnv();
  } catch (error) {
    if (error instanceof TestkitError) throw new DemoEnvironmentError(`${error.message}`, { cause: error });
    throw error;
  }
  const brokers = infra.kafkaBrokers;
  const s3 = infra.s3;

  // 2. Topics of this run (created with the topic policy) and the bucket.
  const demoLog = createJsonLogger({ service: 'demo', level: 'warn', write: () => {} });
  const kafka = createKafkaClient({ brokers, clientId: 'auditseal-demo', logger: demoLog });
  const admin = kafka.admin();
  let services: ServiceProcess[] = [];
  const killChildren = () => services.forEach((s) => s.killNow());
  process.on('exit', killChildren);
  let interrupted = false;
  let wake: () => void = () => {};
  const onSignal = () => {
    if (interrupted) {
      say('second signal: killing the services now');
      killChildren();
      process.exit(130);
    }
    interrupted = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let workloadRunner: WorkloadRunner | undefined;
  try {
    let minIsr: number;
    try {
      await admin.connect();
      const brokerCount = (await admin.describeCluster()).brokers.length;
      // One local broker: RF 1, min ISR 1; three (infra:up -- --brokers 3): RF 3, min ISR 2 as in production.
      minIsr = brokerCount >= 3 ? 2 : 1;
      await ensureTopics(admin, names, { partitions: options.partitions, replicationFactor: Math.min(3, brokerCount), minInsyncReplicas: minIsr, maxEventMessageBytes: 1024 * 1024 });
      await ensureBucket(s3);
    } catch (error) {
      throw new DemoEnvironmentError(`could not prepare Kafka (${brokers.join(',')}) or S3 (${s3.endpoint}): ${(error as Error).message}`, { cause: error });
    }
    const keys = ensureDemoKeys(join(localDir, 'demo'));

    // 3. The three services, configured for a demo (service-env.ts).
    const base = { PATH: env.PATH ?? '', HOME: env.HOME ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const serviceEnv = serviceEnvironments({ base, brokers, topicPrefix, minInsyncReplicas: minIsr, s3, archivePrefix, signingKeyPath: keys.signingKeyPath, keyringPath: keys.keyringPath, runId });
    const logPath = (name: string) => join(logDir, `demo-${runId}-${name}.log`);
    const start = (name: DemoServiceName) => {
      const service = startServiceProcess({ name, script: serviceScript(name), env: serviceEnv[name], logPath: logPath(name) });
      services.push(service);
      return service;
    };
    const chainer = start('chainer');
    const archiver = start('archiver');
    const verifier = start('verifier');
    const dead = () => services.find((s) => s.exitStatus() !== undefined);
    const deadReason = (s: ServiceProcess) => `the ${s.name} exited (${s.exitStatus()}); last lines of ${shown(s.logPath)}:\n${s.tail(8)}`;

    // Ready = chainer and archiver answer /readyz with 200 (the verifier becomes ready after its first pass).
    const readyDeadline = Date.now() + SERVICE_READY_TIMEOUT_MS;
    const isReady = async (s: ServiceProcess) => {
      const port = s.port();
      if (port === undefined) return false;
      try {
        return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
      } catch {
        return false;
      }
    };
    say('starting the chainer, archiver and verifier…');
    for (;;) {
      const down = dead();
      if (down) return finish('failed', undefined, deadReason(down));
      if (interrupted) return finish('interrupted', undefined, 'interrupted');
      if ((await isReady(chainer)) && (await isReady(archiver)) && verifier.port() !== undefined) break;
      if (Date.now() > readyDeadline) return finish('failed', undefined, `the services were not ready within ${SERVICE_READY_TIMEOUT_MS / 1000}s (logs: ${shown(logPath('*'))})`);
      await sleep(250);
    }

    const rate = options.rate;
    const workloadText =
      options.events === undefined
        ? `${formatCount(rate)} events/s until Ctrl-C, one bad record per ${formatCount(DEFAULTS.badEvery)} events`
        : `${formatCount(options.events)} events + ${options.badRecords} bad records written raw, ${rate === undefined ? 'as fast as the pipeline takes them' : `${formatCount(rate)} events/s`}`;
    say(`  kafka        ${brokers.join(',')}: topics ${names.events}, ${names.sealed}, ${names.alerts} (${options.partitions} partitions)`);
    say(`  archive      s3://${s3.bucket}/${archivePrefix}/ at ${s3.endpoint} (Object Lock COMPLIANCE, ${DEMO_RETENTION_DAYS} day)`);
    say(`  keys         ${shown(keys.signingKeyPath)} (key ${keys.keyId}${keys.generated ? ', new' : ''}), public keyring ${shown(keys.keyringPath)}`);
    say(`  services     chainer :${chainer.port()}, archiver :${archiver.port()}, verifier :${verifier.port()} (/metrics, /readyz); logs ${shown(logPath('<service>'))}`);
    say(`  workload     ${workloadText} (seed ${options.seed}); 4 services, 6 tenants, mixed actions and outcomes`);

    // 4. The workload and the progress loop.
    const expected = { events: options.events ?? 0, bad: options.events === undefined ? 0 : options.badRecords };
    const workloadLog: string[] = [];
    workloadRunner = startWorkload({
      brokers,
      topic: names.events,
      plan: { events: options.events, badRecords: options.badRecords, badEvery: DEFAULTS.badEvery, seed: options.seed },
      rate,
      logger: createJsonLogger({ service: 'demo-workload', level: 'warn', write: (line) => workloadLog.push(line) }),
    });
    const workloadStartedAt = Date.now();
    const probe = createPipelineProbe({ chainer, archiver, verifier, admin, alertsTopic: names.alerts });
    let previous: PipelineSnapshot | undefined;
    let lastPrinted = 0;
    let archiveCompleteAt: number | undefined;
    let alertsShown = 0;
    let snapshot: PipelineSnapshot | undefined;
    let end: DemoEnd | undefined;
    let reason: string | undefined;
    const deadline = workloadStartedAt + options.timeoutSeconds * 1000;
    while (end === undefined) {
      snapshot = await probe.read(workloadRunner.counts());
      if (snapshot.at - lastPrinted >= (io.tty ? 0 : PLAIN_PROGRESS_MS)) {
        io.err(renderProgress(progressLine(snapshot, previous, workloadStartedAt), io.tty, io.columns));
        previous = snapshot;
        lastPrinted = snapshot.at;
      }
      const down = dead();
      if (down) [end, reason] = ['failed', deadReason(down)];
      else if (interrupted) [end, reason] = ['interrupted', 'interrupted'];
      else if (options.exit) {
        if (archiveCompleteAt === undefined && archiveComplete(snapshot, expected)) archiveCompleteAt = snapshot.at;
        const a = assess(snapshot, expected, archiveCompleteAt);
        if (a.done) end = 'ok';
        else if (a.hopeless) [end, reason] = ['failed', a.reasons.join('; ')];
        else if (Date.now() > deadline) [end, reason] = ['failed', `timeout after ${options.timeoutSeconds}s: ${a.reasons.join('; ')}`];
      } else if (snapshot.alerts !== undefined && snapshot.alerts > alertsShown) {
        alertsShown = snapshot.alerts;
        say(`${io.tty ? '\n' : ''}ALERT: ${snapshot.alerts} record(s) on ${names.alerts}; see ${shown(logPath('verifier'))}`);
      }
      if (end === undefined) await new Promise<void>((r) => ((wake = r), setTimeout(r, POLL_MS)));
    }
    if (io.tty) io.err('\n');
    if (workloadLog.length > 0) say(`workload errors (first of ${workloadLog.length}): ${workloadLog[0]}`);

    // 5. The archive check with the compliance CLI: when the pipeline says all is verified (before
    // the services stop, so that a late alert still counts), or after Ctrl-C on what got archived
    // (after they stop: the archiver archives its open segments on SIGTERM).
    const cliArgs = verifyArchiveArgs({ bucket: s3.bucket, prefix: archivePrefix, keyringPath: shown(keys.keyringPath), retentionDays: DEMO_RETENTION_DAYS });
    const checkArchive = () => {
      say('checking the archive with the compliance CLI (auditseal verify-archive)…');
      return runArchiveCheck({
        cliScript: serviceScript('cli'),
        args: verifyArchiveArgs({ bucket: s3.bucket, prefix: archivePrefix, keyringPath: keys.keyringPath, retentionDays: DEMO_RETENTION_DAYS }),
        env: { ...base, S3_ENDPOINT: s3.endpoint, S3_REGION: s3.region, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
        timeoutMs: 300_000,
      });
    };
    let archiveCheck: ArchiveCheck | undefined;
    if (end === 'ok') {
      archiveCheck = await checkArchive();
      if (!archiveCheck.ok) [end, reason] = ['failed', `auditseal verify-archive: ${archiveCheck.summary}`];
      // Alerts published while the CLI ran still count.
      snapshot = await probe.read(workloadRunner.counts());
      if (end === 'ok' && (snapshot.alerts ?? 0) > 0) [end, reason] = ['failed', `${snapshot.alerts} alert(s) on ${names.alerts}`];
    }
    await stopAll();
    if (end === 'interrupted' && (snapshot?.archived?.entries ?? 0) > 0) archiveCheck = await checkArchive();
    const s = snapshot!;

    // 6. The summary; the last line is the contract's.
    const lines = summaryLines({
      end,
      reason,
      snapshot: s,
      expectedBad: expected.bad,
      finite: options.events !== undefined,
      chains: options.partitions,
      bucket: s3.bucket,
      archivePrefix,
      topicPrefix,
      alertsTopic: names.alerts,
      archiveCheck,
      verifyArchiveArgs: cliArgs,
      chainerLog: shown(logPath('chainer')),
      wallMs: Date.now() - startedAt,
      workloadStartMs: workloadStartedAt - startedAt,
    });
    io.out(`${lines.join('\n')}\n`);
    return exitCodeFor(end);
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killChildren);
    await admin.disconnect().catch(() => undefined);
  }

  async function stopAll(): Promise<void> {
    const runner = workloadRunner;
    workloadRunner = undefined;
    await runner?.stop();
    const running = services;
    services = [];
    if (running.length > 0) {
      say('stopping the services (SIGTERM; SIGKILL after 35 s)…');
      await Promise.all(running.map((s) => s.stop(STOP_GRACE_MS)));
    }
  }

  function finish(end: DemoEnd, s: PipelineSnapshot | undefined, reason: string): number {
    const line = finalLine(end, s ?? { at: Date.now(), produced: { events: 0, bad: 0, failed: 0 }, sealed: undefined, archived: undefined, verified: undefined, alerts: undefined }, reason.split('\n')[0]);
    io.out(`${end === 'failed' ? `FAILED: ${reason}\n` : ''}${line}\n`);
    return exitCodeFor(end);
  }
}
