import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ITopicConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import type { Cleanup } from './cleanup';
import { integrationEnv } from './integration-env';
import { uniqueName } from './unique-name';

export interface CreateTopicOptions {
  /** Topic name; default `uniqueName(prefix)`. */
  name?: string;
  prefix?: string;
  partitions?: number;
  /** Default: the broker's default.replication.factor (1 locally, 3 with `--brokers 3`). */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'min.insync.replicas': '2' }`. */
  config?: Record<string, string>;
}

/**
 * A kafkajs client for one test file, with the clients it hands out and the
 * topics it creates tracked so `teardown` disconnects and deletes them.
 */
export interface TestKafka {
  readonly kafka: Kafka;
  readonly brokers: string[];
  /** A connected admin client, shared by the helpers. */
  admin(): Promise<Admin>;
  createTopic(options?: CreateTopicOptions): Promise<string>;
  deleteTopic(name: string): Promise<void>;
  /** A producer (not yet connected) with the default partitioner chosen explicitly. */
  producer(config?: ProducerConfig): Producer;
  /**
   * A consumer (not yet connected) in a fresh group unless `groupId` is given.
   * Its fetch long-poll is 250 ms instead of 5 s: kafkajs's disconnect waits
   * for the fetch in flight, which made every test's teardown take 5 s.
   */
  consumer(config?: Partial<ConsumerConfig>): Consumer;
  /** Disconnects every client handed out and deletes every topic created. */
  teardown(): Promise<void>;
}

export interface CreateTestKafkaOptions {
  /** Registers `teardown` there (typically run in afterAll). */
  cleanup?: Cleanup;
  clientId?: string;
}

/**
 * kafkajs logs retriable conditions (coordinator loading, CONCURRENT_TRANSACTIONS)
 * at ERROR; tests see real failures as thrown errors, so the client is silent
 * unless KAFKAJS_LOG_LEVEL (read by kafkajs itself) asks for more.
 */
export function createTestKafka(options: CreateTestKafkaOptions = {}): TestKafka {
  const { kafkaBrokers } = integrationEnv();
  const kafka = new Kafka({
    clientId: options.clientId ?? uniqueName('testkit'),
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
  });
  const clients = new Set<{ disconnect(): Promise<void> }>();
  const topics = new Set<string>();
  let admin: Promise<Admin> | undefined;

  const getAdmin = (): Promise<Admin> => {
    if (!admin) {
      const client = kafka.admin();
      clients.add(client);
      admin = client.connect().then(() => client);
      admin.catch(() => {
        admin = undefined;
      });
    }
    return admin;
  };

  const testKafka: TestKafka = {
    kafka,
    brokers: kafkaBrokers,
    admin: getAdmin,
    async createTopic({ name, prefix = 'topic', partitions = 1, replicationFactor, config = {} } = {}) {
      const topic = name ?? uniqueName(prefix);
      const spec: ITopicConfig = {
        topic,
        numPartitions: partitions,
        configEntries: Object.entries(config).map(([configName, value]) => ({ name: configName, value })),
      };
      if (replicationFactor !== undefined) spec.replicationFactor = replicationFactor;
      const client = await getAdmin();
      await client.createTopics({ topics: [spec], waitForLeaders: true });
      topics.add(topic);
      return topic;
    },
    async deleteTopic(name) {
      const client = await getAdmin();
      await client.deleteTopics({ topics: [name] });
      topics.delete(name);
    },
    producer(config = {}) {
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
      clients.add(producer);
      return producer;
    },
    consumer(config = {}) {
      const consumer = kafka.consumer({ groupId: uniqueName('group'), maxWaitTimeInMs: 250, ...config });
      clients.add(consumer);
      return consumer;
    },
    async teardown() {
      const errors: unknown[] = [];
      const adminClient = admin ? await admin.catch(() => undefined) : undefined;
      for (const client of clients) {
        if (client === adminClient) continue;
        await client.disconnect().catch((error: unknown) => errors.push(error));
      }
      if (adminClient && topics.size > 0) {
        await adminClient.deleteTopics({ topics: [...topics] }).catch((error: unknown) => errors.push(error));
      }
      if (adminClient) await adminClient.disconnect().catch((error: unknown) => errors.push(error));
      clients.clear();
      topics.clear();
      admin = undefined;
      if (errors.length > 0) throw new AggregateError(errors, `Kafka teardown: ${errors.length} step(s) failed`);
    },
  };
  options.cleanup?.add('kafka teardown', () => testKafka.teardown());
  return testKafka;
}
