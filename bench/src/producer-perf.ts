import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchSkipped } from './harness';
import { ROOT } from './pipeline';

/*
 * Kafka's own producer benchmark, `kafka-producer-perf-test`: the class
 * org.apache.kafka.tools.ProducerPerformance of the kafka-tools jar, which
 * infra/local/infra.sh installs with the broker's jars (infra/local/kafka/pom.xml)
 * under $AUDITSEAL_LOCAL_DIR/kafka/libs. It times its own sends (JVM start-up
 * is not counted) and prints a summary line at the end, then, with
 * --warmup-records, the same for the records after the warm-up:
 *
 *   100000 records sent, 95602.294455 records/sec (31.91 MB/sec), 111.81 ms avg latency,
 *   234.00 ms max latency, 100 ms 50th, 219 ms 95th, 227 ms 99th, 234 ms 99.9th.
 *   80000 steady state records sent, 120663.650075 records/sec (40.28 MB/sec), …
 */

export interface ProducerPerfSummary {
  /** From the "steady state" line (after `--warmup-records`), else the overall one. */
  steadyState: boolean;
  records: number;
  recordsPerSecond: number;
  mibPerSecond: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export class ProducerPerfOutputError extends Error {
  override readonly name = 'ProducerPerfOutputError';
  readonly code = 'producer_perf_output';
}

const NUMBER = String.raw`(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)`;
const SUMMARY = new RegExp(
  String.raw`^\s*(\d+) (steady state )?records sent, ${NUMBER} records/sec \(${NUMBER} MB/sec\), ${NUMBER} ms avg latency, ${NUMBER} ms max latency, ` +
    String.raw`(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.?\s*$`,
);

/**
 * The summary of ProducerPerformance's output: the "steady state" line that
 * `--warmup-records` adds after the overall one, else the last overall line
 * (the periodic progress lines have no percentiles). Throws
 * ProducerPerfOutputError when there is none or a number in it is not finite.
 */
export function parseProducerPerfOutput(output: string): ProducerPerfSummary {
  const lines = output.split(/\r?\n/);
  const matches = lines.map((line) => SUMMARY.exec(line)).filter((m): m is RegExpExecArray => m !== null);
  const m = matches.find((x) => x[2] !== undefined) ?? matches.at(-1);
  if (m) {
    const steadyState = m[2] !== undefined;
    const n = [m[1], ...m.slice(3)].map(Number);
    if (!n.every(Number.isFinite)) throw new ProducerPerfOutputError(`ProducerPerformance summary has a number out of range: ${m[0]}`);
    const [records, recordsPerSecond, mibPerSecond, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms] = n as [number, number, number, number, number, number, number, number, number];
    return { steadyState, records, recordsPerSecond, mibPerSecond, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms, p999Ms };
  }
  const tail = lines.filter(Boolean).slice(-3).join(' | ');
  throw new ProducerPerfOutputError(`no ProducerPerformance summary line in its output${tail ? `: ${tail}` : ' (it printed nothing)'}`);
}

/** The folder of the Kafka jars infra.sh installed, or BenchSkipped when it lacks kafka-tools. */
export function kafkaLibsDir(): string {
  const dir = join(process.env.AUDITSEAL_LOCAL_DIR ?? join(ROOT, '.local'), 'kafka', 'libs');
  const hasTools = existsSync(dir) && readdirSync(dir).some((f) => /^kafka-tools-\d.*\.jar$/.test(f));
  if (!hasTools) throw new BenchSkipped(`no kafka-tools jar in ${dir} (run npm run infra:up or bash infra/local/infra.sh install)`);
  return dir;
}

export interface ProducerPerfOptions {
  libsDir: string;
  brokers: string;
  topic: string;
  /** Records measured, after `warmupRecords` more sent first and left out of the figures. */
  records: number;
  warmupRecords: number;
  recordBytes: number;
}

/**
 * Runs ProducerPerformance: `records` records of `recordBytes` bytes, no
 * throttle, acks=all, idempotent (as the SDK and the raw kafkajs baseline),
 * the producer's other settings at Kafka's defaults (batch.size 16 KiB,
 * linger.ms 5). Records have no key (the client's sticky partitioner).
 */
export function runProducerPerformance(options: ProducerPerfOptions): Promise<ProducerPerfSummary> {
  const args = [
    '-Xmx256m',
    '-cp',
    join(options.libsDir, '*'),
    'org.apache.kafka.tools.ProducerPerformance',
    '--bootstrap-server',
    options.brokers,
    '--topic',
    options.topic,
    '--num-records',
    String(options.records + options.warmupRecords),
    ...(options.warmupRecords > 0 ? ['--warmup-records', String(options.warmupRecords)] : []),
    '--record-size',
    String(options.recordBytes),
    '--throughput',
    '-1',
    '--command-property',
    'acks=all',
    'enable.idempotence=true',
  ];
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', (error) => reject(new BenchSkipped(`cannot run java for ProducerPerformance: ${error.message}`)));
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`ProducerPerformance exited with ${code}: ${output.split('\n').filter(Boolean).slice(-5).join(' | ')}`));
        return;
      }
      try {
        resolve(parseProducerPerfOutput(output));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
