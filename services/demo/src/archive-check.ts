import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/*
 * The verification summary's archive check: the compliance CLI's own
 * `auditseal verify-archive --json` (services/cli) run as a child process on
 * this run's archive prefix, with the demo keyring — the same command the
 * demo prints for the user to run again.
 */

export interface ArchiveCheck {
  ok: boolean;
  /** One line for the summary. */
  summary: string;
}

interface CliReport {
  verdict?: unknown;
  exitCode?: unknown;
  report?: { counts?: { entries?: unknown; findings?: unknown; segments?: { valid?: unknown; invalid?: unknown; missing?: unknown }; byKind?: Record<string, unknown> } };
  error?: { message?: unknown };
}

/** Reads the CLI's JSON output (untrusted text from a child process: parsed defensively). Pure. */
export function summarizeCliReport(stdout: string, exitCode: number | null): ArchiveCheck {
  let doc: CliReport;
  try {
    doc = JSON.parse(stdout) as CliReport;
  } catch {
    return { ok: false, summary: `verify-archive exited ${exitCode ?? 'on a signal'} without a JSON report` };
  }
  if (doc.error) return { ok: false, summary: `verify-archive failed: ${String(doc.error.message)}` };
  const counts = doc.report?.counts;
  const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '?');
  const kinds = Object.entries(counts?.byKind ?? {})
    .map(([k, v]) => `${k} ×${String(v)}`)
    .join(', ');
  const ok = exitCode === 0 && doc.verdict === 'verified';
  return {
    ok,
    summary:
      `${ok ? 'VERIFIED' : 'FAILED'}: ${n(counts?.entries)} entries, segments ${n(counts?.segments?.valid)} valid / ${n(counts?.segments?.invalid)} invalid / ${n(counts?.segments?.missing)} missing, ` +
      `${n(counts?.findings)} problems${kinds ? ` (${kinds})` : ''}`,
  };
}

export function verifyArchiveArgs(options: { bucket: string; prefix: string; keyringPath: string; retentionDays: number }): string[] {
  return ['verify-archive', '--bucket', options.bucket, '--prefix', options.prefix, '--keyring', options.keyringPath, '--retention-days', String(options.retentionDays)];
}

export async function runArchiveCheck(options: { cliScript: string; args: string[]; env: Record<string, string>; timeoutMs: number }): Promise<ArchiveCheck> {
  if (!existsSync(options.cliScript)) return { ok: false, summary: `${options.cliScript} is missing: build first (npx turbo run build)` };
  const child = spawn(process.execPath, [options.cliScript, ...options.args, '--json'], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.on('error', () => resolve(null));
  });
  clearTimeout(timer);
  return summarizeCliReport(stdout, code);
}
