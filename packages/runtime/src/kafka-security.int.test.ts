import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectExplained, createKafkaClient, KafkaError, silentLogger } from '@auditseal/kafka';
import { createCleanup, createTestKafka, saslIntegrationEnv, uniqueName, waitFor, type SaslIntegrationEnv } from '@auditseal/testkit';
import { loadKafkaSecurity } from './kafka-security';

// The KAFKA_SASL_* settings against the SASL_PLAINTEXT listener of the local
// Kafka (infra/local/infra.sh: PLAIN and SCRAM-SHA-512, development user),
// through the same path the services take: environment → loadKafkaSecurity →
// createKafkaClient.

describe('Kafka over SASL, configured from the environment', () => {
  const cleanup = createCleanup();
  let sasl: SaslIntegrationEnv;
  let dir: string;

  beforeAll(() => {
    sasl = saslIntegrationEnv();
    dir = mkdtempSync(join(tmpdir(), 'auditseal-sasl-it-'));
  });
  afterEach(() => cleanup.run());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(['plain', 'scram-sha-512'])('with mechanism %s', (mechanism) => {
    it('creates a topic, produces and consumes through the SASL listener', async () => {
      // The password from a file, as a Kubernetes Secret mounts it (with its trailing newline).
      const passwordFile = join(dir, `${mechanism}-password`);
      writeFileSync(passwordFile, `${sasl.password}\n`);
      const security = loadKafkaSecurity({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD_FILE: passwordFile }, 'it');
      const kafka = createKafkaClient({ brokers: sasl.brokers, security, clientId: uniqueName('sasl-it'), logger: silentLogger });
      const admin = kafka.admin();
      await connectExplained(admin, security, sasl.brokers);
      cleanup.add('admin', () => admin.disconnect());
      const topic = uniqueName(`sasl-${mechanism}`);
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      cleanup.add('topic', () => admin.deleteTopics({ topics: [topic] }));

      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      cleanup.add('producer', () => producer.disconnect());
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `over ${mechanism}` }] });

      const consumer = kafka.consumer({ groupId: uniqueName('sasl-it'), maxWaitTimeInMs: 250 });
      cleanup.add('consumer', () => consumer.disconnect());
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString('utf8') ?? '') });
      await waitFor(() => received, { description: 'the record consumed over SASL', until: (r) => r.length === 1, timeoutMs: 30_000 });
      expect(received).toEqual([`over ${mechanism}`]);
    });

    it('fails at once on a wrong password, naming the user and mechanism but not the password', async () => {
      const wrong = 'certainly-not-the-password';
      const security = loadKafkaSecurity({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: wrong }, 'it');
      const admin = createKafkaClient({ brokers: sasl.brokers, security, clientId: uniqueName('sasl-it'), logger: silentLogger }).admin();
      cleanup.add('admin', () => admin.disconnect());
      const error = await connectExplained(admin, security, sasl.brokers).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaError);
      expect(error).toMatchObject({ code: 'authentication_failed', retriable: false });
      expect((error as Error).message).toContain(`Kafka authentication failed for user "${sasl.username}" with mechanism ${mechanism.toUpperCase()} at ${sasl.brokers.join(',')}`);
      expect(`${(error as Error).message}${JSON.stringify(error)}`).not.toContain(wrong);
    });
  });

  describe('when a client talks plaintext only', () => {
    it('still reaches the plain listener, unchanged', async () => {
      const kafka = createTestKafka({ cleanup });
      const admin = await kafka.admin();
      expect((await admin.describeCluster()).brokers.length).toBeGreaterThan(0);
    });
  });
});
