#!/usr/bin/env node
import { exportCommand } from './commands/export';
import type { Command } from './commands/command';
import { proveCommand, verifyProofCommand } from './commands/prove';
import { statusCommand } from './commands/status';
import { topicsCommand } from './commands/topics';
import { verifyArchiveCommand } from './commands/verify-archive';
import { CliError, EXIT_ERROR, EXIT_OK, INFRA_HINT, errorText } from './errors';
import { processIo, type CliIo } from './io';

/** `auditseal <command>`: the compliance CLI (DESIGN.md "The contract"). */

export const COMMANDS: readonly Command[] = [verifyArchiveCommand, exportCommand, proveCommand, verifyProofCommand, statusCommand, topicsCommand];

export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: auditseal <command> [options]        (npm run -s auditseal -- <command> …)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --help and --json.
Configuration: flags, with environment fallbacks S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID,
S3_SECRET_ACCESS_KEY, S3_BUCKET, ARCHIVE_PREFIX, KAFKA_BROKERS, AUDITSEAL_TOPIC_PREFIX
(\`eval "$(npm run -s infra:env)"\` sets them for the local infrastructure).
Exit codes: 0 verified, 1 tampering or loss found, 2 usage or environment error.
`;
}

export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(programHelp());
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`auditseal: unknown command ${JSON.stringify(name)}\n\n${programHelp()}`);
    return EXIT_ERROR;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return EXIT_OK;
  }
  const json = rest.includes('--json');
  try {
    return await command.run(rest, io);
  } catch (error) {
    // S3 failing mid-run (network, throttling, permissions) is an environment problem, not evidence of tampering.
    const storage = (error as { code?: unknown })?.code === 'storage_error';
    const cli = error instanceof CliError ? error : storage ? new CliError('environment', (error as Error).message, INFRA_HINT, { cause: error }) : undefined;
    const exitCode = cli?.exitCode ?? EXIT_ERROR;
    const message = cli ? cli.message : `unexpected error: ${errorText(error)}`;
    if (json) io.stdout(`${JSON.stringify({ error: { code: cli?.code ?? 'internal', message, ...(cli?.hint ? { hint: cli.hint } : {}) }, exitCode })}\n`);
    io.stderr(`auditseal ${name}: ${message}\n${cli?.hint ? `hint: ${cli.hint}\n` : ''}`);
    if (!cli && error instanceof Error && error.stack && io.env.AUDITSEAL_DEBUG) io.stderr(`${error.stack}\n`);
    return exitCode;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`auditseal: ${errorText(error)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
