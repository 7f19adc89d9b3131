import { measureInterleaved, median, mergeResults, pairedRatio, parseArgs, selectBenchmarks, type Benchmark, type MachineInfo } from './harness';

const machine: MachineInfo = { cpuModel: 'cpu', cores: 2, memoryGiB: 4, node: 'v20', os: 'Linux' };
const bench = (name: string, ratios: string[]): Benchmark => ({ name, description: name, ratios, run: () => ({ ratios: {}, figures: {} }) });
const all = [bench('chain-hash', ['chain_hash_vs_createhash']), bench('merkle-root', ['merkle_root_vs_createhash']), bench('kafka-e2e', ['e2e_vs_raw_produce'])];

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('pairedRatio', () => {
  describe('when rounds drift', () => {
    it('compares each round with its own baseline', () => {
      expect(pairedRatio({ opsPerSecond: [10, 20, 40], iterations: 1 }, { opsPerSecond: [5, 10, 20], iterations: 1 })).toBe(2);
    });
  });
});

describe('measureInterleaved', () => {
  describe('when measuring two variants', () => {
    it('returns one sample per round for each', () => {
      let calls = 0;
      const m = measureInterleaved(
        [
          { name: 'a', run: (n) => (calls += n) },
          { name: 'b', fixedIterations: 3, run: (n) => (calls += n) },
        ],
        { rounds: 4, targetSeconds: 0.001 },
      );
      expect(m.get('a')!.opsPerSecond).toHaveLength(4);
      expect(m.get('b')).toMatchObject({ iterations: 3 });
      expect(m.get('b')!.opsPerSecond.every((v) => v > 0)).toBe(true);
    });
  });
});

describe('mergeResults', () => {
  describe('when a previous file holds other benchmarks', () => {
    it('keeps them and overwrites what this run measured', () => {
      const previous = { machine: { cpuModel: 'old' }, ratios: { e2e_vs_raw_produce: 0.9, chain_hash_vs_createhash: 1 }, figures: { x: 1, bad: 'no' } };
      expect(mergeResults(previous, machine, { ratios: { chain_hash_vs_createhash: 1.3 }, figures: { y: 2 } })).toEqual({
        machine,
        ratios: { chain_hash_vs_createhash: 1.3, e2e_vs_raw_produce: 0.9 },
        figures: { x: 1, y: 2 },
      });
    });
  });

  describe('when the previous file is missing or garbage', () => {
    it('starts afresh', () => {
      for (const previous of [{}, null, 'x', [], { ratios: [1] }]) {
        expect(mergeResults(previous, machine, { ratios: { r: 1 }, figures: {} })).toEqual({ machine, ratios: { r: 1 }, figures: {} });
      }
    });
  });
});

describe('parseArgs', () => {
  describe('when given --only and --rounds', () => {
    it('collects names from repeated and comma-separated flags', () => {
      expect(parseArgs(['--only', 'a,b', '--only=c', '--rounds', '3'])).toEqual({ only: ['a', 'b', 'c'], rounds: 3, help: false });
      expect(parseArgs([])).toEqual({ only: [], rounds: 7, help: false });
    });
  });

  describe('when an argument is wrong', () => {
    it.each([[['--only']], [['--rounds', '0']], [['--rounds', 'x']], [['--fast']]])('throws a RangeError for %j', (argv) => {
      expect(() => parseArgs(argv)).toThrow(RangeError);
    });
  });
});

describe('selectBenchmarks', () => {
  describe('when --only names a benchmark or a ratio', () => {
    it('selects the matching benchmarks', () => {
      expect(selectBenchmarks(all, []).map((b) => b.name)).toEqual(['chain-hash', 'merkle-root', 'kafka-e2e']);
      expect(selectBenchmarks(all, ['merkle-root']).map((b) => b.name)).toEqual(['merkle-root']);
      expect(selectBenchmarks(all, ['chain_hash_vs_createhash', 'kafka-e2e']).map((b) => b.name)).toEqual(['chain-hash', 'kafka-e2e']);
    });
  });

  describe('when a name is unknown', () => {
    it('throws a RangeError listing what exists', () => {
      expect(() => selectBenchmarks(all, ['nope'])).toThrow(/unknown benchmark nope; known: chain-hash/);
    });
  });
});
