/** What a command may touch of the process, injected so tests run commands in memory. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress bars only when stderr is a terminal. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  now(): Date;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
  };
}
