import { encodeEvent, uuidv7 } from '@auditseal/codec';
import { Partitioners, type Message } from 'kafkajs';
import { accountedColumns, settle } from './collect';
import { faultEnv } from './fault-env';
import { PARTITIONS, createPipeline, summarizeAlerts, type Pipeline } from './pipeline';
import { seededRandom, type Random } from './random';
import { judge } from './report';
import { writeScenarioResult } from './results';
import { startWorkload } from './workload';

/**
 * Scenario 5: BAD_RECORDS hostile records written raw (kafkajs, acks=all) on
 * audit.events — random bytes, valid events cut short, a valid header with a
 * random body, empty and null values, values over CHAINER_MAX_EVENT_BYTES —
 * while the SDK writes valid events beside them. Every bad record must become
 * exactly one `rejected` entry (sealed and archived, bytes verbatim), every
 * valid one an `event` entry, and no service may exit.
 */
const BAD_RECORDS = 10_000;
const VALID_EVENTS = 1_000;
const OVERSIZED_BYTES = 300_000; // > CHAINER_MAX_EVENT_BYTES (262,144), < the topic's 1 MiB

type BadKind = 'oversized' | 'empty' | 'null' | 'truncated' | 'bad_body' | 'random';

/** Kind of the i-th bad record: 1 % oversized, 4 % empty, 0.1 % null, 30 % truncated, 15 % header + random body, the rest random bytes. */
function badKind(i: number): BadKind {
  if (i % 1000 === 999) return 'null';
  const k = i % 100;
  if (k === 0) return 'oversized';
  if (k <= 4) return 'empty';
  if (k <= 34) return 'truncated';
  if (k <= 49) return 'bad_body';
  return 'random';
}

function badValue(kind: BadKind, i: number, random: Random): Buffer | null {
  const valid = () =>
    encodeEvent({
      eventId: uuidv7(),
      eventTime: Date.now() * 1000,
      tenant: `tenant-${i % 7}`,
      actor: { type: 'user', id: `user-${i}` },
      action: 'invoice.approve',
      target: { type: 'invoice', id: `inv-${i}` },
      outcome: 'SUCCESS',
      source: { service: 'storm', instance: 'storm-1' },
    });
  switch (kind) {
    case 'null':
      return null;
    case 'empty':
      return Buffer.alloc(0);
    case 'oversized':
      return Buffer.concat([valid().subarray(0, 10), random.bytes(OVERSIZED_BYTES)]);
    case 'truncated': {
      const bytes = valid();
      return bytes.subarray(0, random.int(1, bytes.length - 1));
    }
    case 'bad_body':
      return Buffer.concat([valid().subarray(0, 10), random.bytes(random.int(0, 512))]);
    case 'random':
      return random.bytes(random.int(1, 2048));
  }
}

describe('fault 5: bad input storm on audit.events', () => {
  const env = faultEnv();
  const random = seededRandom(env.seed + 5);
  let pipeline: Pipeline | undefined;
  afterAll(async () => {
    await pipeline?.close();
  });

  it(`accounts every one of ${BAD_RECORDS.toLocaleString('en-US')} bad records as rejected, and no service crashes`, async () => {
    const began = Date.now();
    const p = await createPipeline(env, { name: 'storm' });
    pipeline = p;
    const workload = startWorkload({ brokers: env.kafkaBrokers, topic: p.names.events, ratePerSecond: 500, count: VALID_EVENTS });

    // Raw records, 100 per send to one partition (the oversized ones alone): offsets are baseOffset + index.
    const raw = p.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
    const badKeys: string[] = [];
    const kinds: Record<string, number> = {};
    let batch: Message[] = [];
    let sends = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const partition = sends++ % PARTITIONS;
      const [result] = await raw.send({ topic: p.names.events, acks: -1, messages: batch.map((m) => ({ ...m, partition })) });
      const base = Number(result!.baseOffset);
      batch.forEach((_, index) => badKeys.push(`${partition}:${base + index}`));
      batch = [];
    };
    try {
      for (let i = 0; i < BAD_RECORDS; i++) {
        const kind = badKind(i);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        const key = random.int(0, 3) === 0 ? null : random.int(0, 1) === 0 ? random.bytes(random.int(0, 64)) : `tenant-${i % 7}`;
        if (kind === 'oversized') await flush();
        batch.push({ key, value: badValue(kind, i, random) });
        if (kind === 'oversized' || batch.length >= 100) await flush();
      }
      await flush();
    } finally {
      await raw.disconnect();
    }
    const produced = await workload.done;

    const settled = await settle(p, [...produced.acknowledged, ...badKeys], { drainTimeoutMs: 240_000 });
    const { pass, alerts, collected, cli } = settled;
    const crashed = Object.values(p.services).filter((s) => !s.running()).map((s) => `${s.name}: ${s.tail(5)}`);

    const verdict = judge({
      'lost = 0': collected.lost === 0,
      'duplicated = 0': collected.duplicated === 0,
      'chains intact': collected.chainProblems.length === 0,
      [`${BAD_RECORDS} rejected entries`]: collected.rejected === BAD_RECORDS,
      'every valid event an event entry': collected.events === produced.acknowledged.length && produced.acknowledged.length === VALID_EVENTS,
      'no service crashed': crashed.length === 0,
      'verifier clean': pass.findings === 0 && alerts.length === 0 && cli.exitCode === 0,
    });
    writeScenarioResult(env.resultsDir, {
      index: 5,
      scenario: 'bad input storm',
      faults: `${BAD_RECORDS.toLocaleString('en-US')} raw bad records (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}) among ${VALID_EVENTS.toLocaleString('en-US')} SDK events`,
      ...accountedColumns(produced.acknowledged.length + badKeys.length, settled),
      findings: `${summarizeAlerts(alerts)} raised; ${pass.findings} open; verify-archive exit ${cli.exitCode}`,
      durationSeconds: (Date.now() - began) / 1000,
      ...verdict,
      notes: [
        `${collected.rejected.toLocaleString('en-US')} rejected entries by reason ${JSON.stringify(collected.rejectReasons)}, ${collected.events.toLocaleString('en-US')} event entries`,
        `services that exited: ${crashed.length === 0 ? 'none' : crashed.join(' | ')}`,
        ...collected.chainProblems,
      ],
    });

    expect(crashed).toEqual([]);
    expect(collected.chainProblems).toEqual([]);
    expect({ lost: collected.lost, duplicated: collected.duplicated, examples: collected.examples }).toEqual({ lost: 0, duplicated: 0, examples: { lost: [], duplicated: [] } });
    expect(collected.rejected).toBe(BAD_RECORDS);
    expect(collected.events).toBe(produced.acknowledged.length);
    expect(produced.acknowledged).toHaveLength(VALID_EVENTS);
    expect(pass.findings).toBe(0);
    expect(alerts).toEqual([]);
    expect(cli).toMatchObject({ exitCode: 0 });
  });
});
