import { createKafkaClient, type Logger } from '@auditseal/kafka';
import { createAuditProducer, createKafkaSender, isProducerError, type AuditEventInput, type KafkaSender } from '@auditseal/producer';
import type { ProducedCounts } from './pipeline-snapshot';
import { workload, type BadRecord, type WorkloadPlan } from './workload';

/*
 * Drives the workload (workload.ts) into audit.events: good events through
 * the SDK (@auditseal/producer, acks=all, batched), bad records through the
 * SDK's transport alone (createKafkaSender: idempotent, acks=all), because
 * the SDK itself would refuse them — which is the point. Counts only what
 * Kafka acknowledged. Shared by `demo run` and `demo produce`.
 */

/** kafkajs warns at WARN for every idempotent producer with finite retries; ours are finite on purpose (see the SDK's kafka-logger.ts), so it is noise here. */
const FINITE_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
function withoutRetryWarning(logger: Logger): Logger {
  return {
    debug: (m, f) => logger.debug(m, f),
    info: (m, f) => logger.info(m, f),
    warn: (m, f) => (m === FINITE_RETRIES_WARNING ? logger.debug(m, f) : logger.warn(m, f)),
    error: (m, f) => logger.error(m, f),
    child: (ns) => withoutRetryWarning(logger.child(ns)),
  };
}

/** Sends of one bad record: resending the same record is deduplicated by the broker (KafkaSender contract). */
const BAD_RECORD_ATTEMPTS = 5;

export interface WorkloadRunnerOptions {
  brokers: string[];
  topic: string;
  plan: WorkloadPlan;
  /** Events per second; undefined = as fast as the SDK's buffer lets us. */
  rate: number | undefined;
  logger: Logger;
}

export interface WorkloadRunner {
  counts(): ProducedCounts;
  /** Resolves when the plan is exhausted (or stop() was called) and every emit has settled and the clients closed. */
  readonly done: Promise<void>;
  /** Stops emitting, lets what was emitted settle, closes the clients. */
  stop(): Promise<void>;
}

/** Events per emitMany call, and calls in flight at once (≤ 5,000 events outstanding, under the SDK's 10,000 buffer). */
const CHUNK = 500;
const CHUNKS_IN_FLIGHT = 10;
const TICK_MS = 50;

export function startWorkload(options: WorkloadRunnerOptions): WorkloadRunner {
  const counts: ProducedCounts = { events: 0, bad: 0, failed: 0 };
  const sdk = createAuditProducer({ brokers: options.brokers, clientId: 'auditseal-demo-workload', topic: options.topic, source: { service: 'auditseal-demo' }, logger: options.logger });
  let raw: KafkaSender | undefined;
  let stopping = false;
  let wake: () => void = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const emitChunk = (events: AuditEventInput[]) => {
    let promise: Promise<unknown>;
    try {
      promise = sdk.emitMany(events);
    } catch (error) {
      // invalid_event: a bug of the generator; counted, logged, never thrown.
      counts.failed += events.length;
      options.logger.error('the SDK refused demo events', { error });
      return;
    }
    track(
      promise.then(
        () => {
          counts.events += events.length;
        },
        (error: unknown) => {
          const receipts = isProducerError(error) ? ((error.details as { receipts?: unknown[] }).receipts ?? []) : [];
          const delivered = receipts.filter((r) => r !== null && r !== undefined).length;
          counts.events += delivered;
          counts.failed += events.length - delivered;
          options.logger.error('events were not acknowledged by Kafka', { error, failed: events.length - delivered });
        },
      ),
    );
  };

  const sendBad = async (record: BadRecord) => {
    raw ??= createKafkaSender({
      kafka: createKafkaClient({ brokers: options.brokers, clientId: 'auditseal-demo-bad-records', logger: withoutRetryWarning(options.logger) }),
      topic: options.topic,
      ackTimeoutMs: 10_000,
      logger: options.logger,
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await raw.send([{ key: record.key, value: record.value }]);
        counts.bad++;
        return;
      } catch (error) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        if (!retriable || attempt >= BAD_RECORD_ATTEMPTS || stopping) {
          counts.failed++;
          options.logger.error('a bad record was not acknowledged by Kafka', { error, kind: record.kind });
          // A new idempotence session before anything else is sent (KafkaSender contract).
          await raw.reset().catch(() => undefined);
          return;
        }
        await sleep(200 * attempt);
      }
    }
  };

  const run = async () => {
    const items = workload(options.plan);
    const started = Date.now();
    let emitted = 0;
    let next = items.next();
    while (!next.done && !stopping) {
      const due = options.rate === undefined ? Infinity : Math.floor(((Date.now() - started) / 1000) * options.rate) + 1;
      if (emitted >= due || inFlight.size >= CHUNKS_IN_FLIGHT) {
        if (inFlight.size >= CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
        else await sleep(TICK_MS);
        continue;
      }
      const chunk: AuditEventInput[] = [];
      while (!next.done && next.value.kind === 'event' && chunk.length < CHUNK && emitted + chunk.length < due) {
        chunk.push(next.value.event);
        next = items.next();
      }
      if (chunk.length > 0) {
        emitChunk(chunk);
        emitted += chunk.length;
      }
      if (!next.done && next.value.kind === 'bad') {
        await sendBad(next.value.record);
        next = items.next();
      }
    }
    while (inFlight.size > 0) await Promise.race(inFlight);
  };

  const done = run()
    .catch((error: unknown) => {
      options.logger.error('the workload stopped on an error', { error });
      counts.failed++;
    })
    .finally(async () => {
      await sdk.close({ timeoutMs: 15_000 }).catch(() => undefined);
      await raw?.close().catch(() => undefined);
    });

  return {
    counts: () => ({ ...counts }),
    done,
    async stop() {
      stopping = true;
      wake();
      await done;
    },
  };
}
