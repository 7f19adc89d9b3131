import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@auditseal/kafka';
import { ConfigError, loadConfig } from './config';
import { loadKafkaSecurity, logKafkaSecurity, type ReadTextFile } from './kafka-security';
import { z } from 'zod';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const CA = fixture('kafka-ca.cert.pem');
const CERT = fixture('kafka-client.cert.pem');
const KEY = fixture('kafka-client.key.pem');
const OTHER_KEY = fixture('other-client.key.pem');
const PASSWORD = 'pa55-w0rd-never-shown';

/** An in-memory file system: path → contents; a missing path fails like fs (ENOENT). */
function files(contents: Record<string, string>): ReadTextFile {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
}

const fs = files({
  '/etc/kafka/ca.pem': CA,
  '/etc/kafka/client.pem': CERT,
  '/etc/kafka/client.key': KEY,
  '/etc/kafka/other.key': OTHER_KEY,
  '/etc/kafka/password': `${PASSWORD}\n`,
  '/etc/kafka/empty': '\n',
  '/etc/kafka/garbage.pem': 'hello, not a certificate',
  '/etc/kafka/broken.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  '/etc/kafka/broken.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
  '/etc/kafka/encrypted.key': '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
});

const load = (environment: Record<string, string | undefined>) => loadKafkaSecurity(environment, 'chainer', fs);

