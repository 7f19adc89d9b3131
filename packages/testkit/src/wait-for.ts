import { inspect } from 'node:util';
import { TestkitError } from './errors';

export interface WaitForOptions<T> {
  /** What is awaited, for the error message: "3 records on audit.sealed". */
  description: string;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Whether an observed value is the one awaited (default: truthy). */
  until?: (value: T) => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `fn` until it returns an accepted value (see `until`) and returns that
 * value. A throw from `fn` counts as "not yet". On timeout it throws a
 * `wait_timeout` TestkitError naming what was awaited and the last value or
 * error observed, so a failing test says what it saw, not only that it waited.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions<T>): Promise<T> {
  const { description, timeoutMs = 10_000, intervalMs = 100, until = (value: T) => Boolean(value) } = options;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left));
  }
  const observed =
    last === undefined
      ? 'nothing'
      : 'value' in last
        ? `value ${inspect(last.value, { depth: 4, breakLength: Infinity })}`
        : `error ${last.error instanceof Error ? `${last.error.name}: ${last.error.message}` : inspect(last.error)}`;
  throw new TestkitError('wait_timeout', `timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${description}; last observed: ${observed}`, {
    cause: last !== undefined && 'error' in last ? last.error : undefined,
    details: { description, timeoutMs, attempts, ...(last !== undefined && 'value' in last ? { lastValue: last.value } : {}) },
  });
}
