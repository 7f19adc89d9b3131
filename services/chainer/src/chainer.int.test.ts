import { createAuditProducer } from '@auditseal/producer';
import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup } from '@auditseal/testkit';
import { createChainer } from './chainer';
import { loadChainerConfig } from './config';
import { createChainerMetrics } from './metrics';
import { produceEvents, sampleEvent, silent, verifyChains, waitForSealed, testTopics } from './testing/harness';

// The chainer run in-process (createChainer) against the real local Kafka.

describe('createChainer', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when several producers write 10,000 events across 4 partitions', () => {
    it('seals every committed record exactly once, in order, into 4 chains that verify', async () => {
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, 'eos', 4);
      const config = loadChainerConfig({
        ...topicEnv,
        HTTP_PORT: '0',
      });
      const registry = createMetricsRegistry('auditseal_chainer');
      const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(registry) });
      cleanup.add('chainer', () => chainer.stop());

      // 6,000 events from 3 raw kafkajs producers (round-robin over partitions) and
      // 4,000 from 2 @auditseal/producer SDK instances (keyed by tenant), concurrently.
      const sdkProducers = [0, 1].map((n) =>
        createAuditProducer({ kafka: kafka.kafka, topic: names.events, source: { service: 'billing', instance: `sdk-${n}` }, logger: silent }),
      );
      cleanup.add('sdk producers', () => Promise.all(sdkProducers.map((p) => p.close())));
      const producing = Promise.all([
        produceEvents(kafka.kafka, { topic: names.events, count: 6_000, partitions: 4, producers: 3 }),
        ...sdkProducers.map(async (producer, n) => {
          for (let i = 0; i < 2_000; i += 250) {
            await producer.emitMany(Array.from({ length: 250 }, (_, k) => {
              const { eventId: _id, eventTime: _time, source: _source, ...input } = sampleEvent(n * 2_000 + i + k);
              return input;
            }));
          }
        }),
      ]);
      await chainer.start();
      await producing;
      await waitForSealed(admin, names, config.groupId, 90_000);

      const reports = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(reports.reduce((n, r) => n + r.events, 0)).toBe(10_000);
      expect(reports.every((r) => r.events >= 1_500)).toBe(true);
      expect(reports.every((r) => r.rejected === 0)).toBe(true);
      expect(chainer.health.ready()).toEqual(expect.objectContaining({ ready: true }));
      const metrics = await registry.getSingleMetricAsString('auditseal_chainer_entries_sealed_total');
      expect(metrics).toContain('auditseal_chainer_entries_sealed_total{kind="event"} 10000');
    });
  });
});
