import { decodeEvent } from '@auditseal/codec';
import { createAuditProducer, isProducerError, type AuditProducer, type EmitReceipt, type ProducerError } from '@auditseal/producer';
import { silentLogger } from '@auditseal/runtime';
import { startDedicatedKafka, uniqueName, waitFor, type DedicatedKafka } from '@auditseal/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { accountRecords } from './accounting';
import { faultEnv } from './fault-env';
import { readTopic } from './read-topic';
import { judge } from './report';
import { writeScenarioResult } from './results';
import { workloadEvent } from './workload';

/**
 * Scenario 4: Kafka goes away under the producer SDK. As in the SDK's own
 * broker-outage test, on a single broker of its own (startDedicatedKafka), so
 * that "all of Kafka is down" does not take the fault cluster with it:
 *  A. SIGKILL the broker for longer than the buffer takes to fill but less
 *     than the delivery deadline: emits wait (backpressure) within the
 *     buffer's caps, and once the broker is back every emit is delivered
 *     exactly once;
 *  B. SIGKILL it past the deadline: every emit fails with a typed, retriable
 *     `delivery_timeout` (none hangs, none succeeds), the buffer stays within
 *     its caps, and after the restart no event the SDK reported `not_sent`
 *     is on the topic, none twice. (`unknown` — "may have been written" —
 *     is counted, not bounded: the SDK promises no bound on it.)
 */
const EMITS = 5_000;
const CAPS = { maxBufferedEvents: 1_000, maxBufferedBytes: 512 * 1024, maxBatchEvents: 200 };
const DEADLINE_A_MS = 90_000;
const DEADLINE_B_MS = 5_000;

interface Outcome {
  receipt?: EmitReceipt;
  error?: ProducerError;
}

function track(promise: Promise<EmitReceipt>): Outcome {
  const outcome: Outcome = {};
  promise.then(
    (receipt) => (outcome.receipt = receipt),
    (error: unknown) => (outcome.error = isProducerError(error) ? error : (Object.assign(new Error(String(error)), { code: 'untyped' }) as unknown as ProducerError)),
  );
  return outcome;
}

