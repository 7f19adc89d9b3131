import { createMetricsRegistry } from '@auditseal/runtime';
import { createCleanup, saslIntegrationEnv, tlsIntegrationEnv, uniqueName } from '@auditseal/testkit';
import { createChainer } from './chainer';
import { loadChainerConfig } from './config';
import { createChainerMetrics } from './metrics';
import { produceEvents, silent, startChainerProcess, verifyChains, waitForSealed, testTopics } from './testing/harness';

// The chainer authenticating with KAFKA_SASL_* or a client certificate
// (KAFKA_SSL_*) against the SASL_PLAINTEXT and SSL listeners of the local Kafka
// (infra/local/infra.sh); the topics, the events and the checks go through the
// plain listener of the same broker(s).

describe('chainer over SASL and mutual TLS', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  // The variables that make the chainer authenticate one way, read when the test runs.
  const ways: [string, string, () => Record<string, string>][] = [
    ['SCRAM-SHA-512', 'sasl', () => {
      const sasl = saslIntegrationEnv();
      return { KAFKA_BROKERS: sasl.brokers.join(','), KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password };
    }],
    ['a client certificate (mutual TLS)', 'mtls', () => {
      const tls = tlsIntegrationEnv();
      return { KAFKA_BROKERS: tls.brokers.join(','), KAFKA_SSL_CA_FILE: tls.caFile, KAFKA_SSL_CERT_FILE: tls.certFile, KAFKA_SSL_KEY_FILE: tls.keyFile };
    }],
  ];

  describe.each(ways)('when it authenticates with %s', (_way, tag, securityEnv) => {
    it('seals every event into chains that verify', async () => {
      const security = securityEnv();
      const { kafka, admin, names, env: topicEnv } = await testTopics(cleanup, tag, 2);
      const config = loadChainerConfig({
        ...topicEnv,
        ...security,
      });
      const chainer = createChainer(config, { logger: silent, metrics: createChainerMetrics(createMetricsRegistry('auditseal_chainer')) });
      cleanup.add('chainer', () => chainer.stop());
      await chainer.start();
      await produceEvents(kafka.kafka, { topic: names.events, count: 400, partitions: 2 });
      await waitForSealed(admin, names, config.groupId, 60_000);

      const reports = await verifyChains(kafka.kafka, admin, names, 'test');
      expect(reports.map((r) => r.events)).toEqual([200, 200]);
    });
  });

  describe('when its password is wrong', () => {
    it.each(['plain', 'scram-sha-512'])('exits 1 at start saying authentication failed for the user with mechanism %s, without the password', async (mechanism) => {
      const sasl = saslIntegrationEnv();
      const wrong = 'not-the-dev-password';
      const chainer = startChainerProcess({
        KAFKA_BROKERS: sasl.brokers.join(','),
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: sasl.username,
        KAFKA_SASL_PASSWORD: wrong,
        AUDITSEAL_CLUSTER: 'test',
        AUDITSEAL_TOPIC_PREFIX: `${uniqueName('sasl-wrong')}.`,
        HTTP_PORT: '0',
      });
      cleanup.add('chainer process', () => chainer.kill('SIGKILL'));
      expect(await chainer.exited).toEqual({ code: 1, signal: null });
      const output = chainer.lines.join('\n');
      expect(output).toContain(`chainer: failed to start: Kafka authentication failed for user "${sasl.username}" with mechanism ${mechanism.toUpperCase()}`);
      expect(output).not.toContain(wrong);
    });
  });
});
