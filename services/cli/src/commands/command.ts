import type { CliIo } from '../io';

/** One `auditseal <command>`: its help text and what it does (returns the exit code). */
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
