import { runInMemory } from './testing/run-cli';

// connectKafka's handling of the KAFKA_SSL_* / KAFKA_SASL_* variables, before and
// around the connection (nothing listens on 127.0.0.1:9).

describe('connectKafka', () => {
  describe('when the Kafka security variables are inconsistent', () => {
    it('exits 2 naming the variable, before connecting, without the password', async () => {
      const run = await runInMemory(['topics', 'check'], { KAFKA_BROKERS: '127.0.0.1:9', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'not-shown' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('auditseal topics: invalid configuration:\n  - KAFKA_SASL_USERNAME: must be set when KAFKA_SASL_MECHANISM is scram-sha-512');
      expect(run.stderr).not.toContain('cannot reach Kafka');
      expect(run.stderr).not.toContain('not-shown');
    });
  });

  describe('when certificate verification is turned off', () => {
    it('warns on stderr, then connects as asked', async () => {
      const run = await runInMemory(['topics', 'check'], { KAFKA_BROKERS: '127.0.0.1:9', KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' });
      expect(run.stderr).toContain('auditseal: WARNING: KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is NOT verified');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('cannot reach Kafka at 127.0.0.1:9');
    });
  });
});
