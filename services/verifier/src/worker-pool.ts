import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PublicKeyring } from '@auditseal/core';
import type { Logger } from '@auditseal/kafka';
import type { ChainResume, Finding, VerificationReport } from '@auditseal/verify';
import type { VerifierConfig } from './config';
import type { WorkerReply, WorkerRequest } from './partition-worker';

/**
 * VERIFIER_WORKERS threads (partition-worker.ts), partitions spread over them
 * (p mod n): one pass = one request per worker, findings streamed back as
 * they are found. A thread that dies fails the pass it was in (the loop
 * retries at the next interval) and is started again for the next one.
 */

export interface PartitionResult {
  partition: number;
  report: VerificationReport;
}

export interface WorkerPool {
  /** Starts every thread and waits until each has connected (a service starts its threads at start-up, not in its first pass). */
  ready(): Promise<void>;
  run(partitions: readonly number[], keyring: PublicKeyring, resumes: ReadonlyMap<number, ChainResume>, onFinding: (f: Finding) => void): Promise<PartitionResult[]>;
  stop(): Promise<void>;
}

const WORKER_JS = join(__dirname, 'partition-worker.js');

export function canRunWorkers(): boolean {
  return existsSync(WORKER_JS);
}

export function createWorkerPool(config: VerifierConfig, size: number, logger: Logger): WorkerPool {
  const slots: Array<Worker | undefined> = new Array(size).fill(undefined);
  let nextId = 0;
  const spawnWorker = (index: number) => {
    const worker = new Worker(WORKER_JS, { workerData: { config, index } });
    worker.on('error', (error) => logger.error('partition worker failed', { worker: index, error }));
    worker.on('exit', () => {
      if (slots[index] === worker) slots[index] = undefined;
    });
    slots[index] = worker;
    return worker;
  };
  /**
   * Listens to thread `index` (started if need be) until `take` settles on a
   * reply — a value, or an Error to fail with — or the thread exits; sends
   * `request` first when given.
   */
  const converse = <T>(index: number, what: string, take: (reply: WorkerReply) => { value: T } | Error | undefined, request?: WorkerRequest) =>
    new Promise<T>((resolve, reject) => {
      const worker = slots[index] ?? spawnWorker(index);
      const finish = () => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: WorkerReply) => {
        const outcome = take(reply);
        if (outcome === undefined) return;
        finish();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome.value);
      };
      const onExit = (code: number) => {
        finish();
        reject(new Error(`partition worker ${index} exited (code ${code}) ${what}`));
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      if (request) worker.postMessage(request);
    });
  const ask = (index: number, request: Extract<WorkerRequest, { type: 'pass' }>, onFinding: (f: Finding) => void) =>
    converse<PartitionResult[]>(
      index,
      'during a pass',
      (reply) => {
        if (reply.type === 'ready' || reply.id !== request.id) return undefined;
        if (reply.type === 'finding') {
          onFinding(reply.finding);
          return undefined;
        }
        return reply.type === 'done' ? { value: reply.results } : new Error(`partition worker ${index}: ${reply.message}`);
      },
      request,
    );
  return {
    async ready() {
      await Promise.all(slots.map((_, index) => converse<void>(index, 'while starting', (reply) => (reply.type === 'ready' ? { value: undefined } : undefined))));
    },
    async run(partitions, keyring, resumes, onFinding) {
      const id = nextId++;
      const shares = slots.map((_, i) => partitions.filter((p) => p % size === i));
      const results = await Promise.all(
        shares.map((share, i) =>
          share.length === 0 ? Promise.resolve([]) : ask(i, { type: 'pass', id, keys: keyring.keys, partitions: share.map((partition) => ({ partition, resume: resumes.get(partition) })) }, onFinding),
        ),
      );
      return results.flat().sort((a, b) => a.partition - b.partition);
    },
    async stop() {
      await Promise.all(
        slots.map(async (worker) => {
          if (!worker) return;
          const exited = new Promise((r) => worker.once('exit', r));
          worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
          const timer = setTimeout(() => void worker.terminate(), 5_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
