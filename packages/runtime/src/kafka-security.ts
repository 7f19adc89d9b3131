import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeKafkaSecurity, type KafkaSaslMechanism, type KafkaSecurity, type KafkaTlsSettings, type Logger } from '@auditseal/kafka';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

/**
 * The Kafka security settings every service and the CLI read (DESIGN.md
 * "Access control": SASL/SCRAM or mTLS), one fragment so that the names and
 * rules are the same everywhere. Every variable is documented in
 * docs/OPERATIONS.md "Common settings".
 */
const schema = z.object({
  KAFKA_SSL: env.bool().optional(),
  KAFKA_SSL_CA_FILE: env.string().optional(),
  KAFKA_SSL_CERT_FILE: env.string().optional(),
  KAFKA_SSL_KEY_FILE: env.string().optional(),
  KAFKA_SSL_SERVERNAME: env.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool().optional(),
  KAFKA_SASL_MECHANISM: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], { errorMap: () => ({ message: 'must be plain, scram-sha-256 or scram-sha-512' }) }))
    .optional(),
  KAFKA_SASL_USERNAME: env.string().optional(),
  // Not trimmed: a password is taken as written.
  KAFKA_SASL_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  KAFKA_SASL_PASSWORD_FILE: env.string().optional(),
});

/** Reads a file as UTF-8 text; injectable for tests. */
export type ReadTextFile = (path: string) => string;

const readText: ReadTextFile = (path) => readFileSync(path, 'utf8');

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Validates the KAFKA_SSL_* and KAFKA_SASL_* variables and reads the files
 * they name (once, here: worker threads get the contents, not the paths).
 * Throws ConfigError naming every bad variable; the messages never contain a
 * password, a key or a file's contents.
 */
