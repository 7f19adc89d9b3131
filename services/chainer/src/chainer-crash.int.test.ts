import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup, waitFor } from '@auditseal/testkit';
import { Partitioners } from 'kafkajs';
import { createChainer } from './chainer';
import { loadChainerConfig, transactionalIdFor } from './config';
import { createChainerMetrics } from './metrics';
import { silent, produceEvents, readWholeTopic, startChainerProcess, verifyChains, waitForSealed, testTopics, type ChainerProcess } from './testing/harness';

// The chainer as it runs in production: `node services/chainer/dist/main.js`
// (build first: npx turbo run build), SIGKILLed and restarted while events flow.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('chainer process', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when it is SIGKILLed at random points while events flow', () => {
    it('resumes after each restart with no gap, no duplicate, valid chains and 1:1 accounting', async () => {
      const { kafka, admin, prefix, names, env: topicEnv } = await testTopics(cleanup, 'crash', 4);
      const env = {
        ...topicEnv,
        CHAINER_SESSION_TIMEOUT_MS: '3000',
        CHAINER_MAX_BATCH: '100',
        HTTP_PORT: '0',
      };
      const processes: ChainerProcess[] = [];
      cleanup.add('chainer processes', () => processes.forEach((p) => p.kill('SIGKILL')));
      const start = () => {
        const p = startChainerProcess(env);
        processes.push(p);
        return p;
      };

      // ~8,000 events over ~20 s, so that every kill lands while records flow.
      const producing = produceEvents(kafka.kafka, { topic: names.events, count: 8_000, partitions: 4, producers: 2, batch: 40, pauseMs: 200 });
      const kills = 4;
      for (let i = 0; i < kills; i++) {
        const chainer = start();
        // A restarted instance waits for the killed one's session to expire before it
        // gets partitions; kill it at a random point once it is sealing.
        await waitFor(() => chainer.sealedCount(), { description: 'the chainer to seal entries', until: (n) => n > 0, timeoutMs: 30_000, intervalMs: 50 });
        await sleep(Math.floor(Math.random() * 1_000));
        chainer.kill('SIGKILL');
        expect(await chainer.exited).toEqual({ code: null, signal: 'SIGKILL' });
      }
      const survivor = start();
      await producing;
      await waitForSealed(admin, names, `${prefix}chainer`, 90_000);
      const ready = await waitFor(() => survivor.readyz(), { description: 'the last chainer to be ready', until: (r) => r.status === 200, timeoutMs: 20_000 });
      expect(ready.body).toEqual(expect.objectContaining({ ready: true }));

      survivor.kill('SIGTERM');
      expect(await survivor.exited).toEqual({ code: 0, signal: null });
      expect(survivor.lines.some((line) => line.includes('"stopped cleanly"'))).toBe(true);

      const reports = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(reports.reduce((n, r) => n + r.events, 0)).toBe(8_000);
      // Transactions open at a kill were aborted (fenced by the next instance): read_committed sees none of them.
      const committed = [...(await readWholeTopic(kafka.kafka, admin, names.sealed)).values()].reduce((n, r) => n + r.length, 0);
      expect(committed).toBe(8_000);
      // Every restart continued chains that were not empty.
      const continued = processes.slice(1).every((p) => p.lines.some((line) => line.includes('chain head recovered') && !line.includes('"headSeq":-1')));
      expect(continued).toBe(true);
    });
  });

  describe('when a chainer died in the middle of a transaction', () => {
    it('fences the dead transaction, which never becomes visible nor commits, and continues the chain', async () => {
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, 'midtx', 1);
      const config = loadChainerConfig(topicEnv);
      const run = async () => {
        const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(createMetricsRegistry('auditseal_chainer')) });
        await chainer.start();
        await waitForSealed(admin, names, config.groupId, 60_000);
        await chainer.stop();
      };
      await produceEvents(kafka.kafka, { topic: names.events, count: 100, partitions: 1 });
      await run();

      // The "dead" chainer: same transactional id, an entry written and offsets sent, never committed.
      const zombie = kafka.producer({ transactionalId: transactionalIdFor(config, 0), idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await zombie.connect();
      const transaction = await zombie.transaction();
      await transaction.send({ topic: names.sealed, acks: -1, messages: [{ partition: 0, value: Buffer.from('a forked entry') }] });
      await transaction.sendOffsets({ consumerGroupId: config.groupId, topics: [{ topic: names.events, partitions: [{ partition: 0, offset: '999' }] }] });

      await produceEvents(kafka.kafka, { topic: names.events, count: 100, partitions: 1 });
      await run();

      await expect(transaction.commit()).rejects.toThrow(/epoch|fenced/i);
      const [chain] = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(chain!.events).toBe(200);
      const committed = await admin.fetchOffsets({ groupId: config.groupId, topics: [names.events] });
      expect(committed[0]!.partitions[0]!.offset).toBe('200');
    });
  });
});
