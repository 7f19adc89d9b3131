import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TestkitError } from './errors';

/** Where the tests' Kafka and S3 are, read once from the environment (DESIGN.md, "The contract"). */
export interface IntegrationEnv {
  kafkaBrokers: string[];
  s3: S3Settings;
  /** Where the local gateway keeps object files (tamper tests edit them); undefined for a remote S3. */
  localS3DataDir: string | undefined;
}

export interface S3Settings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The bucket the demo uses; tests create their own buckets. */
  bucket: string;
}

/** The variables `infra.sh env` prints, in order. */
export const INTEGRATION_ENV_VARS = [
  'KAFKA_BROKERS',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_BUCKET',
  'LOCAL_S3_DATA_DIR',
] as const;

/** The SASL_PLAINTEXT listener of the local Kafka and its development user (PLAIN and SCRAM-SHA-512), also printed by `infra.sh env`. */
export const SASL_INTEGRATION_ENV_VARS = ['AUDITSEAL_KAFKA_SASL_BROKERS', 'AUDITSEAL_KAFKA_SASL_USERNAME', 'AUDITSEAL_KAFKA_SASL_PASSWORD'] as const;

/** The mutual-TLS listener of the local Kafka and its development CA and client certificate (PEM files), also printed by `infra.sh env`. */
export const TLS_INTEGRATION_ENV_VARS = ['AUDITSEAL_KAFKA_SSL_BROKERS', 'AUDITSEAL_KAFKA_SSL_CA_FILE', 'AUDITSEAL_KAFKA_SSL_CERT_FILE', 'AUDITSEAL_KAFKA_SSL_KEY_FILE'] as const;

export interface TlsIntegrationEnv {
  /** Bootstrap brokers of the SSL listener (client certificate required). */
  brokers: string[];
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface SaslIntegrationEnv {
  /** Bootstrap brokers of the SASL_PLAINTEXT listener. */
  brokers: string[];
  /** A user known to both PLAIN and SCRAM-SHA-512. */
  username: string;
  password: string;
}

// src/ when jest runs the sources, dist/ when built: the repository is three levels up.
const repositoryRoot = resolve(__dirname, '..', '..', '..');
const infraScript = resolve(repositoryRoot, 'infra', 'local', 'infra.sh');

let cached: IntegrationEnv | undefined;

/**
 * Finds the Kafka and S3 the integration tests use:
 * 1. `KAFKA_BROKERS` and `S3_ENDPOINT` (with the other contract variables) when set;
 * 2. otherwise the local infrastructure: runs `infra/local/infra.sh up` (a no-op
 *    when it already runs), then reads `infra.sh env` into `process.env`.
 * Users with a Docker engine but without Java/Maven/Go start `docker-compose.yml`
 * and export `npm run -s infra:env`; the error below says so. (testcontainers is
 * not used: it needs Node 22.)
 */
export function integrationEnv(): IntegrationEnv {
  if (cached) return cached;
  if (!process.env.KAFKA_BROKERS || !process.env.S3_ENDPOINT) {
    Object.assign(process.env, startLocalInfra());
  }
  cached = readIntegrationEnv(process.env);
  return cached;
}

/**
 * The SASL listener of the tests' Kafka (tests of KAFKA_SASL_*). Throws
 * `env_invalid` when the variables are missing: a local infra started before
 * infra.sh had the listener needs `infra.sh down && infra.sh up`.
 */
export function saslIntegrationEnv(): SaslIntegrationEnv {
  integrationEnv();
  return readSaslIntegrationEnv(process.env);
}

export function readSaslIntegrationEnv(env: NodeJS.ProcessEnv): SaslIntegrationEnv {
  requireListenerVars(env, SASL_INTEGRATION_ENV_VARS, 'SASL', 'SASL_PLAINTEXT');
  return {
    brokers: brokerList(env.AUDITSEAL_KAFKA_SASL_BROKERS!),
    username: env.AUDITSEAL_KAFKA_SASL_USERNAME!.trim(),
    password: env.AUDITSEAL_KAFKA_SASL_PASSWORD!,
  };
}

/** The mutual-TLS listener of the tests' Kafka (tests of KAFKA_SSL_*); `env_invalid` when missing, as saslIntegrationEnv. */
export function tlsIntegrationEnv(): TlsIntegrationEnv {
  integrationEnv();
  return readTlsIntegrationEnv(process.env);
}

export function readTlsIntegrationEnv(env: NodeJS.ProcessEnv): TlsIntegrationEnv {
  requireListenerVars(env, TLS_INTEGRATION_ENV_VARS, 'TLS', 'SSL');
  return {
    brokers: brokerList(env.AUDITSEAL_KAFKA_SSL_BROKERS!),
    caFile: env.AUDITSEAL_KAFKA_SSL_CA_FILE!.trim(),
    certFile: env.AUDITSEAL_KAFKA_SSL_CERT_FILE!.trim(),
    keyFile: env.AUDITSEAL_KAFKA_SSL_KEY_FILE!.trim(),
  };
}

/** Throws `env_invalid` naming the missing variables of a listener of infra/local. */
function requireListenerVars(env: NodeJS.ProcessEnv, names: readonly string[], tests: string, listener: string): void {
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length === 0) return;
  throw new TestkitError(
    'env_invalid',
    `${missing.join(', ')} not set: the ${tests} tests need the ${listener} listener of infra/local (export them from \`npm run -s infra:env\`; ` +
      'an infra started before the listener existed needs `bash infra/local/infra.sh down && bash infra/local/infra.sh up`)',
  );
}

