import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { KafkaError } from './errors';
import { connectExplained, describeKafkaSecurity, explainKafkaConnectError, kafkaJsSecurity, PLAINTEXT, type KafkaSecurity } from './security';

const PASSWORD = 'hunter2-never-shown';
// kafkajs' typings declare this error without constructor arguments; at run time it takes the message.
const SaslAuthenticationError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
const scram: KafkaSecurity = { tls: undefined, sasl: { mechanism: 'scram-sha-512', username: 'chainer', password: PASSWORD } };
const mtls: KafkaSecurity = { tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', servername: 'kafka.example', rejectUnauthorized: true }, sasl: undefined };

describe('kafkaJsSecurity', () => {
  it('gives neither ssl nor sasl for plaintext', () => {
    expect(kafkaJsSecurity(PLAINTEXT)).toEqual({});
  });

  it('maps TLS settings to tls.connect options and SASL to the kafkajs mechanism', () => {
    expect(kafkaJsSecurity(mtls)).toEqual({ ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', servername: 'kafka.example', rejectUnauthorized: true } });
    expect(kafkaJsSecurity(scram)).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'chainer', password: PASSWORD } });
    expect(kafkaJsSecurity({ tls: { rejectUnauthorized: true }, sasl: undefined })).toEqual({ ssl: { rejectUnauthorized: true } });
  });
});

describe('describeKafkaSecurity', () => {
  it('names the mechanism and user, never the password, key or certificates', () => {
    const described = JSON.stringify([describeKafkaSecurity(scram), describeKafkaSecurity(mtls)]);
    expect(described).toContain('SCRAM-SHA-512');
    expect(described).toContain('chainer');
    for (const secret of [PASSWORD, 'KEY PEM', 'CERT PEM', 'CA PEM']) expect(described).not.toContain(secret);
  });
});

describe('explainKafkaConnectError', () => {
  describe('when SASL authentication failed', () => {
    const failure = new SaslAuthenticationError('SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');

    it('says for which user and mechanism, not retriable, without the password', () => {
      const explained = explainKafkaConnectError(failure, scram, ['k1:9093']);
      expect(explained).toBeInstanceOf(KafkaError);
      expect(explained).toMatchObject({ code: 'authentication_failed', retriable: false, cause: failure });
      expect((explained as Error).message).toMatch(/^Kafka authentication failed for user "chainer" with mechanism SCRAM-SHA-512 at k1:9093: SASL SCRAM SHA512 authentication failed/);
      expect(JSON.stringify(explained)).not.toContain(PASSWORD);
    });

    it('finds it as the cause of a kafkajs error', () => {
      const wrapped = new KafkaJSNumberOfRetriesExceeded(failure, { retryCount: 1, retryTime: 100 });
      expect(explainKafkaConnectError(wrapped, scram, ['k1:9093'])).toMatchObject({ code: 'authentication_failed' });
    });
  });

  describe('when a TLS handshake failed', () => {
    it('says TLS failed', () => {
      // As kafkajs' connection reports a socket error: the message and Node's code copied.
      const tls = new KafkaJSConnectionError('Connection error: unable to verify the first certificate', { broker: 'k1:9093', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(explainKafkaConnectError(tls, mtls, ['k1:9093'])).toMatchObject({
        code: 'tls_failed',
        retriable: false,
        message: expect.stringContaining('TLS handshake with Kafka at k1:9093 failed: Connection error: unable to verify the first certificate'),
      });
      expect(explainKafkaConnectError(tls, PLAINTEXT, ['k1:9093'])).toBe(tls);
    });
  });

  describe('when anything else failed', () => {
    it('returns the error unchanged', () => {
      const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      expect(explainKafkaConnectError(refused, scram, ['127.0.0.1:9092'])).toBe(refused);
    });
  });
});

describe('connectExplained', () => {
  it('connects, and rethrows an authentication failure explained', async () => {
    await expect(connectExplained({ connect: async () => undefined }, scram, ['k:1'])).resolves.toBeUndefined();
    const failing = { connect: () => Promise.reject(new SaslAuthenticationError('SASL PLAIN authentication failed')) };
    await expect(connectExplained(failing, scram, ['k:1'])).rejects.toMatchObject({ code: 'authentication_failed' });
  });
});
