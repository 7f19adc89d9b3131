import { KafkaError, isRetriable } from './errors';

export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt (ms). */
  deadlineMs: number;
  /** First backoff (ms); doubles each attempt up to maxBackoffMs, with full jitter. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Decides which failures are worth another attempt; defaults to `isRetriable`. */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait; for logs and metrics. */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  signal?: AbortSignal;
  /** Injected for tests (CONVENTIONS.md: inject clocks and timings). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `operation` until it succeeds, fails with a non-retriable error, or the
 * deadline passes. Backoff is exponential with full jitter so that many clients
 * recovering together do not stampede the broker. Past the deadline the last
 * error is kept as the cause of a `deadline_exceeded` KafkaError.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const initial = options.initialBackoffMs ?? 100;
  const max = options.maxBackoffMs ?? 5_000;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!shouldRetry(error)) throw error;
      const remaining = options.deadlineMs - (now() - started);
      if (remaining <= 0) {
        throw new KafkaError('deadline_exceeded', `gave up after ${attempt} attempts in ${now() - started} ms: ${describe(error)}`, {
          cause: error,
          details: { attempts: attempt, deadlineMs: options.deadlineMs },
        });
      }
      const backoff = Math.min(max, initial * 2 ** Math.min(attempt - 1, 30));
      const waitMs = Math.min(remaining, Math.max(1, Math.round(random() * backoff)));
      options.onRetry?.(error, attempt, waitMs);
      await wait(waitMs, options.signal);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
