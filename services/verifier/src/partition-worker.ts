import { parentPort, workerData } from 'node:worker_threads';
import { createKeyring, type PublicKeyEntry } from '@auditseal/core';
import { createS3Client } from '@auditseal/archive';
import { connectExplained, createKafkaClient } from '@auditseal/kafka';
import { createJsonLogger } from '@auditseal/runtime';
import type { ChainResume, Finding, VerificationReport } from '@auditseal/verify';
import type { VerifierConfig } from './config';
import { createStore, verifyPartition, type PassContext } from './partition-pass';

/**
 * A partition worker (worker-pool.ts): a thread with its own Kafka and S3
 * clients that verifies the partitions the main thread hands it, pass after
 * pass, and streams each finding back as it is found. Verification is CPU
 * bound (SHA-256, inflate, Avro); threads let a pass use every core.
 */

export type WorkerRequest =
  | { type: 'pass'; id: number; keys: readonly PublicKeyEntry[]; partitions: Array<{ partition: number; resume: ChainResume | undefined }> }
  | { type: 'stop' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'finding'; id: number; finding: Finding }
  | { type: 'done'; id: number; results: Array<{ partition: number; report: VerificationReport }> }
  | { type: 'failed'; id: number; message: string };

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('partition-worker.js runs as a worker thread of the verifier');
  const { config, index } = workerData as { config: VerifierConfig; index: number };
  const logger = createJsonLogger({ service: 'verifier', level: config.logLevel }, `verifier.worker-${index}`);
  const kafka = createKafkaClient({ brokers: config.brokers, security: config.kafkaSecurity, clientId: `${config.topicPrefix}verifier-${index}`, logger: logger.child('kafka') });
  const s3Client = createS3Client(config.s3);
  const admin = kafka.admin();
  await connectExplained(admin, config.kafkaSecurity, config.brokers);
  const abort = new AbortController();
  const ctx: PassContext = { config, kafka, admin, store: createStore(s3Client, config), logger, signal: abort.signal, now: () => new Date() };
  const send = (reply: WorkerReply) => port.postMessage(reply);
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'stop') {
      abort.abort();
      void admin
        .disconnect()
        .catch(() => undefined)
        .finally(() => {
          s3Client.destroy();
          port.close();
        });
      return;
    }
    const keyring = createKeyring(request.keys);
    void Promise.all(
      request.partitions.map(async ({ partition, resume }) => ({
        partition,
        report: await verifyPartition(ctx, partition, keyring, resume, (finding) => send({ type: 'finding', id: request.id, finding })),
      })),
    ).then(
      (results) => send({ type: 'done', id: request.id, results }),
      (error: unknown) => send({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready' });
}

// A start-up failure rejects unhandled: the thread ends with it and the pool fails the pass.
void run();
