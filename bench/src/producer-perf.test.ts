import { randomBytes } from 'node:crypto';
import { parseProducerPerfOutput, ProducerPerfOutputError } from './producer-perf';

// Real output of org.apache.kafka.tools.ProducerPerformance 4.4.0 (progress line, overall and steady-state summaries).
const PROGRESS = '249031 records sent, 49806.2 records/sec (16.62 MB/sec), 1163.2 ms avg latency, 1632.0 ms max latency.';
const OVERALL = '100000 records sent, 95602.294455 records/sec (31.91 MB/sec), 111.81 ms avg latency, 234.00 ms max latency, 100 ms 50th, 219 ms 95th, 227 ms 99th, 234 ms 99.9th.';
const STEADY = '80000 steady state records sent, 120663.650075 records/sec (40.28 MB/sec), 124.35 ms avg latency, 234.00 ms max latency, 104 ms 50th, 221 ms 95th, 228 ms 99th, 234 ms 99.9th.';

describe('parseProducerPerfOutput', () => {
  describe('when the run had no warm-up', () => {
    it('reads the overall summary and skips progress lines', () => {
      expect(parseProducerPerfOutput(`${PROGRESS}\n${OVERALL}\n`)).toEqual({
        steadyState: false,
        records: 100000,
        recordsPerSecond: 95602.294455,
        mibPerSecond: 31.91,
        avgLatencyMs: 111.81,
        maxLatencyMs: 234,
        p50Ms: 100,
        p95Ms: 219,
        p99Ms: 227,
        p999Ms: 234,
      });
    });
  });

  describe('when --warmup-records added a steady-state line', () => {
    it('reads the steady-state summary, not the overall one', () => {
      const summary = parseProducerPerfOutput(`Warmup first 20000 records. Steady state results will print after the complete test summary.\n${OVERALL}\r\n${STEADY}\n`);
      expect(summary).toMatchObject({ steadyState: true, records: 80000, recordsPerSecond: 120663.650075, p50Ms: 104, p99Ms: 228 });
    });
  });

  describe('when there is no summary', () => {
    it('throws a ProducerPerfOutputError quoting the end of the output', () => {
      expect(() => parseProducerPerfOutput(`${PROGRESS}\nERROR Topic not found\n`)).toThrow(/no ProducerPerformance summary line.*Topic not found/);
      expect(() => parseProducerPerfOutput('')).toThrow(ProducerPerfOutputError);
    });
  });

  describe('when a number overflows', () => {
    it('throws a ProducerPerfOutputError', () => {
      expect(() => parseProducerPerfOutput(OVERALL.replace('95602.294455', '9'.repeat(400)))).toThrow(ProducerPerfOutputError);
    });
  });

  describe('when the output is random or truncated', () => {
    it('returns a summary or throws a ProducerPerfOutputError, nothing else', () => {
      const inputs = [...Array.from({ length: OVERALL.length }, (_, i) => OVERALL.slice(0, i)), ...Array.from({ length: 200 }, () => randomBytes(120).toString('latin1'))];
      for (const input of inputs) {
        try {
          parseProducerPerfOutput(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ProducerPerfOutputError);
        }
      }
      // The full line minus its final "." still parses.
      expect(parseProducerPerfOutput(OVERALL.slice(0, -1)).p999Ms).toBe(234);
    });
  });
});
