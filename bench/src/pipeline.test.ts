import { isUnknownTopicError, retryWhileTopicUnknown, serviceNodeArgs } from './pipeline';

const unknownTopic = () => Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });

describe('isUnknownTopicError', () => {
  it('recognises the kafkajs error and a wrapper whose cause it is', () => {
    expect(isUnknownTopicError(unknownTopic())).toBe(true);
    expect(isUnknownTopicError(new Error('wrapped', { cause: unknownTopic() }))).toBe(true);
    expect(isUnknownTopicError(Object.assign(new Error('x'), { type: 'TOPIC_AUTHORIZATION_FAILED' }))).toBe(false);
    expect(isUnknownTopicError(undefined)).toBe(false);
  });
});

describe('retryWhileTopicUnknown', () => {
  describe('when the broker does not know the topic yet', () => {
    it('tries again until the operation succeeds', async () => {
      let calls = 0;
      const result = await retryWhileTopicUnknown(
        async () => {
          if (++calls < 3) throw unknownTopic();
          return 'created';
        },
        10_000,
        1,
      );
      expect(result).toBe('created');
      expect(calls).toBe(3);
    });

    it('gives up with the error once the time is up', async () => {
      await expect(retryWhileTopicUnknown(() => Promise.reject(unknownTopic()), 0, 1)).rejects.toThrow('does not host');
    });
  });

  describe('when the operation fails otherwise', () => {
    it('throws at once', async () => {
      let calls = 0;
      await expect(retryWhileTopicUnknown(() => (calls++, Promise.reject(new Error('policy violated'))), 10_000, 1)).rejects.toThrow('policy violated');
      expect(calls).toBe(1);
    });
  });
});

describe('serviceNodeArgs', () => {
  it('reads BENCH_<SERVICE>_NODE_ARGS for the service under services/', () => {
    const env = { BENCH_CHAINER_NODE_ARGS: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' };
    expect(serviceNodeArgs('/repo/services/chainer/dist/main.js', env)).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
    expect(serviceNodeArgs('/repo/services/archiver/dist/main.js', env)).toEqual([]);
    expect(serviceNodeArgs('/repo/bench/dist/x.js', env)).toEqual([]);
  });
});
