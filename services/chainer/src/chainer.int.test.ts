import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup, createTestKafka, uniqueName } from '@auditseal/testkit';
import { createChainer } from './chainer';
import { loadChainerConfig } from './config';
import { createChainerMetrics } from './metrics';
import { createAuditTopics, produceEvents, silent, verifyChains, waitForSealed } from './testing/harness';

// The chainer run in-process (createChainer) against the real local Kafka.

describe('createChainer', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when several producers write 10,000 events across 4 partitions', () => {
    it('seals every committed record exactly once, in order, into 4 chains that verify', async () => {
      const kafka = createTestKafka({ cleanup });
      const admin = await kafka.admin();
      const prefix = `${uniqueName('eos')}.`;
      const names = await createAuditTopics(admin, prefix, 4);
      cleanup.add('topics', () => admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }));
      const config = loadChainerConfig({
        KAFKA_BROKERS: kafka.brokers.join(','),
        AUDITSEAL_CLUSTER: 'test',
        AUDITSEAL_TOPIC_PREFIX: prefix,
        AUDITSEAL_MIN_INSYNC_REPLICAS: '1',
        CHAINER_SESSION_TIMEOUT_MS: '6000',
        HTTP_PORT: '0',
      });
      const registry = createMetricsRegistry('auditseal_chainer');
      const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(registry) });
      cleanup.add('chainer', () => chainer.stop());

      const producing = produceEvents(kafka.kafka, { topic: names.events, count: 10_000, partitions: 4, producers: 4 });
      await chainer.start();
      await producing;
      await waitForSealed(admin, names, config.groupId, 90_000);

      const reports = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(reports.map((r) => r.events)).toEqual([2500, 2500, 2500, 2500]);
      expect(reports.every((r) => r.rejected === 0)).toBe(true);
      expect(chainer.health.ready()).toEqual(expect.objectContaining({ ready: true }));
      const metrics = await registry.getSingleMetricAsString('auditseal_chainer_entries_sealed_total');
      expect(metrics).toContain('auditseal_chainer_entries_sealed_total{kind="event"} 10000');
    });
  });
});
