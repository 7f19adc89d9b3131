import { figureInfo, formatTarget, HEADLINE_RATIO, judge, ratioInfo, type Target } from './catalogue';
import type { MachineInfo } from './harness';
import type { InfraVersions } from './infra-versions';

/*
 * docs/BENCHMARKS.md from one run of `npm run bench` — pure: a results
 * object in, markdown out. Only a full run writes the file (run.ts), so
 * every number in it comes from the same run on the same machine; runs with
 * `--only` update bench/results/latest.json alone.
 */

export interface BenchmarkOutcome {
  name: string;
  description: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped, or how it failed. */
  message?: string;
  seconds: number;
  ratios: Record<string, number>;
  figures: Record<string, number>;
}

export interface ReportInput {
  /** ISO time the run started. */
  startedAt: string;
  durationSeconds: number;
  rounds: number;
  machine: MachineInfo & InfraVersions;
  outcomes: readonly BenchmarkOutcome[];
}

/** A table cell: no pipes or line breaks from messages break the table. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function verdict(value: number, target: Target | undefined): string {
  const v = judge(value, target);
  return v === 'pass' ? 'pass' : v === 'fail' ? '**FAIL**' : '—';
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

export function renderBenchmarksReport(input: ReportInput): string {
  const { machine, outcomes } = input;
  const out: string[] = [];
  const measured = outcomes.filter((o) => o.status === 'ok');
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench\` (bench/src/report.ts) from the full run started ${input.startedAt} (${duration(input.durationSeconds)}, ${input.rounds} interleaved rounds per comparison). ` +
      'Every figure and ratio below comes from that one run; each ratio divides a figure by its baseline measured in the same run, interleaved round by round where the benchmark allows it. ' +
      'Do not edit by hand: rerun `npm run bench` (a run with `--only` updates bench/results/latest.json but not this file). How each benchmark works: bench/README.md.',
    '',
  );

  const headline = measured.find((o) => HEADLINE_RATIO in o.ratios);
  if (headline) {
    const value = headline.ratios[HEADLINE_RATIO]!;
    const info = ratioInfo(HEADLINE_RATIO);
    out.push(`**Headline: \`${HEADLINE_RATIO}\` = ${value.toFixed(3)}** (target ${formatTarget(info?.target)}: ${verdict(value, info?.target)}).`, '');
  }

  out.push('## Machine', '', '| | |', '| --- | --- |');
  out.push(`| CPU | ${cell(machine.cpuModel)}, ${machine.cores} cores |`);
  out.push(`| memory | ${machine.memoryGiB} GiB |`);
  out.push(`| OS | ${cell(machine.os)} |`);
  out.push(`| Node | ${cell(machine.node)} |`);
  out.push(`| Java | ${cell(machine.java ?? 'unknown')} |`);
  out.push(`| Kafka | ${cell(machine.kafka ?? 'unknown')} (local KRaft, one broker+controller, infra/local/infra.sh) |`);
  out.push(`| versitygw | ${cell(machine.versitygw ?? 'unknown')} (local S3 gateway, posix backend) |`);
  out.push('');
  out.push('Kafka, the S3 gateway, the services and the benchmark client share these cores.', '');

  out.push('## Ratios', '', 'Ours ÷ baseline; higher is better.', '');
  out.push('Rates: the medians over rounds of ours and of the baseline (a ratio is the median of the per-round ratios, so it can differ a little from their quotient).', '');
  out.push('| ratio | value | target | result | rates | ours | baseline | benchmark |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  const ratioRows = measured.flatMap((o) => Object.entries(o.ratios).map(([name, value]) => ({ bench: o.name, figures: o.figures, name, value })));
  ratioRows.sort((a, b) => Number(b.name === HEADLINE_RATIO) - Number(a.name === HEADLINE_RATIO));
  for (const { bench, figures, name, value } of ratioRows) {
    const info = ratioInfo(name);
    const [ours, base] = info?.rates?.map((f) => figures[f]) ?? [];
    const rates = ours !== undefined && base !== undefined ? `${formatNumber(ours)} ÷ ${formatNumber(base)}` : '—';
    out.push(`| \`${name}\` | ${value.toFixed(3)} | ${formatTarget(info?.target)} | ${verdict(value, info?.target)} | ${rates} | ${cell(info?.measures ?? '—')} | ${cell(info?.baseline ?? '—')} | \`${bench}\` |`);
  }
  if (ratioRows.length === 0) out.push('| — | | | | | no ratio was measured | | |');
  out.push('');

  out.push('## Figures', '');
  for (const o of measured) {
    out.push(`### \`${o.name}\` (${duration(o.seconds)})`, '', cell(o.description), '');
    const figures = Object.entries(o.figures);
    if (figures.length === 0) {
      out.push('No figures besides its ratios.', '');
      continue;
    }
    out.push('| figure | value | target | result | what it measures |', '| --- | --- | --- | --- | --- |');
    for (const [name, value] of figures) {
      const info = figureInfo(name);
      out.push(`| \`${name}\` | ${formatNumber(value)} | ${formatTarget(info?.target)} | ${verdict(value, info?.target)} | ${cell(info?.measures ?? '—')} |`);
    }
    out.push('');
  }

  const missing = outcomes.filter((o) => o.status !== 'ok');
  if (missing.length > 0) {
    out.push('## Not measured in this run', '');
    for (const o of missing) out.push(`- \`${o.name}\`: ${o.status}${o.message ? ` — ${truncate(cell(o.message), 400)}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}
