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
  const ask = (index: number, request: Extract<WorkerRequest, { type: 'pass' }>, onFinding: (f: Finding) => void) =>
    new Promise<PartitionResult[]>((resolve, reject) => {
      const worker = slots[index] ?? spawnWorker(index);
      const onMessage = (reply: WorkerReply) => {
        if (reply.type === 'ready' || reply.id !== request.id) return;
        if (reply.type === 'finding') return onFinding(reply.finding);
        done();
        if (reply.type === 'done') resolve(reply.results);
        else reject(new Error(`partition worker ${index}: ${reply.message}`));
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`partition worker ${index} exited (code ${code}) during a pass`));
      };
      const done = () => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
  return {
    async ready() {
      await Promise.all(
        slots.map(
          (_, index) =>
            new Promise<void>((resolve, reject) => {
              const worker = slots[index] ?? spawnWorker(index);
              const onMessage = (reply: WorkerReply) => {
                if (reply.type !== 'ready') return;
                worker.off('message', onMessage);
                worker.off('exit', onExit);
                resolve();
              };
              const onExit = (code: number) => reject(new Error(`partition worker ${index} exited (code ${code}) while starting`));
              worker.on('message', onMessage);
              worker.once('exit', onExit);
            }),
        ),
      );
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
