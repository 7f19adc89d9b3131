import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type RetryOptions as KafkaJsRetryOptions, type SASLOptions } from 'kafkajs';
import { kafkaJsSecurity, type KafkaSecurity } from './security';

/** The logging surface the project's packages write to (services give a JSON logger). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

/** A logger that drops everything; the default for libraries and tools that print their own errors. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** TLS and SASL as the services configure them (KAFKA_SSL_*, KAFKA_SASL_*); wins over `ssl` and `sasl`. */
  security?: KafkaSecurity;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  logger?: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * kafkajs' own retries, applied to every (re)connect and metadata refresh
   * inside one call. Callers with a deadline of their own (the producer SDK)
   * keep these few so that their `retry` decides.
   */
  retry?: KafkaJsRetryOptions;
}

/**
 * One way to build a kafkajs client for every service, so that timeouts, logs
 * and security settings are the same everywhere. Retries inside kafkajs stay
 * short: our own `retry` owns deadlines.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // A short first retry: right after a transaction commits, the broker answers
    // CONCURRENT_TRANSACTIONS to the next AddPartitionsToTxn until the markers
    // are written; at kafkajs' default 300 ms every back-to-back transaction
    // waited ~235 ms, at 20 ms ~28 ms (kafkajs issue #304).
    retry: options.retry ?? { retries: 8, initialRetryTime: 20, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
  };
  const { ssl, sasl } = options.security ? kafkaJsSecurity(options.security) : { ssl: options.ssl, sasl: options.sasl };
  if (ssl) config.ssl = ssl;
  if (sasl) config.sasl = sasl;
  const logger = options.logger;
  if (logger) {
    config.logCreator = () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      const log = logger.child(`kafkajs.${entry.namespace}`);
      if (entry.level <= logLevel.ERROR) log.error(message, fields);
      else if (entry.level === logLevel.WARN) log.warn(message, fields);
      else if (entry.level === logLevel.INFO) log.info(message, fields);
      else log.debug(message, fields);
    };
  }
  return new Kafka(config);
}

/** Parses a comma-separated broker list (`host:port,host:port`). */
export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}
