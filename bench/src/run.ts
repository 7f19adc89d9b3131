import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchmarks } from './benchmarks';
import { BenchSkipped, machineInfo, mergeResults, parseArgs, selectBenchmarks, USAGE, type BenchResult } from './harness';

const RESULTS_DIR = join(__dirname, '..', 'results');
const RESULTS_FILE = join(RESULTS_DIR, 'latest.json');

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
  try {
    const options = parseArgs(argv);
    if (options.help) {
      log(USAGE);
      return 0;
    }
    selected = selectBenchmarks(benchmarks, options.only);
    rounds = options.rounds;
  } catch (error) {
    log(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }

  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}`);
  const total: BenchResult = { ratios: {}, figures: {} };
  let failed = false;
  for (const bench of selected) {
    log(`\n${bench.name}: ${bench.description}`);
    try {
      const result = await bench.run({ rounds, log });
      Object.assign(total.ratios, result.ratios);
      Object.assign(total.figures, result.figures);
    } catch (error) {
      if (error instanceof BenchSkipped) {
        log(`  skipped: ${error.message}`);
        continue;
      }
      failed = true;
      log(`  FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  const merged = mergeResults(readPrevious(), machine, total);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = `${RESULTS_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
  renameSync(tmp, RESULTS_FILE);

  log('\nratios (ours / baseline, higher is better):');
  for (const [name, value] of Object.entries(total.ratios)) log(`  ${name.padEnd(36)} ${value.toFixed(3)}`);
  log('figures:');
  for (const [name, value] of Object.entries(total.figures)) log(`  ${name.padEnd(36)} ${value.toLocaleString('en-US')}`);
  log(`\nwrote ${RESULTS_FILE}`);
  return failed ? 1 : 0;
}