const brokerList = (value: string): string[] =>
  value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');

/** Validates the contract variables; throws `env_invalid` naming the variable. */
export function readIntegrationEnv(env: NodeJS.ProcessEnv): IntegrationEnv {
  const required = (name: (typeof INTEGRATION_ENV_VARS)[number]): string => {
    const value = env[name]?.trim();
    if (!value) throw new TestkitError('env_invalid', `${name} is not set; export every variable of \`npm run -s infra:env\` (${INTEGRATION_ENV_VARS.join(', ')}) or none of them`);
    return value;
  };
  const kafkaBrokers = brokerList(required('KAFKA_BROKERS'));
  for (const broker of kafkaBrokers) {
    if (!/^[^\s:]+:\d+$/.test(broker)) throw new TestkitError('env_invalid', `KAFKA_BROKERS must be host:port[,host:port…]; got "${broker}"`);
  }
  const endpoint = required('S3_ENDPOINT');
  if (!/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) throw new TestkitError('env_invalid', `S3_ENDPOINT must be an http(s) URL without a path; got "${endpoint}"`);
  return {
    kafkaBrokers,
    s3: {
      endpoint,
      region: env.S3_REGION?.trim() || 'us-east-1',
      accessKeyId: required('S3_ACCESS_KEY_ID'),
      secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
      bucket: required('S3_BUCKET'),
    },
    localS3DataDir: env.LOCAL_S3_DATA_DIR?.trim() || undefined,
  };
}

function startLocalInfra(): Record<string, string> {
  if (!existsSync(infraScript)) {
    throw new TestkitError('infra_unavailable', `KAFKA_BROKERS/S3_ENDPOINT are not set and ${infraScript} does not exist to start local Kafka and S3`);
  }
  try {
    // The script's progress goes to our stderr; stdout is not used by `up`.
    execFileSync('bash', [infraScript, 'up'], { cwd: repositoryRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    throw new TestkitError(
      'infra_unavailable',
      'could not start local Kafka and S3 with infra/local/infra.sh (its error is printed above). ' +
        'Install what it names (Java 17+, Maven, Go 1.25+), or point the tests at running services: ' +
        'export KAFKA_BROKERS, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET ' +
        '(with Docker: `docker compose up -d`, then `eval "$(npm run -s infra:env)"`).',
      { cause: error },
    );
  }
  return readInfraEnv();
}

/** Lets bash evaluate `infra.sh env` (it quotes for the shell) and reads back the values. */
function readInfraEnv(): Record<string, string> {
  const names = [...INTEGRATION_ENV_VARS, ...SASL_INTEGRATION_ENV_VARS, ...TLS_INTEGRATION_ENV_VARS];
  const script = `eval "$(bash "$0" env)" && printf '%s\\0' ${names.map((name) => `"$${name}"`).join(' ')}`;
  const values = execFileSync('bash', ['-c', script, infraScript], { cwd: repositoryRoot, encoding: 'utf8' }).split('\0');
  const env: Record<string, string> = {};
  names.forEach((name, index) => {
    env[name] = values[index] ?? '';
  });
  return env;
}
