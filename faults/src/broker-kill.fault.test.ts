import { accountedColumns, settle } from './collect';
import { faultEnv } from './fault-env';
import { createPipeline, type Pipeline } from './pipeline';
import { seededRandom } from './random';
import { judge } from './report';
import { writeScenarioResult } from './results';
import { startWorkload } from './workload';

/**
 * Scenario 1: SIGKILL one broker of the 3-broker cluster (RF 3, min ISR 2,
 * acks=all) while events flow through the SDK, chainer, archiver and
 * verifier; start it again. Nothing acknowledged may be lost or duplicated,
 * the chains stay intact, and the verifier is clean once the broker is back.
 */
const EVENTS = 15_000;
const RATE = 750;

describe('fault 1: SIGKILL one Kafka broker while events flow', () => {
  const env = faultEnv();
  const random = seededRandom(env.seed + 1);
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.close();
    await env.cluster.up(); // whatever happened, leave the cluster whole for the next scenario
  });

  it('loses nothing, duplicates nothing, keeps the chains intact and the verifier clean', async () => {
    const began = Date.now();
    pipeline = await createPipeline(env, { name: 'broker' });
    const workload = startWorkload({ brokers: env.kafkaBrokers, topic: pipeline.names.events, ratePerSecond: RATE, count: EVENTS });
    const broker = random.int(1, 3);
    const killAfter = random.int(3_000, 6_000);
    await new Promise((r) => setTimeout(r, killAfter));
    const killedAtEmitted = workload.emitted();
    await env.cluster.kill(`kafka-${broker}`, 'SIGKILL');
    const downFrom = Date.now();
    await new Promise((r) => setTimeout(r, 8_000));
    await env.cluster.up();
    const downSeconds = (Date.now() - downFrom) / 1000;
    const produced = await workload.done;

    const settled = await settle(pipeline, produced.acknowledged);
    const { pass, alerts, collected, cli } = settled;
    const running = Object.values(pipeline.services).filter((s) => s.running()).length;

    const verdict = judge({
      'lost = 0': collected.lost === 0,
      'duplicated = 0': collected.duplicated === 0,
      'chains intact': collected.chainProblems.length === 0,
      'no emit failed': produced.acknowledged.length === EVENTS,
      'verifier clean': pass.findings === 0 && alerts.length === 0 && cli.exitCode === 0,
      'services running': running === 3,
    });
    writeScenarioResult(env.resultsDir, {
      index: 1,
      scenario: 'Kafka broker SIGKILL',
      faults: `SIGKILL broker ${broker} of 3 after ${killAtLabel(killedAtEmitted)} events; down ${downSeconds.toFixed(0)} s (restart included)`,
      ...accountedColumns(produced.acknowledged.length, settled),
      durationSeconds: (Date.now() - began) / 1000,
      ...verdict,
      notes: [
        `${EVENTS.toLocaleString('en-US')} events at ${RATE}/s over 3 partitions`,
        `SDK emit failures: ${JSON.stringify(produced.failures)} ${JSON.stringify(produced.failureExamples)}; SDK warnings: ${JSON.stringify(produced.logged)}`,
        `event ids written twice to audit.events by the SDK: ${collected.inputDuplicates} (the chains account 1:1 for audit.events: ${collected.chainProblems.length === 0 ? 'yes' : 'no'})`,
        `${collected.segments} segments`,
        ...collected.chainProblems,
      ],
    });

    expect(collected.chainProblems).toEqual([]);
    expect({ lost: collected.lost, duplicated: collected.duplicated, examples: collected.examples }).toEqual({ lost: 0, duplicated: 0, examples: { lost: [], duplicated: [] } });
    expect(produced.failures).toEqual({});
    expect(produced.acknowledged).toHaveLength(EVENTS);
    expect(collected.sealed).toBe(EVENTS);
    expect(collected.archived).toBe(EVENTS);
    expect(pass.findings).toBe(0);
    expect(alerts).toEqual([]);
    expect(cli).toMatchObject({ exitCode: 0 });
    expect(running).toBe(3);
  });
});

function killAtLabel(n: number): string {
  return n.toLocaleString('en-US');
}
