import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { findCause, KafkaError } from './errors';

/**
 * How a client authenticates to Kafka and encrypts the connection
 * (DESIGN.md "Access control": SASL/SCRAM or mTLS). Plain data — strings and
 * booleans only — so the verifier hands it to its worker threads by
 * structured clone; files (CA, certificate, key, password) are read once, by
 * the configuration loader (@auditseal/runtime `loadKafkaSecurity`).
 */
export interface KafkaSecurity {
  /** undefined: a plaintext connection. */
  tls: KafkaTlsSettings | undefined;
  /** undefined: no SASL authentication (plaintext, or mTLS only). */
  sasl: KafkaSaslSettings | undefined;
}

export interface KafkaTlsSettings {
  /** PEM of the CA certificate(s) to trust; undefined: Node's default trust store. */
  ca?: string;
  /** PEM client certificate and its private key (mTLS); both or neither. */
  cert?: string;
  key?: string;
  /** TLS server name (SNI and the name checked in the broker's certificate); default the broker's host. */
  servername?: string;
  /** false only when the operator explicitly turned certificate verification off (logged loudly at start). */
  rejectUnauthorized: boolean;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSaslSettings {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** No TLS, no SASL: the local development listener. */
export const PLAINTEXT: KafkaSecurity = Object.freeze({ tls: undefined, sasl: undefined });

/** The kafkajs `ssl` and `sasl` options of a KafkaSecurity. */
export function kafkaJsSecurity(security: KafkaSecurity): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  const out: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (security.tls) {
    const { ca, cert, key, servername, rejectUnauthorized } = security.tls;
    out.ssl = { rejectUnauthorized, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(servername ? { servername } : {}) };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

/** What a log line may say about a KafkaSecurity: never the password, key or certificates. */
export function describeKafkaSecurity(security: KafkaSecurity): Record<string, unknown> {
  return {
    tls: security.tls
      ? { ca: security.tls.ca ? 'custom' : 'system', clientCertificate: security.tls.cert !== undefined, servername: security.tls.servername, rejectUnauthorized: security.tls.rejectUnauthorized }
      : false,
    sasl: security.sasl ? { mechanism: mechanismName(security.sasl.mechanism), username: security.sasl.username } : false,
  };
}

function mechanismName(mechanism: KafkaSaslMechanism): string {
  return mechanism.toUpperCase();
}

/** The kafkajs error behind `error` (directly or as a cause) that says SASL authentication failed. */
const saslFailureIn = (error: unknown) => findCause(error, (e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED');

/** The TLS handshake failure (an untrusted or mismatching certificate) behind `error`, if any. */
const tlsFailureIn = (error: unknown) => findCause(error, (e) => typeof e.code === 'string' && /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_)/.test(e.code));

/**
 * Turns a kafkajs authentication or TLS failure into a KafkaError that says
 * what failed, for which user and mechanism (never the password), and that
 * retrying will not help; any other error is returned unchanged. Callers
 * connecting at start-up rethrow what this returns.
 */
export function explainKafkaConnectError(error: unknown, security: KafkaSecurity, brokers: readonly string[]): unknown {
  const sasl = saslFailureIn(error);
  if (sasl && security.sasl) {
    return new KafkaError(
      'authentication_failed',
      `Kafka authentication failed for user "${security.sasl.username}" with mechanism ${mechanismName(security.sasl.mechanism)} at ${brokers.join(',')}: ${sasl.message} ` +
        '(check the user, its password and the mechanism, and that this listener enables the mechanism)',
      { cause: error, retriable: false, details: { username: security.sasl.username, mechanism: security.sasl.mechanism, brokers: [...brokers] } },
    );
  }
  if (sasl) {
    return new KafkaError('authentication_failed', `Kafka SASL authentication failed at ${brokers.join(',')}: ${sasl.message}`, { cause: error, retriable: false, details: { brokers: [...brokers] } });
  }
  const tls = security.tls ? tlsFailureIn(error) : undefined;
  if (tls) {
    return new KafkaError(
      'tls_failed',
      `TLS handshake with Kafka at ${brokers.join(',')} failed: ${tls.message} (check the CA, the server name and the client certificate)`,
      { cause: error, retriable: false, details: { brokers: [...brokers] } },
    );
  }
  return error;
}

/**
 * Connects a kafkajs client (admin, producer or consumer); an authentication
 * or TLS failure becomes the KafkaError of explainKafkaConnectError (fails
 * at once: kafkajs does not retry it), anything else is rethrown as is.
 */
export async function connectExplained(client: { connect(): Promise<void> }, security: KafkaSecurity, brokers: readonly string[]): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    throw explainKafkaConnectError(error, security, brokers);
  }
}
