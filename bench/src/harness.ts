import * as os from 'node:os';

/*
 * The benchmark harness (CONVENTIONS.md habit 8): every figure is measured
 * against a baseline in the same run, interleaved round by round so that
 * CPU frequency changes, noisy neighbours and GC hit both sides alike, and
 * reported as the median over rounds.
 */

/** What one benchmark contributes to bench/results/latest.json. */
export interface BenchResult {
  /** Throughput ratios, "ours / baseline" (higher is better), named as in DESIGN.md's contract where one applies. */
  ratios: Record<string, number>;
  /** Raw figures with their unit in the name (`_ops_per_s`, `_seconds`, …). */
  figures: Record<string, number>;
}

export interface BenchContext {
  /** Interleaved rounds per comparison (`--rounds`). */
  readonly rounds: number;
  /** Prints one line of progress or results. */
  log(line: string): void;
}

/**
 * A benchmark. Register it in `benchmarks/index.ts`; `--only` selects by
 * `name` or by any name in `ratios`. Benchmarks that need Kafka or S3 read
 * their endpoints from the environment and throw a `BenchSkipped` when
 * they are absent, so the others still run.
 */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  /** Ratio names this benchmark reports. */
  readonly ratios: readonly string[];
  run(ctx: BenchContext): Promise<BenchResult> | BenchResult;
}

/** Thrown by a benchmark whose prerequisites (e.g. a Kafka cluster) are missing. */
export class BenchSkipped extends Error {
  override readonly name = 'BenchSkipped';
}

/** One side of a comparison. `run(n)` performs n operations and returns something (kept, so nothing is optimised away). */
export interface Variant {
  readonly name: string;
  run(iterations: number): unknown;
  /** Run exactly this many operations per round instead of calibrating (for operations that take ~1 s). */
  readonly fixedIterations?: number;
}

export interface Measurement {
  /** Operations per second, one value per round. */
  readonly opsPerSecond: readonly number[];
  readonly iterations: number;
}

let sink: unknown;
/** Keeps the last result of every measured call reachable. */
export function blackhole(): unknown {
  return sink;
}

function timeRun(variant: Variant, iterations: number): number {
  const start = process.hrtime.bigint();
  sink = variant.run(iterations);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Picks an iteration count that takes about `targetSeconds` (after a warm-up that lets V8 optimise). */
function calibrate(variant: Variant, targetSeconds: number): number {
  if (variant.fixedIterations !== undefined) {
    timeRun(variant, variant.fixedIterations);
    return variant.fixedIterations;
  }
  let n = 100;
  for (;;) {
    const seconds = timeRun(variant, n);
    if (seconds >= targetSeconds / 4 || n >= 1e9) return Math.max(1, Math.round((n * targetSeconds) / Math.max(seconds, 1e-6)));
    n *= 4;
  }
}

/**
 * Measures the variants in interleaved rounds: round r runs every variant
 * once, starting with a different one each round.
 */
export function measureInterleaved(variants: readonly Variant[], options: { rounds: number; targetSeconds?: number }): Map<string, Measurement> {
  const target = options.targetSeconds ?? 0.2;
  const iterations = variants.map((v) => calibrate(v, target));
  const samples = variants.map((): number[] => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (round + k) % variants.length;
      samples[i]!.push(iterations[i]! / timeRun(variants[i]!, iterations[i]!));
    }
  }
  return new Map(variants.map((v, i) => [v.name, { opsPerSecond: samples[i]!, iterations: iterations[i]! }]));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median over rounds of (ours / baseline) measured in the same round: robust to drift between rounds. */
export function pairedRatio(ours: Measurement, baseline: Measurement): number {
  return median(ours.opsPerSecond.map((v, i) => v / baseline.opsPerSecond[i]!));
}

/** Rounds to `decimals` places, for printing and for the JSON file. */
export function round(value: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The contract of bench/results/latest.json (DESIGN.md "The contract"). */
export interface ResultsFile {
  machine: MachineInfo;
  ratios: Record<string, number>;
  figures: Record<string, number>;
}

/**
 * Merges a run into the previous results: what this run measured replaces
 * the old value, everything else (other benchmarks, e.g. Kafka-backed ones
 * skipped this time) is kept. `machine` describes the latest run.
 */
export function mergeResults(previous: unknown, machine: MachineInfo, run: BenchResult): ResultsFile {
  const numbers = (value: unknown): Record<string, number> => {
    const out: Record<string, number> = {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    }
    return out;
  };
  const prev = typeof previous === 'object' && previous !== null ? (previous as Record<string, unknown>) : {};
  const sortKeys = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  return {
    machine,
    ratios: sortKeys({ ...numbers(prev.ratios), ...run.ratios }),
    figures: sortKeys({ ...numbers(prev.figures), ...run.figures }),
  };
}

export interface CliOptions {
  only: string[];
  rounds: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench [-- --only <name>[,<name>…]] [--rounds N]
  --only    run only the benchmarks with these names (or that report these ratios);
            their results merge into bench/results/latest.json, docs/BENCHMARKS.md is left as it is
  --rounds  interleaved rounds per comparison (default 7)
A full run (no --only) writes bench/results/latest.json and docs/BENCHMARKS.md.`;

/** Parses `--only a,b --only c --rounds 5`. Throws a RangeError with a usage-worthy message. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { only: [], rounds: 7, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new RangeError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--only') options.only.push(...value().split(',').filter(Boolean));
    else if (flag === '--rounds') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new RangeError('--rounds must be an integer 1-1000');
      options.rounds = n;
    } else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new RangeError(`unknown argument ${arg}`);
  }
  return options;
}

/** The benchmarks `--only` selects; throws a RangeError naming what is unknown. */
export function selectBenchmarks(all: readonly Benchmark[], only: readonly string[]): Benchmark[] {
  if (only.length === 0) return [...all];
  const unknown = only.filter((name) => !all.some((b) => b.name === name || b.ratios.includes(name)));
  if (unknown.length > 0) {
    throw new RangeError(`unknown benchmark ${unknown.join(', ')}; known: ${all.map((b) => `${b.name} (${b.ratios.join(', ')})`).join('; ')}`);
  }
  return all.filter((b) => only.includes(b.name) || b.ratios.some((r) => only.includes(r)));
}

export function formatRate(opsPerSecond: number): string {
  return `${Math.round(opsPerSecond).toLocaleString('en-US')}/s`;
}
