import { KafkaError } from './errors';
import { retry } from './retry';

const retriable = () => new KafkaError('kafka_error', 'broker busy', { retriable: true });

function fakeClock() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

describe('retry', () => {
  describe('when the operation succeeds after retriable failures', () => {
    it('returns its value and backs off with jitter below the exponential cap', async () => {
      const clock = fakeClock();
      let calls = 0;
      const value = await retry(
        async () => {
          calls++;
          if (calls < 4) throw retriable();
          return 'ok';
        },
        { deadlineMs: 60_000, initialBackoffMs: 100, maxBackoffMs: 1_000, random: () => 0.5, ...clock },
      );
      expect(value).toBe('ok');
      expect(calls).toBe(4);
      expect(clock.waits).toEqual([50, 100, 200]);
    });
  });

  describe('when the error is not retriable', () => {
    it('throws it at once, without waiting', async () => {
      const clock = fakeClock();
      const bug = new TypeError('programmer error');
      await expect(retry(async () => Promise.reject(bug), { deadlineMs: 60_000, ...clock })).rejects.toBe(bug);
      expect(clock.waits).toEqual([]);
    });
  });

  describe('when the deadline passes', () => {
    it('throws deadline_exceeded with the last error as cause', async () => {
      const clock = fakeClock();
      const last = retriable();
      const error = await retry(async () => Promise.reject(last), { deadlineMs: 1_000, random: () => 1, ...clock }).catch((e) => e);
      expect(error).toBeInstanceOf(KafkaError);
      expect(error.code).toBe('deadline_exceeded');
      expect(error.cause).toBe(last);
      expect(clock.now()).toBeLessThanOrEqual(1_000);
    });
  });
});