function configError(environment: Record<string, string | undefined>): ConfigError {
  try {
    load(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadKafkaSecurity', () => {
  describe('when nothing is set', () => {
    it('is plaintext without SASL', () => {
      expect(load({})).toEqual({ tls: undefined, sasl: undefined });
    });

    it('is plaintext with KAFKA_SSL=false', () => {
      expect(load({ KAFKA_SSL: 'false' })).toEqual({ tls: undefined, sasl: undefined });
    });
  });

  describe('when TLS is asked for', () => {
    it('KAFKA_SSL=true trusts the system CAs and verifies certificates', () => {
      expect(load({ KAFKA_SSL: 'true' })).toEqual({ tls: { rejectUnauthorized: true }, sasl: undefined });
    });

    it('KAFKA_SSL_CA_FILE implies TLS and reads the CA once', () => {
      const read = jest.fn(fs);
      expect(loadKafkaSecurity({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, 'chainer', read)).toEqual({ tls: { rejectUnauthorized: true, ca: CA }, sasl: undefined });
      expect(read).toHaveBeenCalledTimes(1);
    });

    it('a client certificate and its key give mTLS (implying TLS), with a CA and a server name', () => {
      expect(
        load({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key', KAFKA_SSL_SERVERNAME: 'kafka.example.com' }),
      ).toEqual({ tls: { rejectUnauthorized: true, ca: CA, cert: CERT, key: KEY, servername: 'kafka.example.com' }, sasl: undefined });
    });

    it('KAFKA_SSL=true with a certificate and key is the same mTLS', () => {
      expect(load({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key' }).tls).toEqual({ rejectUnauthorized: true, cert: CERT, key: KEY });
    });

    it('turns certificate verification off only when KAFKA_SSL_REJECT_UNAUTHORIZED=false says so', () => {
      expect(load({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).tls).toEqual({ rejectUnauthorized: false });
      expect(load({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'true' }).tls).toEqual({ rejectUnauthorized: true });
    });
  });

  describe('when SASL is asked for', () => {
    it.each(['plain', 'scram-sha-256', 'scram-sha-512', 'SCRAM-SHA-512'])('accepts mechanism %s with a user and password', (mechanism) => {
      expect(load({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'chainer', KAFKA_SASL_PASSWORD: PASSWORD })).toEqual({
        tls: undefined,
        sasl: { mechanism: mechanism.toLowerCase(), username: 'chainer', password: PASSWORD },
      });
    });

    it('reads the password from KAFKA_SASL_PASSWORD_FILE without its trailing newline', () => {
      expect(load({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'chainer', KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' }).sasl).toEqual({
        mechanism: 'scram-sha-512',
        username: 'chainer',
        password: PASSWORD,
      });
    });

    it('keeps a password as written (spaces included)', () => {
      expect(load({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: ' spaced ' }).sasl?.password).toBe(' spaced ');
    });

    it('combines with TLS (SASL_SSL)', () => {
      expect(load({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'chainer', KAFKA_SASL_PASSWORD: PASSWORD })).toEqual({
        tls: { rejectUnauthorized: true, ca: CA },
        sasl: { mechanism: 'scram-sha-512', username: 'chainer', password: PASSWORD },
      });
    });
  });

  describe('when the variables are inconsistent or wrong', () => {
    it.each<[string, Record<string, string>, string]>([
      ['an unknown mechanism', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_MECHANISM: must be plain, scram-sha-256 or scram-sha-512 (got "gssapi")'],
      ['a mechanism without user', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_USERNAME: must be set when KAFKA_SASL_MECHANISM is plain'],
      ['a mechanism without password', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD: KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE must be set when KAFKA_SASL_MECHANISM is scram-sha-256'],
      ['a user without mechanism', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD }, 'KAFKA_SASL_MECHANISM: must be set (plain, scram-sha-256 or scram-sha-512) when a SASL user or password is given'],
      ['a password file without mechanism', { KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' }, 'KAFKA_SASL_MECHANISM: must be set'],
      ['both password and password file', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' }, 'KAFKA_SASL_PASSWORD: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both'],
      ['an unreadable password file', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/run/secrets/missing' }, 'KAFKA_SASL_PASSWORD_FILE: cannot read /run/secrets/missing: ENOENT'],
      ['an empty password file', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/empty' }, 'KAFKA_SASL_PASSWORD_FILE: /etc/kafka/empty is empty'],
      ['an empty password', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: '' }, 'KAFKA_SASL_PASSWORD: must not be empty (set; value not shown)'],
      ['a malformed KAFKA_SSL', { KAFKA_SSL: 'sure' }, 'KAFKA_SSL: must be true or false (got "sure")'],
      ['KAFKA_SSL=false with a CA file', { KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, 'KAFKA_SSL: is false, but KAFKA_SSL_CA_FILE asks for TLS'],
      ['a certificate without key', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem' }, 'KAFKA_SSL_KEY_FILE: must be set together with KAFKA_SSL_CERT_FILE'],
      ['a key without certificate', { KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key' }, 'KAFKA_SSL_CERT_FILE: must be set together with KAFKA_SSL_KEY_FILE'],
      ['a server name without TLS', { KAFKA_SSL_SERVERNAME: 'kafka.example.com' }, 'KAFKA_SSL_SERVERNAME: has no effect without TLS (set KAFKA_SSL=true)'],
      ['REJECT_UNAUTHORIZED without TLS', { KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }, 'KAFKA_SSL_REJECT_UNAUTHORIZED: has no effect without TLS (set KAFKA_SSL=true)'],
      ['an unreadable CA file', { KAFKA_SSL_CA_FILE: '/etc/kafka/nope.pem' }, 'KAFKA_SSL_CA_FILE: cannot read /etc/kafka/nope.pem: ENOENT'],
      ['a CA file without certificate', { KAFKA_SSL_CA_FILE: '/etc/kafka/garbage.pem' }, 'KAFKA_SSL_CA_FILE: /etc/kafka/garbage.pem holds no PEM certificate'],
      ['a malformed CA certificate', { KAFKA_SSL_CA_FILE: '/etc/kafka/broken.pem' }, 'KAFKA_SSL_CA_FILE: /etc/kafka/broken.pem holds a malformed PEM certificate'],
      ['a malformed client certificate', { KAFKA_SSL_CERT_FILE: '/etc/kafka/broken.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key' }, 'KAFKA_SSL_CERT_FILE: /etc/kafka/broken.pem holds a malformed PEM certificate'],
      ['a key file without key', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/garbage.pem' }, 'KAFKA_SSL_KEY_FILE: /etc/kafka/garbage.pem holds no PEM private key'],
      ['a malformed key', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/broken.key' }, 'KAFKA_SSL_KEY_FILE: /etc/kafka/broken.key holds a malformed PEM private key'],
      ['an encrypted key', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/encrypted.key' }, 'KAFKA_SSL_KEY_FILE: /etc/kafka/encrypted.key holds an encrypted private key'],
      ['a key of another certificate', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/other.key' }, 'KAFKA_SSL_KEY_FILE: /etc/kafka/other.key is not the private key of the certificate in KAFKA_SSL_CERT_FILE'],
      ['an unreadable key file', { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/gone.key' }, 'KAFKA_SSL_KEY_FILE: cannot read /etc/kafka/gone.key: ENOENT'],
    ])('%s is a config error naming the variable', (_, environment, expected) => {
      const error = configError(environment);
      expect(error.code).toBe('invalid_config');
      expect(error.message).toMatch(/^chainer: invalid configuration:\n/);
      expect(error.message).toContain(expected);
    });

    it('lists every problem at once', () => {
      const error = configError({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_SERVERNAME: 'x' });
      expect(error.message).toContain('KAFKA_SASL_USERNAME');
      expect(error.message).toContain('KAFKA_SASL_PASSWORD');
      expect(error.message).toContain('KAFKA_SSL_KEY_FILE');
    });

    it('never shows a password, a key or a file content', () => {
      const cases: Array<Record<string, string>> = [
        { KAFKA_SASL_PASSWORD: PASSWORD },
        { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' },
        { KAFKA_SASL_MECHANISM: 'kerberos', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD },
        { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD_FILE: '/etc/kafka/password' },
        { KAFKA_SSL: 'maybe', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD },
        { KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/other.key' },
        { KAFKA_SSL_CA_FILE: '/etc/kafka/client.key' },
      ];
      for (const environment of cases) {
        const error = configError(environment);
        const shown = `${error.message}\n${JSON.stringify(error)}`;
        expect(shown).not.toContain(PASSWORD);
        expect(shown).not.toContain('PRIVATE KEY');
        expect(shown).not.toContain(KEY.split('\n')[1]!);
      }
    });
  });
});

describe('loadConfig', () => {
  describe('when a secret variable is malformed', () => {
    it('names it without its value', () => {
      const schema = z.object({ S3_SECRET_ACCESS_KEY: z.string().min(40, 'must be 40 characters') });
      expect(() => loadConfig(schema, { S3_SECRET_ACCESS_KEY: 'short-secret' }, 'archiver')).toThrow('S3_SECRET_ACCESS_KEY: must be 40 characters (set; value not shown)');
      expect(() => loadConfig(schema, { S3_SECRET_ACCESS_KEY: 'short-secret' }, 'archiver')).not.toThrow(/short-secret/);
    });
  });
});

describe('logKafkaSecurity', () => {
  const capture = () => {
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
      info: (message, fields) => lines.push({ level: 'info', message, fields }),
      warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
      error: (message, fields) => lines.push({ level: 'error', message, fields }),
      child: () => logger,
    };
    return { logger, lines };
  };

  it('says how it connects without any secret', () => {
    const { logger, lines } = capture();
    logKafkaSecurity(logger, load({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'chainer', KAFKA_SASL_PASSWORD: PASSWORD }));
    expect(lines).toEqual([
      { level: 'info', message: 'Kafka connection security', fields: { tls: { ca: 'custom', clientCertificate: true, servername: undefined, rejectUnauthorized: true }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'chainer' } } },
    ]);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('warns loudly when certificate verification is off', () => {
    const { logger, lines } = capture();
    logKafkaSecurity(logger, load({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }));
    expect(lines[1]).toMatchObject({ level: 'warn', message: expect.stringContaining('KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is NOT verified') });
  });
});
