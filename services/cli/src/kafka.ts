import { createKafkaClient, explainKafkaConnectError, parseBrokers, silentLogger, topicNames, type TopicNames } from '@auditseal/kafka';
import { ConfigError, loadKafkaSecurity } from '@auditseal/runtime';
import type { Admin, Kafka } from 'kafkajs';
import { stringOption, type OptionSpec, type ParsedValues } from './args';
import { CliError, INFRA_HINT, errorText, usageError } from './errors';

export const KAFKA_OPTIONS: OptionSpec = {
  brokers: { type: 'string' },
  'topic-prefix': { type: 'string' },
};

export const KAFKA_HELP = `Kafka:
  --brokers <host:port,…>   (env KAFKA_BROKERS)
  --topic-prefix <p>        prefix of the audit topics (env AUDITSEAL_TOPIC_PREFIX, default none)
  TLS and SASL come from the environment only, as for the services:
  KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE, KAFKA_SSL_SERVERNAME,
  KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE
  (docs/OPERATIONS.md "Common settings")`;

export interface KafkaContext {
  kafka: Kafka;
  admin: Admin;
  brokers: string[];
  names: TopicNames;
  close(): Promise<void>;
}

/**
 * Connects an admin client; an unreachable cluster is an environment error
 * naming the brokers, a failed authentication one naming the user and
 * mechanism (never the password).
 */
export async function connectKafka(values: ParsedValues, env: Record<string, string | undefined>, stderr: (text: string) => void = () => {}): Promise<KafkaContext> {
  const raw = stringOption(values, 'brokers') ?? env.KAFKA_BROKERS;
  if (!raw?.trim()) throw usageError('no Kafka brokers: pass --brokers host:port or set KAFKA_BROKERS', INFRA_HINT);
  const brokers = parseBrokers(raw);
  for (const b of brokers) if (!/^[^\s:]+:\d+$/.test(b)) throw usageError(`--brokers / KAFKA_BROKERS must be host:port[,host:port…], got ${JSON.stringify(b)}`);
  const prefix = stringOption(values, 'topic-prefix') ?? env.AUDITSEAL_TOPIC_PREFIX ?? '';
  let security;
  try {
    security = loadKafkaSecurity(env, 'auditseal');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError('usage', error.message.replace(/^auditseal: /, ''), undefined, { cause: error });
  }
  if (security.tls && !security.tls.rejectUnauthorized) {
    stderr('auditseal: WARNING: KAFKA_SSL_REJECT_UNAUTHORIZED=false: the broker certificate is NOT verified; anyone on the network path can impersonate the brokers. Development only.\n');
  }
  const kafka = createKafkaClient({
    brokers,
    security,
    clientId: 'auditseal-cli',
    // The CLI prints its own error (below); kafkajs' log lines would only repeat it as noise.
    logger: silentLogger,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 15_000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    const explained = explainKafkaConnectError(error, security, brokers);
    if (explained !== error) throw new CliError('environment', (explained as Error).message, undefined, { cause: error });
    throw new CliError('environment', `cannot reach Kafka at ${brokers.join(',')}: ${errorText(error)}`, INFRA_HINT, { cause: error });
  }
  return { kafka, admin, brokers, names: topicNames(prefix), close: () => admin.disconnect() };
}
