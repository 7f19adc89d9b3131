import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { chunkBySize, isFencedError } from './partition-sealer';
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