describe('fault 4: Kafka down for the producer SDK', () => {
  const env = faultEnv();
  let broker: DedicatedKafka | undefined;
  const producers: AuditProducer[] = [];
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.close({ timeoutMs: 5_000 })));
    await broker?.destroy();
  });

  it('bounded memory, typed errors past the deadline, nothing lost or duplicated within it', async () => {
    const began = Date.now();
    broker = await startDedicatedKafka();
    const dedicated = broker;
    const kafka = new Kafka({ clientId: 'faults-sdk', brokers: dedicated.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('faults-sdk');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = (deliveryTimeoutMs: number) => {
      const created = createAuditProducer({ brokers: dedicated.brokers, topic, source: { service: 'faults', instance: 'sdk' }, logger: silentLogger, deliveryTimeoutMs, ...CAPS });
      producers.push(created);
      return created;
    };

    // A. down for less than the deadline.
    const a = producer(DEADLINE_A_MS);
    const firstA = await a.emit(workloadEvent(-1));
    await dedicated.stop({ signal: 'SIGKILL' });
    const downA = Date.now();
    const outcomesA = Array.from({ length: EMITS }, (_, i) => track(a.emit(workloadEvent(i))));
    const whileDown = a.stats();
    await new Promise((r) => setTimeout(r, 3_000));
    const settledWhileDown = outcomesA.filter((o) => o.receipt || o.error).length;
    await dedicated.start();
    const downASeconds = (Date.now() - downA) / 1000;
    await waitFor(() => outcomesA.every((o) => o.receipt || o.error), { description: 'every emit of phase A settled', timeoutMs: DEADLINE_A_MS + 10_000, intervalMs: 200 });
    const statsA = a.stats();
    const ackedA = [firstA.eventId, ...outcomesA.flatMap((o) => (o.receipt ? [o.receipt.eventId] : []))];
    const failedA = outcomesA.filter((o) => o.error).length;

    // B. down past the deadline.
    const b = producer(DEADLINE_B_MS);
    const firstB = await b.emit(workloadEvent(-2));
    await dedicated.stop({ signal: 'SIGKILL' });
    const downB = Date.now();
    const outcomesB = Array.from({ length: EMITS }, (_, i) => track(b.emit(workloadEvent(EMITS + i))));
    await waitFor(() => outcomesB.every((o) => o.receipt || o.error), { description: 'every emit of phase B settled', timeoutMs: DEADLINE_B_MS + 15_000, intervalMs: 200 });
    const statsB = b.stats();
    const codesB = new Map<string, number>();
    const outcomeKinds = new Map<string, number>();
    for (const o of outcomesB) {
      codesB.set(o.error ? String(o.error.code) : 'receipt', (codesB.get(o.error ? String(o.error.code) : 'receipt') ?? 0) + 1);
      const kind = String(o.error?.details?.outcome ?? 'none');
      outcomeKinds.set(kind, (outcomeKinds.get(kind) ?? 0) + 1);
    }
    await dedicated.start();
    const downBSeconds = (Date.now() - downB) / 1000;

    // What is on the topic once the broker is back.
    // Right after a restart the group coordinator may still be loading: read again until it answers.
    const records = await waitFor(() => readTopic(kafka, admin, topic), { description: `${topic} readable after the restart`, timeoutMs: 60_000, intervalMs: 1_000 });
    await admin.disconnect();
    const onTopic = records.map((r) => decodeEvent(r.value!).eventId);
    const accounting = accountRecords({ acknowledged: [...ackedA, firstB.eventId], sealed: onTopic, archived: onTopic });
    const topicIds = new Set(onTopic);
    const notSentButWritten = outcomesB.filter((o) => o.error?.details?.outcome === 'not_sent' && topicIds.has(String(o.error.details.eventId))).length;
    const capsHeld = [statsA, statsB, whileDown].every((s) => s.peakBufferedEvents <= CAPS.maxBufferedEvents && s.peakBufferedBytes <= CAPS.maxBufferedBytes);
    const timeouts = codesB.get('delivery_timeout') ?? 0;
    const typedRetriable = outcomesB.every((o) => o.error?.code === 'delivery_timeout' && o.error.retriable === true);

    const verdict = judge({
      'lost = 0': accounting.lost === 0,
      'duplicated = 0': accounting.duplicated === 0,
      'every emit delivered within the deadline': failedA === 0,
      'emits waited while down (backpressure)': settledWhileDown === 0 && whileDown.waitingEmits > 0,
      'buffer within its caps': capsHeld,
      'delivery_timeout (retriable) past the deadline': typedRetriable && timeouts === EMITS,
      "no 'not_sent' event written": notSentButWritten === 0,
    });
    writeScenarioResult(env.resultsDir, {
      index: 4,
      scenario: 'Kafka down for the producer SDK',
      faults: `broker SIGKILL: ${downASeconds.toFixed(0)} s within a ${DEADLINE_A_MS / 1000} s deadline, then ${downBSeconds.toFixed(0)} s past a ${DEADLINE_B_MS / 1000} s deadline; ${EMITS.toLocaleString('en-US')} emits each`,
      produced: accounting.acknowledged,
      sealed: null,
      archived: null,
      lost: accounting.lost,
      duplicated: accounting.duplicated,
      findings: `past the deadline: ${timeouts.toLocaleString('en-US')} × delivery_timeout (retriable), ${codesB.get('receipt') ?? 0} receipts`,
      durationSeconds: (Date.now() - began) / 1000,
      ...verdict,
      notes: [
        `buffer caps ${CAPS.maxBufferedEvents} events / ${CAPS.maxBufferedBytes / 1024} KiB; peak ${Math.max(statsA.peakBufferedEvents, statsB.peakBufferedEvents)} events / ${(Math.max(statsA.peakBufferedBytes, statsB.peakBufferedBytes) / 1024).toFixed(0)} KiB; ${whileDown.waitingEmits.toLocaleString('en-US')} emits waited for room while the broker was down`,
        `phase A: ${ackedA.length.toLocaleString('en-US')} receipts, ${failedA} failures; phase B outcomes ${JSON.stringify(Object.fromEntries(outcomeKinds))}; ${notSentButWritten} 'not_sent' events found on the topic`,
        `${records.length.toLocaleString('en-US')} records on the topic (SDK only: no chainer in this scenario)`,
      ],
    });

    expect(settledWhileDown).toBe(0);
    expect(whileDown.waitingEmits).toBeGreaterThan(0);
    expect(capsHeld).toBe(true);
    expect(failedA).toBe(0);
    expect({ lost: accounting.lost, duplicated: accounting.duplicated, examples: accounting.examples }).toEqual({ lost: 0, duplicated: 0, examples: { lost: [], duplicated: [] } });
    expect(Object.fromEntries(codesB)).toEqual({ delivery_timeout: EMITS });
    expect(typedRetriable).toBe(true);
    expect(notSentButWritten).toBe(0);
  });
});
