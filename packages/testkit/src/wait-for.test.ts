import { TestkitError } from './errors';
import { waitFor } from './wait-for';

describe('waitFor', () => {
  describe('when the value becomes acceptable', () => {
    it('returns the first truthy value', async () => {
      let calls = 0;
      const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), { description: 'three calls', intervalMs: 1 });
      expect(value).toBe('done after 3');
    });

    it('uses `until` to decide, and returns the accepted value', async () => {
      const seen: number[] = [];
      const value = await waitFor(
        async () => {
          seen.push(seen.length);
          return seen.length;
        },
        { description: 'four records', until: (n) => n >= 4, intervalMs: 1 },
      );
      expect(value).toBe(4);
    });

    it('treats a throw as "not yet"', async () => {
      let calls = 0;
      const value = await waitFor(
        () => {
          if (++calls < 3) throw new Error('not connected');
          return 'connected';
        },
        { description: 'a connection', intervalMs: 1 },
      );
      expect(value).toBe('connected');
    });
  });

  describe('when the deadline passes', () => {
    it('names what it waited for and the last value observed', async () => {
      let n = 0;
      const promise = waitFor(() => ({ records: ++n }), { description: '10 records', until: (v) => v.records >= 10_000, timeoutMs: 50, intervalMs: 5 });
      await expect(promise).rejects.toThrow(TestkitError);
      await promise.catch((error: TestkitError) => {
        expect(error.code).toBe('wait_timeout');
        expect(error.message).toMatch(/timed out after 50 ms \(\d+ attempts\) waiting for 10 records; last observed: value \{ records: \d+ \}/);
        expect(error.details.lastValue).toEqual({ records: n });
      });
    });

    it('reports the last error as message and cause', async () => {
      const failure = new RangeError('broker not available');
      const error = await waitFor(
        () => {
          throw failure;
        },
        { description: 'the broker', timeoutMs: 20, intervalMs: 5 },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TestkitError);
      expect((error as TestkitError).message).toMatch(/waiting for the broker; last observed: error RangeError: broker not available$/);
      expect((error as TestkitError).cause).toBe(failure);
    });

    it('tries at least once even with a zero timeout', async () => {
      let calls = 0;
      await expect(waitFor(() => ++calls > 5, { description: 'never', timeoutMs: 0 })).rejects.toThrow(/1 attempts/);
      expect(calls).toBe(1);
    });
  });
});
