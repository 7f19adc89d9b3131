import { ConfigResourceTypes } from 'kafkajs';
import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup, createTestKafka, uniqueName, waitFor } from '@auditseal/testkit';
import { createChainer } from './chainer';
import { loadChainerConfig } from './config';
import { createChainerMetrics } from './metrics';
import { createAuditTopics, produceEvents, startChainerProcess, silent, verifyChains, waitForSealed, testTopics } from './testing/harness';

// What the chainer refuses to do: start on a bad configuration or unsafe
// topics (exit 2), and continue a chain that disagrees with its committed offset.

describe('chainer startup and stop conditions', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when the configuration is invalid', () => {
    it('exits 2 naming the variable', async () => {
      const chainer = startChainerProcess({ KAFKA_BROKERS: '127.0.0.1:9092', CHAINER_DELIVERY: 'sometimes' });
      expect(await chainer.exited).toEqual({ code: 2, signal: null });
      const output = chainer.lines.join('\n');
      expect(output).toContain('AUDITSEAL_CLUSTER');
      expect(output).toContain('CHAINER_DELIVERY');
    });
  });

  describe('when the topics would allow audit records to be lost', () => {
    it('exits 2 listing the violations, for missing topics and for a finite retention', async () => {
      const kafka = createTestKafka({ cleanup });
      const admin = await kafka.admin();
      const prefix = `${uniqueName('unsafe')}.`;
      const env = { KAFKA_BROKERS: kafka.brokers.join(','), AUDITSEAL_CLUSTER: 'test', AUDITSEAL_TOPIC_PREFIX: prefix, AUDITSEAL_MIN_INSYNC_REPLICAS: '1', HTTP_PORT: '0' };

      const missing = startChainerProcess(env);
      expect(await missing.exited).toEqual({ code: 2, signal: null });
      expect(missing.lines.join('\n')).toContain(`${prefix}audit.events: existence is missing`);

      const names = await createAuditTopics(admin, prefix, 2);
      cleanup.add('topics', () => admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }));
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: names.events, configEntries: [{ name: 'retention.ms', value: '604800000' }] }],
      });
      const unsafe = startChainerProcess(env);
      expect(await unsafe.exited).toEqual({ code: 2, signal: null });
      expect(unsafe.lines.join('\n')).toContain(`${names.events}: retention.ms is 604800000, must be -1`);
    });
  });

  describe('when the committed offset of a partition disagrees with its chain', () => {
    it('stops that partition (paused, in /readyz and metrics), never guessing, and keeps sealing the others', async () => {
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, 'mismatch', 2);
      const config = loadChainerConfig(topicEnv);
      const registry = createMetricsRegistry('auditseal_chainer');
      const first = createChainer(config, { logger: silent, metrics: createChainerMetrics(createMetricsRegistry('auditseal_chainer')) });
      await first.start();
      await produceEvents(kafka.kafka, { topic: names.events, count: 200, partitions: 2 });
      await waitForSealed(admin, names, config.groupId, 60_000);
      await first.stop();

      // An operator "fixes" lag by moving partition 0's offset forward: records 100…149 would be skipped.
      await admin.setOffsets({ groupId: config.groupId, topic: names.events, partitions: [{ partition: 0, offset: '150' }] });
      await produceEvents(kafka.kafka, { topic: names.events, count: 200, partitions: 2 });

      const second = createChainer(config, { logger: silent, metrics: createChainerMetrics(registry) });
      cleanup.add('chainer', () => second.stop());
      await second.start();
      const partitions = await waitFor(() => second.snapshot().partitions, {
        description: 'partition 0 stopped and partition 1 sealing',
        until: (ps) => ps.length === 2 && ps[0]!.state === 'stopped' && ps[1]!.state === 'active' && ps[1]!.nextOffset === 200,
        timeoutMs: 30_000,
      });
      expect(partitions[0]!.stop).toEqual({ reason: 'offset_mismatch', message: expect.stringContaining('must be 100, but it is 150') });
      expect(second.health.ready()).toEqual(expect.objectContaining({ ready: true }));
      expect(await registry.getSingleMetricAsString('auditseal_chainer_partition_stopped')).toContain('auditseal_chainer_partition_stopped{partition="0"} 1');

      // Nothing was sealed on the stopped chain; the other chain is complete.
      const committed = await admin.fetchOffsets({ groupId: config.groupId, topics: [names.events] });
      expect(committed[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('150');
      await second.stop();
      await admin.setOffsets({ groupId: config.groupId, topic: names.events, partitions: [{ partition: 0, offset: '100' }] });
      const third = createChainer(config, { logger: silent, metrics: createChainerMetrics(createMetricsRegistry('auditseal_chainer')) });
      cleanup.add('chainer', () => third.stop());
      await third.start();
      await waitForSealed(admin, names, config.groupId, 60_000);
      // Once the offset is put back where the chain says, the partition resumes without a gap.
      const reports = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(reports.map((r) => r.events)).toEqual([200, 200]);
    });
  });
});
