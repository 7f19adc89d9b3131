import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent } from '@auditseal/codec';
import { serializeKeyring } from '@auditseal/core';
import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup } from '@auditseal/testkit';
import { Partitioners } from 'kafkajs';
import { createChainer } from './chainer';
import { loadChainerConfig, loadProducerKeyring } from './config';
import { createChainerMetrics } from './metrics';
import {
  forgedEvent,
  generateSigningKey,
  invalidEventBytes,
  keyringOf,
  signedEvent,
  truncatedEventBytes,
  unknownSchemaBytes,
  validEvent,
} from './testing/fixtures';
import { silent, verifyChains, waitForSealed, testTopics } from './testing/harness';

// Untrusted input on audit.events: every record still gets exactly one entry.

describe('createChainer', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  describe('when audit.events carries records that are not valid events', () => {
    it('seals each as a rejected entry with the right reason, keeps the chain valid and keeps sealing valid events', async () => {
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, 'rejects', 2);
      const key = generateSigningKey();
      const dir = mkdtempSync(join(tmpdir(), 'chainer-keys-'));
      cleanup.add('keyring dir', () => rmSync(dir, { recursive: true, force: true }));
      const keyringPath = join(dir, 'producers.json');
      writeFileSync(keyringPath, serializeKeyring(keyringOf(key)));

      const config = loadChainerConfig({
        ...topicEnv,
        CHAINER_MAX_EVENT_BYTES: '4096',
        CHAINER_REQUIRE_SIGNATURES_FROM: 'payments',
        CHAINER_PRODUCER_KEYRING: keyringPath,
      });
      const registry = createMetricsRegistry('auditseal_chainer');
      const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(registry), keyring: loadProducerKeyring(keyringPath) });
      cleanup.add('chainer', () => chainer.stop());
      await chainer.start();

      const payments = { service: 'payments', instance: 'payments-1' };
      const inputs: [string, Buffer | null, string | null][] = [
        ['valid', encodeEvent(validEvent(0)), null],
        ['garbage', Buffer.from('\x00\x01 definitely not avro'), 'MALFORMED'],
        ['truncated', truncatedEventBytes(), 'MALFORMED'],
        ['unknown fingerprint', unknownSchemaBytes(), 'UNKNOWN_SCHEMA'],
        ['oversized', Buffer.alloc(5000, 0xc3), 'TOO_LARGE'],
        ['forged signature', forgedEvent(key, validEvent(1, { source: payments })), 'BAD_SIGNATURE'],
        ['unsigned from payments', encodeEvent(validEvent(2, { source: payments })), 'MISSING_SIGNATURE'],
        ['breaks a rule', invalidEventBytes(), 'INVALID_EVENT'],
        ['tombstone', null, 'MALFORMED'],
        ['valid after the rejects', encodeEvent(validEvent(3)), null],
        ['signed from payments', signedEvent(key, validEvent(4, { source: payments })), null],
      ];
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (const [, value] of inputs) {
        await producer.send({ topic: names.events, acks: -1, messages: [{ partition: 0, key: 'acme', value }] });
      }
      await waitForSealed(admin, names, config.groupId, 60_000);

      const [chain0] = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(chain0!.entries.map((e) => e.rejectReason)).toEqual(inputs.map(([, , reason]) => reason));
      expect(chain0!.entries.map((e) => e.kind)).toEqual(inputs.map(([, , reason]) => (reason === null ? 'EVENT' : 'REJECTED')));
      expect(chain0!.entries.filter((e) => e.kind === 'REJECTED').every((e) => typeof e.rejectDetail === 'string' && e.rejectDetail.length > 0)).toBe(true);
      expect(chainer.health.ready().ready).toBe(true);
      expect(chainer.snapshot().partitions.map((p) => p.state)).toEqual(['active', 'active']);
      const rejected = await registry.getSingleMetricAsString('auditseal_chainer_rejected_total');
      expect(rejected).toContain('auditseal_chainer_rejected_total{reason="malformed"} 3');
      expect(rejected).toContain('auditseal_chainer_rejected_total{reason="bad_signature"} 1');
      expect(rejected).toContain('auditseal_chainer_rejected_total{reason="missing_signature"} 1');
    });
  });

  describe('when audit.events carries records whose Kafka timestamp a sealed entry cannot hold', () => {
    // A raw client may set any CreateTime; the broker refuses the far future, not the far past.
    it('seals them as MALFORMED with sourceTimestamp −1, and the chain goes on', async () => {
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, 'timestamps', 1);
      const config = loadChainerConfig(topicEnv);
      const registry = createMetricsRegistry('auditseal_chainer');
      const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(registry) });
      cleanup.add('chainer', () => chainer.stop());
      await chainer.start();

      const inputs: [string, string | undefined, 'EVENT' | 'REJECTED', number | 'now'][] = [
        ['just below −2^52 ms (avsc would write it inexactly)', String(-(2 ** 52) - 1), 'REJECTED', -1],
        ['−2^62 ms (not a safe integer)', '-4611686018427387904', 'REJECTED', -1],
        ['−2^52 ms, the lowest a sealed entry holds', String(-(2 ** 52)), 'EVENT', -(2 ** 52)],
        ['−5 ms', '-5', 'EVENT', -5],
        ['now', undefined, 'EVENT', 'now'],
      ];
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (const [i, [, timestamp]] of inputs.entries()) {
        await producer.send({ topic: names.events, acks: -1, messages: [{ partition: 0, key: 'acme', value: encodeEvent(validEvent(i)), ...(timestamp ? { timestamp } : {}) }] });
      }
      await producer.disconnect();
      await waitForSealed(admin, names, config.groupId, 60_000);

      const [chain0] = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(chain0!.entries.map((e) => e.kind)).toEqual(inputs.map(([, , kind]) => kind));
      expect(chain0!.entries.map((e) => e.rejectReason)).toEqual(inputs.map(([, , kind]) => (kind === 'REJECTED' ? 'MALFORMED' : null)));
      expect(chain0!.entries.slice(0, 4).map((e) => e.sourceTimestamp)).toEqual(inputs.slice(0, 4).map(([, , , ts]) => ts));
      expect(chain0!.entries[0]!.rejectDetail).toMatch(/Kafka record timestamp .* outside/);
      expect(chainer.snapshot().partitions.map((p) => p.state)).toEqual(['active']);
    });
  });
});
