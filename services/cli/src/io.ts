import { once } from 'node:events';

/** What a command may touch of the process, injected so tests run commands in memory. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when stdout can take more (long outputs such as export wait on it between segments). */
  drain?(): Promise<void>;
  /** Progress bars only when stderr is a terminal. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  now(): Date;
}

export function processIo(): CliIo {
  // `auditseal export | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    drain: async () => {
      if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
    },
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
  };
}
