import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { chainId } from '@auditseal/core';
import { silentLogger } from '@auditseal/kafka';
import type { Kafka, ProducerConfig } from 'kafkajs';
import { chunkBySize, isFencedError, PartitionSealer, type PartitionSealerOptions } from './partition-sealer';
import type { SealedOutput } from './seal-batch';

const output = (bytes: number) => ({ bytes: Buffer.alloc(bytes) }) as unknown as SealedOutput;

describe('chunkBySize', () => {
  it('keeps a small batch in one produce call', () => {
    expect(chunkBySize([output(10), output(10)], 100).map((c) => c.length)).toEqual([2]);
  });

  it('splits so that no call exceeds the limit', () => {
    expect(chunkBySize([output(40), output(40), output(40), output(40)], 100).map((c) => c.length)).toEqual([2, 2]);
  });

  it('sends an entry larger than the limit alone', () => {
    expect(chunkBySize([output(10), output(500), output(10)], 100).map((c) => c.length)).toEqual([1, 1, 1]);
  });

  it('returns nothing for nothing', () => {
    expect(chunkBySize([], 100)).toEqual([]);
  });
});

describe('isFencedError', () => {
  const protocolError = (type: string) => Object.assign(new KafkaJSProtocolError('x'), { type });

  it.each(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'])('recognises %s', (type) => {
    expect(isFencedError(protocolError(type))).toBe(true);
  });

  it('looks through causes and kafkajs retry wrappers', () => {
    const wrapped = Object.assign(new Error('retries exhausted'), { originalError: protocolError('INVALID_PRODUCER_EPOCH') });
    expect(isFencedError(new Error('outer', { cause: wrapped }))).toBe(true);
  });

  it('is false for other errors', () => {
    expect(isFencedError(protocolError('NOT_LEADER_FOR_PARTITION'))).toBe(false);
    expect(isFencedError(new KafkaJSNonRetriableError('boom'))).toBe(false);
    expect(isFencedError(undefined)).toBe(false);
  });
});

describe('the sealing producer', () => {
  /** The producer config prepareProducer gives kafkajs, from a stand-in for the client. */
  async function producerConfig(delivery: 'exactly-once' | 'at-least-once'): Promise<ProducerConfig> {
    let config: ProducerConfig | undefined;
    const producer = { connect: async () => undefined, disconnect: async () => undefined, transaction: async () => ({ abort: async () => undefined }) };
    const kafka = { producer: (c: ProducerConfig) => ((config = c), producer) } as unknown as Kafka;
    const sealer = new PartitionSealer({
      kafka,
      config: { delivery, groupId: 'g', topics: { events: 'audit.events', sealed: 'audit.sealed', alerts: 'audit.alerts' }, transactionalIdPrefix: 'auditseal-chainer' },
      chainId: chainId({ cluster: 'c', topic: 'audit.events', partition: 0 }),
      partition: 0,
      logger: silentLogger,
    } as unknown as PartitionSealerOptions);
    await sealer.prepareProducer();
    return config!;
  }

  it.each(['exactly-once', 'at-least-once'] as const)('%s: retries without limit, the first time after 10 ms (a transaction waits on CONCURRENT_TRANSACTIONS after every commit)', async (delivery) => {
    const config = await producerConfig(delivery);
    expect(config.idempotent).toBe(true);
    expect(config.retry).toEqual({ retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 10 });
  });
});
