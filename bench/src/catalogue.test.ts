import { benchmarks } from './benchmarks';
import { figureInfo, judge, RATIOS, ratioInfo } from './catalogue';

const CONTRACT_RATIOS = ['chain_hash_vs_createhash', 'sdk_vs_raw_produce', 'chainer_eos_vs_alo', 'archiver_vs_chainer', 'verifier_vs_ingest', 'rehash_vs_createhash', 'e2e_vs_raw_produce'];

describe('the catalogue', () => {
  it('describes every ratio a registered benchmark reports', () => {
    const missing = benchmarks.flatMap((b) => b.ratios).filter((name) => !ratioInfo(name));
    expect(missing).toEqual([]);
  });

  it('gives every ratio of the contract (DESIGN.md) a target', () => {
    expect(CONTRACT_RATIOS.filter((name) => !ratioInfo(name)?.target)).toEqual([]);
  });

  it('describes the e2e figures: throughput, latencies and the memory of each service', () => {
    for (const name of ['e2e_events_per_s', 'e2e_produce_to_sealed_p50_ms', 'e2e_sealed_to_archived_p99_ms', 'chainer_peak_rss_mib', 'archiver_peak_rss_mib', 'verifier_peak_rss_mib', 'producer_perf_events_per_s']) {
      expect(figureInfo(name)?.measures).toBeTruthy();
    }
  });

  it("names, as a ratio's rates, figures it also describes", () => {
    const unknown = Object.values(RATIOS).flatMap((info) => info.rates ?? []).filter((name) => !figureInfo(name));
    expect(unknown).toEqual([]);
  });

  it('does not treat inherited object keys as names', () => {
    expect(ratioInfo('toString')).toBeUndefined();
    expect(figureInfo('__proto__')).toBeUndefined();
  });
});

describe('judge', () => {
  it('compares against minimum and maximum targets', () => {
    expect(judge(0.25, { kind: 'min', value: 0.25, source: '' })).toBe('pass');
    expect(judge(0.24, { kind: 'min', value: 0.25, source: '' })).toBe('fail');
    expect(judge(1001, { kind: 'max', value: 1000, source: '' })).toBe('fail');
    expect(judge(NaN, { kind: 'max', value: 1000, source: '' })).toBe('none');
    expect(judge(3, undefined)).toBe('none');
  });
});
