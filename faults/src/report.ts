/**
 * The table of `npm run test:faults`, pure: each scenario writes one
 * ScenarioResult (results.ts), the runner renders them on the console and
 * into the generated section of docs/RELIABILITY.md.
 */

export interface ScenarioResult {
  /** Order in the table (1–5). */
  index: number;
  scenario: string;
  /** What was injected, e.g. "SIGKILL broker 2 for 20 s". */
  faults: string;
  /** Records a producer got an acknowledgement for. */
  produced: number;
  /** Entries on audit.sealed (null: the scenario has no chainer). */
  sealed: number | null;
  /** Entries in archived segments (null: no archiver). */
  archived: number | null;
  lost: number;
  duplicated: number;
  /** Findings the verifier raised during the run and what it said after recovery. */
  findings: string;
  durationSeconds: number;
  passed: boolean;
  /** The checks that failed (empty when passed), shown in the result column. */
  failedChecks: string[];
  /** Extra observations (error counts, metrics seen during the fault). */
  notes: string[];
}

export interface RunInfo {
  date: string;
  machine: string;
  totalSeconds: number;
  seed: number;
  command: string;
}

export const BEGIN_MARKER = '<!-- faults:generated:begin (npm run test:faults rewrites this section) -->';
export const END_MARKER = '<!-- faults:generated:end -->';

/** Every named check must hold; the failed ones are listed in the table. */
export function judge(checks: Record<string, boolean>): { passed: boolean; failedChecks: string[] } {
  const failedChecks = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  return { passed: failedChecks.length === 0, failedChecks };
}

const verdict = (r: ScenarioResult, bold: boolean) => (r.passed ? 'pass' : `${bold ? '**FAIL**' : 'FAIL'}${r.failedChecks?.length ? `: ${r.failedChecks.join('; ')}` : ''}`);

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString('en-US'));
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdownTable(results: readonly ScenarioResult[]): string {
  const rows = [...results].sort((a, b) => a.index - b.index);
  const lines = [
    '| # | scenario | faults injected | produced | sealed | archived | lost | duplicated | findings | duration | result |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
    ...rows.map((r) =>
      `| ${r.index} | ${cell(r.scenario)} | ${cell(r.faults)} | ${count(r.produced)} | ${count(r.sealed)} | ${count(r.archived)} | ${r.lost} | ${r.duplicated} | ${cell(r.findings)} | ${r.durationSeconds.toFixed(0)} s | ${cell(verdict(r, true))} |`,
    ),
  ];
  return lines.join('\n');
}

/** The generated section: run facts, the table and each scenario's notes. */
export function renderGeneratedSection(results: readonly ScenarioResult[], run: RunInfo): string {
  const notes = [...results]
    .sort((a, b) => a.index - b.index)
    .filter((r) => r.notes.length > 0)
    .map((r) => `- **${r.index}. ${r.scenario}**: ${r.notes.join('; ')}`);
  return [
    BEGIN_MARKER,
    `Last run: ${run.date} on ${run.machine}; total ${formatDuration(run.totalSeconds)} (\`${run.command}\`, infrastructure start and stop included), random seed ${run.seed}.`,
    '',
    renderMarkdownTable(results),
    '',
    ...(notes.length > 0 ? ['Observed during the faults:', '', ...notes, ''] : []),
    END_MARKER,
  ].join('\n');
}

/** Replaces the generated section of `doc` (between the markers), or appends it when the markers are missing. */
export function replaceGeneratedSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin === -1 || end === -1 || end < begin) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, begin) + section + doc.slice(end + END_MARKER.length);
}

export function renderConsoleTable(results: readonly ScenarioResult[]): string {
  const header = ['#', 'scenario', 'faults injected', 'produced', 'sealed', 'archived', 'lost', 'dup', 'findings', 'time', 'result'];
  const rows = [...results]
    .sort((a, b) => a.index - b.index)
    .map((r) => [String(r.index), r.scenario, r.faults, count(r.produced), count(r.sealed), count(r.archived), String(r.lost), String(r.duplicated), r.findings, `${r.durationSeconds.toFixed(0)} s`, verdict(r, false)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) => row.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}
