import { ConfigError } from '@auditseal/runtime';
import { MAIN_HELP, PRODUCE_HELP, RUN_HELP, UsageError, parseArgs, type DemoCommand } from './args';
import { runProduce } from './produce-command';
import { DemoEnvironmentError, runDemo } from './run-demo';
import { DemoKeyError } from './demo-keys';

/*
 * `npm run demo` = `node services/demo/dist/main.js [run] …`, and
 * `node services/demo/dist/main.js produce …` (docker-compose's demo-producer).
 * Exit codes: 0 ok, 1 the pipeline did not verify everything (or a produce
 * failed), 2 usage or environment error, 130 interrupted.
 */
async function main(argv: string[]): Promise<number> {
  let command: DemoCommand;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n(see --help)\n`);
    return 2;
  }
  if (command.command === 'help') {
    process.stdout.write(command.topic === 'produce' ? PRODUCE_HELP : command.topic === 'run' ? RUN_HELP : MAIN_HELP);
    return 0;
  }
  try {
    if (command.command === 'produce') {
      return await runProduce(command, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    }
    return await runDemo(command, {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
      tty: process.stderr.isTTY === true,
      columns: process.stderr.columns || 160,
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DemoEnvironmentError || error instanceof DemoKeyError) {
      process.stderr.write(`demo: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
