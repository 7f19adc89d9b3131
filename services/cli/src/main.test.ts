import { ArchiveError } from '@auditseal/archive';
import type { Command } from './commands/command';
import { CliError } from './errors';
import type { CliIo } from './io';
import { runCli } from './main';

function io() {
  const out = { stdout: '', stderr: '' };
  const cliIo: CliIo = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), stderrIsTTY: false, env: {}, now: () => new Date() };
  return { out, cliIo };
}

const failing = (error: unknown): Command => ({ name: 'boom', summary: '', help: 'Usage: auditseal boom\n', run: async () => Promise.reject(error) });

describe('runCli', () => {
  describe('when a command throws a CliError', () => {
    it('prints the message and hint and exits with its code', async () => {
      const { out, cliIo } = io();
      expect(await runCli(['boom'], cliIo, [failing(new CliError('verification_failed', 'segment x failed', 'run verify-archive'))])).toBe(1);
      expect(out.stderr).toBe('auditseal boom: segment x failed\nhint: run verify-archive\n');
    });
  });
  describe('when S3 fails during a run (ArchiveError storage_error)', () => {
    it('is an environment error: exit 2 with the infrastructure hint, never a finding', async () => {
      const { out, cliIo } = io();
      const code = await runCli(['boom', '--json'], cliIo, [failing(new ArchiveError('storage_error', 'S3 GetObject k failed: TimeoutError', { retriable: true }))]);
      expect(code).toBe(2);
      expect(JSON.parse(out.stdout)).toMatchObject({ error: { code: 'environment', message: expect.stringContaining('GetObject'), hint: expect.stringContaining('infra:up') }, exitCode: 2 });
    });
  });
  describe('when a command has a bug', () => {
    it('exits 2 with "unexpected error"', async () => {
      const { out, cliIo } = io();
      expect(await runCli(['boom'], cliIo, [failing(new TypeError('x is undefined'))])).toBe(2);
      expect(out.stderr).toContain('unexpected error: x is undefined');
    });
  });
});
