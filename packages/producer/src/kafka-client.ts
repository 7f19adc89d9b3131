import type { Logger } from '@auditseal/kafka';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { producerKafkaLogger } from './kafka-logger';

export interface ProducerKafkaClientOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: SASLOptions;
  logger?: Logger;
  requestTimeoutMs: number;
}

/**
 * The kafkajs client the producer creates when it is not given one. Same
 * settings as `createKafkaClient` of @auditseal/kafka except the retries:
 * kafkajs applies its client-level retries to every (re)connect and metadata
 * refresh inside one send, so the 8 of createKafkaClient (up to ~5 s of
 * backoff per connect while a broker is down) would hold a send long past
 * the producer's own backoff and deadline. Here kafkajs gives up within about
 * a second and the producer's `retry` (jittered backoff, delivery deadline)
 * decides. (createKafkaClient has no option for this yet; when it gets one,
 * this function should become a call to it.)
 */
export function createProducerKafkaClient(options: ProducerKafkaClientOptions): Kafka {
  const logger = producerKafkaLogger(options.logger);
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...fields } = entry.log;
      const log = logger.child(`kafkajs.${entry.namespace}`);
      if (entry.level <= logLevel.ERROR) log.error(message, fields);
      else if (entry.level === logLevel.WARN) log.warn(message, fields);
      else if (entry.level === logLevel.INFO) log.info(message, fields);
      else log.debug(message, fields);
    },
  };
  if (options.ssl) config.ssl = true;
  if (options.sasl) config.sasl = options.sasl;
  return new Kafka(config);
}
