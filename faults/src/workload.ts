import { createAuditProducer, isProducerError, type AuditEventInput, type AuditProducer, type AuditProducerOptions } from '@auditseal/producer';
import type { Logger } from '@auditseal/kafka';

export function workloadEvent(i: number): AuditEventInput {
  return {
    tenant: `tenant-${i % 11}`,
    actor: { type: 'user', id: `user-${i % 101}` },
    action: i % 5 === 0 ? 'invoice.reject' : 'invoice.approve',
    target: { type: 'invoice', id: `inv-${i}` },
    outcome: i % 9 === 0 ? 'FAILURE' : 'SUCCESS',
    attributes: { i: String(i) },
  };
}

export interface WorkloadResult {
  emitted: number;
  /** Event ids of the emits that got a receipt (acks=all). */
  acknowledged: string[];
  /** Failed emits by error code. */
  failures: Record<string, number>;
  /** The first error message of each failure code (evidence for the report). */
  failureExamples: Record<string, string>;
  /** Warnings and errors the SDK logged, by message (e.g. an idempotence session it had to start again). */
  logged: Record<string, number>;
  producer: AuditProducer;
}

export interface Workload {
  /** Emitted so far. */
  emitted(): number;
  /** Stops emitting, waits for every emit to settle, closes the producer. */
  stop(): Promise<WorkloadResult>;
  /** Resolves once `count` events were emitted and settled (when `count` is given). */
  readonly done: Promise<WorkloadResult>;
}

/**
 * Emits events with `@auditseal/producer` at about `ratePerSecond` until
 * `count` were emitted or `stop()` is called, keeping every receipt. The
 * delivery deadline is long (2 min): a fault of a few seconds must not turn
 * into a timed-out emit.
 */
export function startWorkload(options: { brokers: string[]; topic: string; ratePerSecond: number; count?: number; producer?: Partial<AuditProducerOptions> }): Workload {
  const logged: Record<string, number> = {};
  const producer = createAuditProducer({
    brokers: options.brokers,
    topic: options.topic,
    source: { service: 'faults', instance: 'workload' },
    logger: countingLogger(logged),
    deliveryTimeoutMs: 120_000,
    ...options.producer,
  });
  const acknowledged: string[] = [];
  const failures: Record<string, number> = {};
  const failureExamples: Record<string, string> = {};
  const pending: Promise<void>[] = [];
  let emitted = 0;
  let stopped = false;
  const started = Date.now();
  const emitOne = () => {
    const i = emitted++;
    pending.push(
      producer.emit(workloadEvent(i)).then(
        (receipt) => void acknowledged.push(receipt.eventId),
        (error: unknown) => {
          const code = isProducerError(error) ? error.code : 'other';
          failures[code] = (failures[code] ?? 0) + 1;
          failureExamples[code] ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  };
  let finish: () => void = () => {};
  const ticking = new Promise<void>((resolveTicking) => (finish = resolveTicking));
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * options.ratePerSecond);
    const limit = options.count === undefined ? due : Math.min(due, options.count);
    while (!stopped && emitted < limit) emitOne();
    if (stopped || (options.count !== undefined && emitted >= options.count)) {
      clearInterval(timer);
      finish();
    }
  }, 20);
  const settle = async (): Promise<WorkloadResult> => {
    await ticking;
    await Promise.all(pending);
    await producer.close({ timeoutMs: 30_000 });
    return { emitted, acknowledged, failures, failureExamples, logged, producer };
  };
  const done = settle();
  return {
    emitted: () => emitted,
    done,
    async stop() {
      stopped = true;
      return done;
    },
  };
}

/** A logger that only counts the SDK's warnings and errors by message. */
function countingLogger(counts: Record<string, number>): Logger {
  const count = (message: string) => void (counts[message] = (counts[message] ?? 0) + 1);
  const logger: Logger = { debug() {}, info() {}, warn: count, error: count, child: () => logger };
  return logger;
}
