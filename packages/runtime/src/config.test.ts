import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  KAFKA_BROKERS: env.list(),
  BATCH_SIZE: env.int(1, 10_000).default('500'),
  TLS: env.bool().default('false'),
});

describe('loadConfig', () => {
  describe('when every variable is valid', () => {
    it('returns parsed values with defaults', () => {
      expect(loadConfig(schema, { KAFKA_BROKERS: 'a:9092, b:9092' }, 'chainer')).toEqual({ KAFKA_BROKERS: ['a:9092', 'b:9092'], BATCH_SIZE: 500, TLS: false });
    });
  });

  describe('when variables are missing or malformed', () => {
    it('names every bad variable, what is wrong and what it got', () => {
      const error = (() => {
        try {
          loadConfig(schema, { BATCH_SIZE: 'lots', TLS: 'maybe' }, 'chainer');
        } catch (e) {
          return e as ConfigError;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('KAFKA_BROKERS');
      expect(error.message).toContain('(not set)');
      expect(error.message).toContain('BATCH_SIZE: must be an integer (got "lots")');
      expect(error.message).toContain('TLS: must be true or false');
    });

    it('rejects integers out of bounds', () => {
      expect(() => loadConfig(schema, { KAFKA_BROKERS: 'a:1', BATCH_SIZE: '0' }, 'chainer')).toThrow('BATCH_SIZE: must be >= 1');
    });
  });
});
