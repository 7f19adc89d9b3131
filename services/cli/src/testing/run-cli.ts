import { runCli } from '../main';
import type { CliIo } from '../io';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in-process with captured output (env given explicitly: nothing leaks from the test's environment). */
export async function runInMemory(argv: string[], env: Record<string, string | undefined> = {}, options: { tty?: boolean } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTTY: options.tty ?? false, env, now: () => new Date() };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