export function loadKafkaSecurity(environment: Record<string, string | undefined>, service: string, read: ReadTextFile = readText): KafkaSecurity {
  const e = loadConfig(schema, environment, service);
  const problems: string[] = [];
  const problem = (variable: string, message: string) => problems.push(`  - ${variable}: ${message}`);

  // --- TLS
  const tlsFiles = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).filter((name) => e[name] !== undefined);
  if (e.KAFKA_SSL === false && tlsFiles.length > 0) problem('KAFKA_SSL', `is false, but ${tlsFiles.join(' and ')} ${tlsFiles.length === 1 ? 'asks' : 'ask'} for TLS (unset KAFKA_SSL or set it to true)`);
  const tlsOn = e.KAFKA_SSL === true || (e.KAFKA_SSL === undefined && tlsFiles.length > 0);
  if (!tlsOn) {
    if (e.KAFKA_SSL_SERVERNAME !== undefined) problem('KAFKA_SSL_SERVERNAME', 'has no effect without TLS (set KAFKA_SSL=true)');
    if (e.KAFKA_SSL_REJECT_UNAUTHORIZED !== undefined) problem('KAFKA_SSL_REJECT_UNAUTHORIZED', 'has no effect without TLS (set KAFKA_SSL=true)');
  }
  if ((e.KAFKA_SSL_CERT_FILE === undefined) !== (e.KAFKA_SSL_KEY_FILE === undefined)) {
    const [set, missing] = e.KAFKA_SSL_CERT_FILE === undefined ? ['KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_CERT_FILE'] : ['KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'];
    problem(missing, `must be set together with ${set} (a client certificate needs its private key)`);
  }
  const readFile = (variable: string, path: string): string | undefined => {
    try {
      return read(path);
    } catch (error) {
      problem(variable, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
  };
  const certificatesIn = (variable: string, path: string, text: string): X509Certificate[] | undefined => {
    const blocks = text.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) {
      problem(variable, `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      return undefined;
    }
    try {
      return blocks.map((block) => new X509Certificate(block));
    } catch {
      problem(variable, `${path} holds a malformed PEM certificate`);
      return undefined;
    }
  };
  let tls: KafkaTlsSettings | undefined;
  if (tlsOn) {
    tls = { rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED ?? true };
    if (e.KAFKA_SSL_SERVERNAME !== undefined) tls.servername = e.KAFKA_SSL_SERVERNAME;
    if (e.KAFKA_SSL_CA_FILE !== undefined) {
      const text = readFile('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE);
      if (text !== undefined && certificatesIn('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE, text)) tls.ca = text;
    }
    if (e.KAFKA_SSL_CERT_FILE !== undefined && e.KAFKA_SSL_KEY_FILE !== undefined) {
      const certText = readFile('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE);
      const keyText = readFile('KAFKA_SSL_KEY_FILE', e.KAFKA_SSL_KEY_FILE);
      const certificates = certText === undefined ? undefined : certificatesIn('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE, certText);
      let key: KeyObject | undefined;
      if (keyText !== undefined) {
        if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText)) problem('KAFKA_SSL_KEY_FILE', `${e.KAFKA_SSL_KEY_FILE} holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
        else if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyText)) problem('KAFKA_SSL_KEY_FILE', `${e.KAFKA_SSL_KEY_FILE} holds an encrypted private key; give an unencrypted one (mounted from a Secret)`);
        else {
          try {
            key = createPrivateKey(keyText);
          } catch {
            problem('KAFKA_SSL_KEY_FILE', `${e.KAFKA_SSL_KEY_FILE} holds a malformed PEM private key`);
          }
        }
      }
      if (certificates && key && !certificates[0]!.checkPrivateKey(key)) {
        problem('KAFKA_SSL_KEY_FILE', `${e.KAFKA_SSL_KEY_FILE} is not the private key of the certificate in KAFKA_SSL_CERT_FILE (${e.KAFKA_SSL_CERT_FILE})`);
      }
      if (certificates && key) {
        tls.cert = certText!;
        tls.key = keyText!;
      }
    }
  }

  // --- SASL
  let sasl: KafkaSecurity['sasl'];
  if (e.KAFKA_SASL_PASSWORD !== undefined && e.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    problem('KAFKA_SASL_PASSWORD', 'set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');
  }
  const passwordSet = e.KAFKA_SASL_PASSWORD !== undefined || e.KAFKA_SASL_PASSWORD_FILE !== undefined;
  if (e.KAFKA_SASL_MECHANISM === undefined) {
    if (e.KAFKA_SASL_USERNAME !== undefined || passwordSet) problem('KAFKA_SASL_MECHANISM', 'must be set (plain, scram-sha-256 or scram-sha-512) when a SASL user or password is given');
  } else {
    if (e.KAFKA_SASL_USERNAME === undefined) problem('KAFKA_SASL_USERNAME', `must be set when KAFKA_SASL_MECHANISM is ${e.KAFKA_SASL_MECHANISM}`);
    if (!passwordSet) problem('KAFKA_SASL_PASSWORD', `KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE must be set when KAFKA_SASL_MECHANISM is ${e.KAFKA_SASL_MECHANISM}`);
    let password = e.KAFKA_SASL_PASSWORD;
    if (e.KAFKA_SASL_PASSWORD === undefined && e.KAFKA_SASL_PASSWORD_FILE !== undefined) {
      const text = readFile('KAFKA_SASL_PASSWORD_FILE', e.KAFKA_SASL_PASSWORD_FILE);
      // One trailing newline is not part of the password (`echo secret > file`, most Secret tooling).
      if (text !== undefined) password = text.replace(/\r?\n$/, '');
      if (password === '') problem('KAFKA_SASL_PASSWORD_FILE', `${e.KAFKA_SASL_PASSWORD_FILE} is empty`);
    }
    if (e.KAFKA_SASL_USERNAME !== undefined && password) sasl = { mechanism: e.KAFKA_SASL_MECHANISM as KafkaSaslMechanism, username: e.KAFKA_SASL_USERNAME, password };
  }
  if (problems.length > 0) {
    throw new ConfigError('invalid_config', `${service}: invalid configuration:\n${problems.join('\n')}\nSee docs/OPERATIONS.md for every variable.`);
  }
  return { tls, sasl };
}

/**
 * Logs, once at start, how the service connects to Kafka (never a secret),
 * and warns loudly when certificate verification is off.
 */
export function logKafkaSecurity(logger: Logger, security: KafkaSecurity): void {
  logger.info('Kafka connection security', describeKafkaSecurity(security));
  if (security.tls && !security.tls.rejectUnauthorized) {
    logger.warn(
      'KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is NOT verified; anyone on the network path can impersonate the brokers and read or alter audit records. Development only.',
    );
  }
}
