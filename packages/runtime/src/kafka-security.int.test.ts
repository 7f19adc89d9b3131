import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectExplained, createKafkaClient, KafkaError, silentLogger, type KafkaSecurity } from '@auditseal/kafka';
import { createCleanup, createTestKafka, saslIntegrationEnv, tlsIntegrationEnv, uniqueName, waitFor, type SaslIntegrationEnv, type TlsIntegrationEnv } from '@auditseal/testkit';
import { loadKafkaSecurity } from './kafka-security';

// The KAFKA_SASL_* and KAFKA_SSL_* settings against the SASL_PLAINTEXT and
// SSL (mutual TLS) listeners of the local Kafka (infra/local/infra.sh: PLAIN
// and SCRAM-SHA-512 with a development user; development CA and client
// certificate), through the same path the services take: environment →
// loadKafkaSecurity → createKafkaClient.

describe('Kafka over SASL and TLS, configured from the environment', () => {
  const cleanup = createCleanup();
  let sasl: SaslIntegrationEnv;
  let dir: string;

  beforeAll(() => {
    sasl = saslIntegrationEnv();
    dir = mkdtempSync(join(tmpdir(), 'auditseal-sasl-it-'));
  });
  afterEach(() => cleanup.run());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A client of `security` at `brokers`, and its admin (disconnected after the test; not connected yet). */
  const client = (brokers: string[], security: KafkaSecurity, tag: string) => {
    const kafka = createKafkaClient({ brokers, security, clientId: uniqueName(tag), logger: silentLogger });
    const admin = kafka.admin();
    cleanup.add('admin', () => admin.disconnect());
    return { kafka, admin };
  };

  /** What connectExplained fails with for `security` at `brokers` (undefined: it connected). */
  const connectFailure = (brokers: string[], security: KafkaSecurity, tag: string): Promise<unknown> =>
    connectExplained(client(brokers, security, tag).admin, security, brokers).then(
      () => undefined,
      (e: unknown) => e,
    );

  /** Connects, creates a topic, produces `value` and consumes the topic until one record is back; returns the values consumed. */
  const roundTrip = async (brokers: string[], security: KafkaSecurity, tag: string, value: string): Promise<string[]> => {
    const { kafka, admin } = client(brokers, security, tag);
    await connectExplained(admin, security, brokers);
    const topic = uniqueName(tag);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    cleanup.add('topic', () => admin.deleteTopics({ topics: [topic] }));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    cleanup.add('producer', () => producer.disconnect());
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
    const consumer = kafka.consumer({ groupId: uniqueName(tag), maxWaitTimeInMs: 250 });
    cleanup.add('consumer', () => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString('utf8') ?? '') });
    return waitFor(() => received, { description: `the record consumed (${tag})`, until: (r) => r.length === 1, timeoutMs: 30_000 });
  };

  describe.each(['plain', 'scram-sha-512'])('with mechanism %s', (mechanism) => {
    it('creates a topic, produces and consumes through the SASL listener', async () => {
      // The password from a file, as a Kubernetes Secret mounts it (with its trailing newline).
      const passwordFile = join(dir, `${mechanism}-password`);
      writeFileSync(passwordFile, `${sasl.password}\n`);
      const security = loadKafkaSecurity({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD_FILE: passwordFile }, 'it');
      expect(await roundTrip(sasl.brokers, security, `sasl-${mechanism}`, `over ${mechanism}`)).toEqual([`over ${mechanism}`]);
    });

    it('fails at once on a wrong password, naming the user and mechanism but not the password', async () => {
      const wrong = 'certainly-not-the-password';
      const security = loadKafkaSecurity({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: wrong }, 'it');
      const error = await connectFailure(sasl.brokers, security, 'sasl-it');
      expect(error).toBeInstanceOf(KafkaError);
      expect(error).toMatchObject({ code: 'authentication_failed', retriable: false });
      expect((error as Error).message).toContain(`Kafka authentication failed for user "${sasl.username}" with mechanism ${mechanism.toUpperCase()} at ${sasl.brokers.join(',')}`);
      expect(`${(error as Error).message}${JSON.stringify(error)}`).not.toContain(wrong);
    });
  });

  describe('with mutual TLS', () => {
    let tls: TlsIntegrationEnv;
    beforeAll(() => {
      tls = tlsIntegrationEnv();
    });
    const mtlsEnv = () => ({ KAFKA_SSL_CA_FILE: tls.caFile, KAFKA_SSL_CERT_FILE: tls.certFile, KAFKA_SSL_KEY_FILE: tls.keyFile });

    it('creates a topic, produces and consumes with the CA and client certificate of the environment', async () => {
      const security = loadKafkaSecurity(mtlsEnv(), 'it');
      expect(security.tls).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE'), cert: expect.any(String), key: expect.any(String) });
      expect(await roundTrip(tls.brokers, security, 'mtls', 'over mTLS')).toEqual(['over mTLS']);
    });

    it('checks the broker certificate against KAFKA_SSL_SERVERNAME when it is set', async () => {
      const security = loadKafkaSecurity({ ...mtlsEnv(), KAFKA_SSL_SERVERNAME: 'localhost' }, 'it');
      const { admin } = client(tls.brokers, security, 'tls-it');
      await connectExplained(admin, security, tls.brokers);
      expect((await admin.describeCluster()).brokers.length).toBeGreaterThan(0);

      const wrongName = loadKafkaSecurity({ ...mtlsEnv(), KAFKA_SSL_SERVERNAME: 'kafka.example.com' }, 'it');
      expect(await connectFailure(tls.brokers, wrongName, 'tls-it')).toMatchObject({ code: 'tls_failed', message: expect.stringContaining("is not in the cert's altnames") });
    });

    it.each<[string, () => Record<string, string>, string]>([
      ['an untrusted broker certificate (another CA)', () => ({ ...mtlsEnv(), KAFKA_SSL_CA_FILE: join(__dirname, '__fixtures__', 'kafka-ca.cert.pem') }), 'self-signed certificate in certificate chain'],
      ['no client certificate', () => ({ KAFKA_SSL_CA_FILE: tls.caFile }), 'TLS handshake with Kafka at'],
    ])('fails with a TLS error naming the cause on %s', async (_, environment, expected) => {
      const security = loadKafkaSecurity(environment(), 'it');
      const error = await connectFailure(tls.brokers, security, 'tls-it');
      expect(error).toBeInstanceOf(KafkaError);
      expect(error).toMatchObject({ code: 'tls_failed', retriable: false });
      expect((error as Error).message).toContain(expected);
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
