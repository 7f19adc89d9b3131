import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, publicKeyEntry, serializeKeyring, createKeyring } from '@auditseal/core';
import { ConfigError } from '@auditseal/runtime';
import { loadChainerConfig, loadProducerKeyring, transactionalIdFor } from './config';

const minimal = { KAFKA_BROKERS: '127.0.0.1:9092', AUDITSEAL_CLUSTER: 'prod-eu' };

describe('loadChainerConfig', () => {
  describe('when only the required variables are set', () => {
    it('applies the documented defaults', () => {
      const config = loadChainerConfig(minimal);
      expect(config).toEqual({
        brokers: ['127.0.0.1:9092'],
        kafkaSecurity: { tls: undefined, sasl: undefined },
        cluster: 'prod-eu',
        topicPrefix: '',
        topics: { events: 'audit.events', sealed: 'audit.sealed', alerts: 'audit.alerts' },
        groupId: 'chainer',
        transactionalIdPrefix: 'auditseal',
        maxEventBytes: 262_144,
        maxBatch: 2000,
        delivery: 'exactly-once',
        requireSignaturesFrom: new Set(),
        producerKeyringPath: undefined,
        minInsyncReplicas: 2,
        ensureTopics: false,
        partitions: 4,
        replicationFactor: 3,
        sessionTimeoutMs: 30_000,
        httpPort: 9464,
        logLevel: 'info',
      });
      expect(transactionalIdFor(config, 3)).toBe('auditseal-chainer-3');
    });
  });

  describe('when a topic prefix is set', () => {
    it('prefixes topics, the group id and the transactional ids', () => {
      const config = loadChainerConfig({ ...minimal, AUDITSEAL_TOPIC_PREFIX: 'staging.' });
      expect(config.topics.events).toBe('staging.audit.events');
      expect(config.groupId).toBe('staging.chainer');
      expect(transactionalIdFor(config, 0)).toBe('staging.auditseal-chainer-0');
    });
  });

  describe('when variables are invalid', () => {
    it.each([
      [{ AUDITSEAL_CLUSTER: undefined }, 'AUDITSEAL_CLUSTER'],
      [{ AUDITSEAL_CLUSTER: 'has/slash' }, 'AUDITSEAL_CLUSTER'],
      [{ CHAINER_DELIVERY: 'maybe' }, 'CHAINER_DELIVERY'],
      [{ CHAINER_MAX_BATCH: '0' }, 'CHAINER_MAX_BATCH'],
      [{ CHAINER_MAX_EVENT_BYTES: 'big' }, 'CHAINER_MAX_EVENT_BYTES'],
      [{ KAFKA_BROKERS: undefined }, 'KAFKA_BROKERS'],
      [{ CHAINER_REQUIRE_SIGNATURES_FROM: 'billing' }, 'CHAINER_PRODUCER_KEYRING'],
    ])('names the variable (%p)', (overrides, variable) => {
      expect(() => loadChainerConfig({ ...minimal, ...overrides })).toThrow(ConfigError);
      expect(() => loadChainerConfig({ ...minimal, ...overrides })).toThrow(variable);
    });
  });

  describe('when signatures are required', () => {
    it('parses the list of services', () => {
      const config = loadChainerConfig({ ...minimal, CHAINER_REQUIRE_SIGNATURES_FROM: 'billing, payments', CHAINER_PRODUCER_KEYRING: '/etc/keys.json' });
      expect([...config.requireSignaturesFrom]).toEqual(['billing', 'payments']);
    });
  });
});

describe('loadProducerKeyring', () => {
  it('parses a keyring file', () => {
    const key = generateSigningKey();
    const text = serializeKeyring(createKeyring([publicKeyEntry(key, new Date(Date.UTC(2025, 0, 1)))]));
    expect(loadProducerKeyring('/keys.json', () => text).keys.map((k) => k.keyId)).toEqual([key.keyId]);
  });

  it('names the variable when the file is unreadable or invalid', () => {
    const missing = () => {
      throw new Error('ENOENT');
    };
    expect(() => loadProducerKeyring('/nope.json', missing)).toThrow(/CHAINER_PRODUCER_KEYRING: cannot read \/nope.json/);
    expect(() => loadProducerKeyring('/bad.json', () => '{}')).toThrow(/CHAINER_PRODUCER_KEYRING: \/bad.json is not a valid keyring/);
  });
});

describe('loadChainerConfig Kafka security (KAFKA_SSL_*, KAFKA_SASL_*)', () => {
  const password = 'never-in-a-message';

  it('connects in plaintext without SASL by default', () => {
    expect(loadChainerConfig(minimal).kafkaSecurity).toEqual({ tls: undefined, sasl: undefined });
  });

  it('reads TLS and SASL through the shared fragment, the password from its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainer-kafka-security-'));
    writeFileSync(join(dir, 'password'), `${password}\n`);
    const c = loadChainerConfig({ ...minimal, KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'chainer', KAFKA_SASL_PASSWORD_FILE: join(dir, 'password') });
    expect(c.kafkaSecurity).toEqual({ tls: { rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-512', username: 'chainer', password } });
    rmSync(dir, { recursive: true });
  });

  it('refuses a mechanism without user with a ConfigError naming the variable, never the password', () => {
    const load = () => loadChainerConfig({ ...minimal, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: password });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^chainer: invalid configuration:\n {2}- KAFKA_SASL_USERNAME: must be set when KAFKA_SASL_MECHANISM is plain/);
    expect(load).not.toThrow(password);
  });
});
