import { waitFor } from '@auditseal/testkit';
import { accountedColumns, settle } from './collect';
import { faultEnv } from './fault-env';
import { createPipeline, type Pipeline } from './pipeline';
import { judge } from './report';
import { writeScenarioResult } from './results';
import { startWorkload } from './workload';

/**
 * Scenario 3: the S3 gateway is down for OUTAGE_MS (60 s) while events flow.
 * The archiver must wait and retry (not exit, not skip), its lag must raise
 * the lag alert — `auditseal_archiver_lag_seconds` above LAG_ALERT_SECONDS, the
 * test's stand-in for the 120 s of infra/prometheus/alerts.yml — and the
 * verifier must notice (its passes fail while it cannot read the archive);
 * after the gateway is back the lag clears, the verifier's open findings
 * return to 0 and nothing is lost or duplicated.
 */
const OUTAGE_MS = Number(process.env.FAULTS_S3_OUTAGE_MS ?? 60_000);
if (!Number.isSafeInteger(OUTAGE_MS) || OUTAGE_MS < 10_000) throw new Error(`FAULTS_S3_OUTAGE_MS must be an integer ≥ 10000 (ms); got "${process.env.FAULTS_S3_OUTAGE_MS}"`);
const LAG_ALERT_SECONDS = Math.min(30, OUTAGE_MS / 2000);
const RATE = 200;
const STALL_MS = 15_000;

function maxSeries(text: string, name: string): number {
  let max = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    max = Math.max(max, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return max;
}

describe('fault 3: the S3 gateway down for 60 s', () => {
  const env = faultEnv();
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.close();
    await env.cluster.up(); // the gateway back, whatever happened
  });

  it('the archiver waits and retries, the lag alert fires and clears, nothing is lost', async () => {
    const began = Date.now();
    const p = await createPipeline(env, { name: 's3', env: { verifier: { VERIFIER_MAX_ARCHIVE_DELAY_MS: String(STALL_MS) } } });
    pipeline = p;
    const workload = startWorkload({ brokers: env.kafkaBrokers, topic: p.names.events, ratePerSecond: RATE });
    await waitFor(() => p.archivedCount(), { description: 'the first segments archived', timeoutMs: 60_000, until: (n) => n > 0 });
    await p.waitVerifierPass(new Date(), 1);
    const failuresBefore = await p.services.verifier.metric('auditseal_verifier_pass_failures_total');

    await env.cluster.kill('versitygw', 'SIGKILL');
    const downAt = Date.now();
    let lagDuring = 0;
    while (Date.now() - downAt < OUTAGE_MS) {
      lagDuring = Math.max(lagDuring, maxSeries((await p.services.archiver.http('/metrics')).body, 'auditseal_archiver_lag_seconds'));
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const failuresDuring = (await p.services.verifier.metric('auditseal_verifier_pass_failures_total')) - failuresBefore;
    const archiverSurvived = p.services.archiver.running();
    await env.cluster.up();
    const downSeconds = (Date.now() - downAt) / 1000;
    await new Promise((r) => setTimeout(r, 5_000));
    const produced = await workload.stop();

    const settled = await settle(p, produced.acknowledged, {
      drainTimeoutMs: 240_000,
      afterPass: async () => ({
        lagAfter: maxSeries((await p.services.archiver.http('/metrics')).body, 'auditseal_archiver_lag_seconds'),
        openAfter: await p.services.verifier.metric('auditseal_verifier_open_findings'),
      }),
    });
    const { pass, alerts, collected, cli } = settled;
    const { lagAfter, openAfter } = settled.afterPass;
    const unexpectedAlerts = alerts.filter((a) => a.kind !== 'archive_stalled');

    const verdict = judge({
      'lost = 0': collected.lost === 0,
      'duplicated = 0': collected.duplicated === 0,
      'chains intact': collected.chainProblems.length === 0,
      'archiver waited (kept running)': archiverSurvived && p.starts.archiver === 1,
      [`archiver lag alert fired (lag_seconds > ${LAG_ALERT_SECONDS})`]: lagDuring > LAG_ALERT_SECONDS,
      'verifier noticed (failed passes)': failuresDuring > 0,
      'lag cleared after recovery': lagAfter < LAG_ALERT_SECONDS,
      'no finding open after recovery': pass.findings === 0 && openAfter === 0,
      'no finding but archive_stalled': unexpectedAlerts.length === 0,
      'verify-archive exit 0': cli.exitCode === 0,
    });
    writeScenarioResult(env.resultsDir, {
      index: 3,
      scenario: 'S3 gateway down',
      faults: `versitygw SIGKILL, down ${downSeconds.toFixed(0)} s (restart included) while events flow`,
      ...accountedColumns(produced.acknowledged.length, settled),
      durationSeconds: (Date.now() - began) / 1000,
      ...verdict,
      notes: [
        `${produced.emitted.toLocaleString('en-US')} events at ${RATE}/s`,
        `archiver lag_seconds peaked at ${lagDuring.toFixed(0)} s during the outage (alert threshold in the test ${LAG_ALERT_SECONDS} s), ${lagAfter.toFixed(1)} s after recovery; the archiver kept running: ${archiverSurvived}`,
        `verifier: ${failuresDuring} failed passes during the outage (it cannot read the archive), open findings after recovery ${openAfter}`,
        `SDK emit failures: ${JSON.stringify(produced.failures)} ${JSON.stringify(produced.failureExamples)}`,
        ...collected.chainProblems,
      ],
    });

    expect(collected.chainProblems).toEqual([]);
    expect({ lost: collected.lost, duplicated: collected.duplicated, examples: collected.examples }).toEqual({ lost: 0, duplicated: 0, examples: { lost: [], duplicated: [] } });
    expect(archiverSurvived).toBe(true);
    expect(p.starts.archiver).toBe(1);
    expect(lagDuring).toBeGreaterThan(LAG_ALERT_SECONDS);
    expect(failuresDuring).toBeGreaterThan(0);
    expect(lagAfter).toBeLessThan(LAG_ALERT_SECONDS);
    expect(pass.findings).toBe(0);
    expect(openAfter).toBe(0);
    expect(unexpectedAlerts).toEqual([]);
    expect(cli).toMatchObject({ exitCode: 0 });
    expect(collected.sealed).toBe(produced.acknowledged.length);
    expect(collected.archived).toBe(produced.acknowledged.length);
  });
});
