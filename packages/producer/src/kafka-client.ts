import type { ConnectionOptions } from 'node:tls';
import { createKafkaClient, type Logger } from '@auditseal/kafka';
import type { Kafka, SASLOptions } from 'kafkajs';
import { producerKafkaLogger } from './kafka-logger';

export interface ProducerKafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** `true`, or tls.connect options (`ca`, `cert`, `key`, `servername`) for a private CA or mTLS. */
  ssl?: boolean | ConnectionOptions;
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
 * decides.
 */
export function createProducerKafkaClient(options: ProducerKafkaClientOptions): Kafka {
  return createKafkaClient({
    ...options,
    logger: producerKafkaLogger(options.logger),
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}
