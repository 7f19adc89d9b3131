import type { Logger } from '@auditseal/kafka';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0; a second signal or a stop
 * that outlasts `timeoutMs` exits 1 so an orchestrator never waits forever.
 */
export function onShutdown(stop: (signal: string) => Promise<void>, options: { logger: Logger; timeoutMs?: number }): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn('second signal during shutdown: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    options.logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      options.logger.error('shutdown timed out: exiting', { timeoutMs: options.timeoutMs ?? 30_000 });
      process.exit(1);
    }, options.timeoutMs ?? 30_000);
    timer.unref();
    stop(signal)
      .then(() => {
        options.logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        options.logger.error('error during shutdown', { error });
        process.exit(1);
      });
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
