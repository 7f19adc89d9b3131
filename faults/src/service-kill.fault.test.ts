import type { ServiceName } from '@auditseal/testkit';
import { accountedColumns, settle } from './collect';
import { faultEnv } from './fault-env';
import { createPipeline, type Pipeline } from './pipeline';
import { seededRandom } from './random';
import { judge } from './report';
import { writeScenarioResult } from './results';
import { startWorkload } from './workload';

/**
 * Scenario 2: while events flow, SIGKILL the chainer, the archiver and the
 * verifier at random moments — ROUNDS times each, the three on independent
 * timelines (so kills also land during another service's start and
 * recovery) — and start each again at once. Same bar as scenario 1.
 */
const ROUNDS = 10;
const RATE = 400;
const SERVICES: ServiceName[] = ['chainer', 'archiver', 'verifier'];

describe('fault 2: SIGKILL chainer, archiver and verifier at random moments', () => {
  const env = faultEnv();
  const random = seededRandom(env.seed + 2);
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.close();
  });

  it(`loses nothing and duplicates nothing over ${ROUNDS} kills of each service`, async () => {
    const began = Date.now();
    const p = await createPipeline(env, { name: 'services' });
    pipeline = p;
    const workload = startWorkload({ brokers: env.kafkaBrokers, topic: p.names.events, ratePerSecond: RATE });
    const kills: Record<ServiceName, number> = { chainer: 0, archiver: 0, verifier: 0 };
    const exitedBeforeKill: string[] = [];
    // Each service's timeline: wait 0.3–4 s, SIGKILL, start again; ROUNDS times.
    await Promise.all(
      SERVICES.map(async (name) => {
        const delays = Array.from({ length: ROUNDS }, () => random.int(300, 4_000));
        for (const delay of delays) {
          await new Promise((r) => setTimeout(r, delay));
          const service = p.services[name];
          if (!service.running()) exitedBeforeKill.push(`${name}: ${JSON.stringify(await service.exited)}\n${service.tail(5)}`);
          service.kill('SIGKILL');
          await service.exited;
          kills[name]++;
          p.start(name);
        }
      }),
    );
    // Let the last starts recover while events still flow, then stop the producer.
    await new Promise((r) => setTimeout(r, 3_000));
    const produced = await workload.stop();

    const settled = await settle(p, produced.acknowledged, { drainTimeoutMs: 240_000 });
    const { pass, alerts, collected, cli } = settled;
    const running = Object.values(p.services).filter((s) => s.running()).length;

    const verdict = judge({
      'lost = 0': collected.lost === 0,
      'duplicated = 0': collected.duplicated === 0,
      'chains intact': collected.chainProblems.length === 0,
      'no emit failed': Object.keys(produced.failures).length === 0,
      'verifier clean': pass.findings === 0 && alerts.length === 0 && cli.exitCode === 0,
      'no service exited by itself': running === 3 && exitedBeforeKill.length === 0,
    });
    writeScenarioResult(env.resultsDir, {
      index: 2,
      scenario: 'chainer, archiver, verifier SIGKILL',
      faults: `SIGKILL ×${kills.chainer} chainer, ×${kills.archiver} archiver, ×${kills.verifier} verifier at random moments (0.3–4 s apart), each restarted at once`,
      ...accountedColumns(produced.acknowledged.length, settled),
      durationSeconds: (Date.now() - began) / 1000,
      ...verdict,
      notes: [
        `${produced.emitted.toLocaleString('en-US')} events at ${RATE}/s during the kills`,
        `SDK emit failures: ${JSON.stringify(produced.failures)} ${JSON.stringify(produced.failureExamples)}`,
        `${collected.segments} segments`,
        ...(exitedBeforeKill.length > 0 ? [`services that had exited on their own before a kill: ${exitedBeforeKill.length}`] : []),
        ...collected.chainProblems,
      ],
    });

    expect(exitedBeforeKill).toEqual([]);
    expect(collected.chainProblems).toEqual([]);
    expect({ lost: collected.lost, duplicated: collected.duplicated, examples: collected.examples }).toEqual({ lost: 0, duplicated: 0, examples: { lost: [], duplicated: [] } });
    expect(produced.failures).toEqual({});
    expect(collected.sealed).toBe(produced.acknowledged.length);
    expect(collected.archived).toBe(produced.acknowledged.length);
    expect(pass.findings).toBe(0);
    expect(alerts).toEqual([]);
    expect(cli).toMatchObject({ exitCode: 0 });
    expect(running).toBe(3);
    expect(kills).toEqual({ chainer: ROUNDS, archiver: ROUNDS, verifier: ROUNDS });
  });
});
