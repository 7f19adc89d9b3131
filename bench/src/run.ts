import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { benchmarks } from './benchmarks';
import { BenchSkipped, machineInfo, mergeResults, parseArgs, selectBenchmarks, USAGE, type BenchResult } from './harness';
import { infraVersions } from './infra-versions';
import { renderBenchmarksReport, type BenchmarkOutcome } from './report';

const RESULTS_DIR = join(__dirname, '..', 'results');
const RESULTS_FILE = join(RESULTS_DIR, 'latest.json');
const REPORT_FILE = join(__dirname, '..', '..', 'docs', 'BENCHMARKS.md');

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readPrevious(): unknown {
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));
  } catch {
    return {}; // first run, or an unreadable file: start afresh
  }
}

/** `npm run bench [-- --only name] [--rounds N]`. Returns the exit code: 0 ok, 1 a benchmark failed, 2 usage. */
export async function main(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  let selected;
  let rounds;
  let full;
  try {
    const options = parseArgs(argv);
    if (options.help) {
      log(USAGE);
      return 0;
    }
    selected = selectBenchmarks(benchmarks, options.only);
    rounds = options.rounds;
    full = options.only.length === 0;
  } catch (error) {
    log(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }

  const startedAt = new Date();
  const machine = { ...machineInfo(), ...infraVersions() };
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; Kafka ${machine.kafka ?? '?'}, versitygw ${machine.versitygw ?? '?'}, Java ${machine.java ?? '?'}`);
  const total: BenchResult = { ratios: {}, figures: {} };
  const outcomes: BenchmarkOutcome[] = [];
  let failed = false;
  for (const bench of selected) {
    log(`\n${bench.name}: ${bench.description}`);
    const began = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - began) / 1e9;
    try {
      const result = await bench.run({ rounds, log });
      Object.assign(total.ratios, result.ratios);
      Object.assign(total.figures, result.figures);
      outcomes.push({ name: bench.name, description: bench.description, status: 'ok', seconds: seconds(), ratios: result.ratios, figures: result.figures });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof BenchSkipped) {
        log(`  skipped: ${message}`);
        outcomes.push({ name: bench.name, description: bench.description, status: 'skipped', message, seconds: seconds(), ratios: {}, figures: {} });
        continue;
      }
      failed = true;
      log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      outcomes.push({ name: bench.name, description: bench.description, status: 'failed', message, seconds: seconds(), ratios: {}, figures: {} });
    }
  }
  const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;

  const merged = mergeResults(readPrevious(), machine, total);
  writeAtomically(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);

  log('\nratios (ours / baseline, higher is better):');
  for (const [name, value] of Object.entries(total.ratios)) log(`  ${name.padEnd(36)} ${value.toFixed(3)}`);
  log('figures:');
  for (const [name, value] of Object.entries(total.figures)) log(`  ${name.padEnd(36)} ${value.toLocaleString('en-US')}`);
  log(`\nwrote ${RESULTS_FILE}`);
  if (full) {
    writeAtomically(REPORT_FILE, renderBenchmarksReport({ startedAt: startedAt.toISOString(), durationSeconds, rounds, machine, outcomes }));
    log(`wrote ${REPORT_FILE} (full run, ${Math.round(durationSeconds)} s)`);
  } else {
    log(`not writing ${REPORT_FILE}: a run with --only (a full npm run bench writes it, so all its figures come from one run)`);
  }
  return failed ? 1 : 0;
}
