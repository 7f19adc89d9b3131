import { renderBenchmarksReport, type BenchmarkOutcome, type ReportInput } from './report';

const machine = { cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 23.5, node: 'v20.20.2', os: 'Linux 6.18 x64', kafka: '4.4.0', versitygw: 'v1.8.0', java: 'openjdk 17.0.15' };
const ok = (name: string, ratios: Record<string, number>, figures: Record<string, number>): BenchmarkOutcome => ({ name, description: `${name} benchmark`, status: 'ok', seconds: 12.4, ratios, figures });
const input = (outcomes: BenchmarkOutcome[], extra: Partial<ReportInput> = {}): ReportInput => ({ startedAt: '2026-11-27T04:00:00.000Z', durationSeconds: 754, rounds: 7, machine, outcomes, ...extra });

const rows = (markdown: string) => markdown.split('\n').filter((l) => l.startsWith('| `'));
const row = (markdown: string, name: string) => rows(markdown).find((l) => l.startsWith(`| \`${name}\` |`));

describe('renderBenchmarksReport', () => {
  describe('when every benchmark ran', () => {
    const md = renderBenchmarksReport(
      input([
        ok('chain-hash', { chain_hash_vs_createhash: 1.365, chain_hash_vs_createhash_100B: 1.376 }, { chain_link_ops_per_s_500B: 1273671 }),
        ok('e2e', { e2e_vs_raw_produce: 0.12 }, { e2e_events_per_s: 14000, e2e_raw_produce_events_per_s: 116000, e2e_produce_to_sealed_p99_ms: 450, chainer_peak_rss_mib: 184.8 }),
      ]),
    );

    it('says which run produced it and how long it took', () => {
      expect(md).toContain('from the full run started 2026-11-27T04:00:00.000Z (12 min 34 s, 7 interleaved rounds per comparison)');
    });

    it('describes the machine and the versions of Node, Java, Kafka and versitygw', () => {
      for (const text of ['| CPU | AMD EPYC, 2 cores |', '| memory | 23.5 GiB |', '| OS | Linux 6.18 x64 |', '| Node | v20.20.2 |', '| Java | openjdk 17.0.15 |', '| Kafka | 4.4.0 ', '| versitygw | v1.8.0 ']) {
        expect(md).toContain(text);
      }
    });

    it('states the headline ratio against its target', () => {
      expect(md).toContain('**Headline: `e2e_vs_raw_produce` = 0.120** (target ≥ 0.25: **FAIL**)');
    });

    it('lists every ratio with its target, result, rates, what it measures and its baseline, the headline first', () => {
      const ratioRows = rows(md.slice(md.indexOf('## Ratios'), md.indexOf('## Figures')));
      expect(ratioRows.map((l) => l.split(' | ')[0])).toEqual(['| `e2e_vs_raw_produce`', '| `chain_hash_vs_createhash`', '| `chain_hash_vs_createhash_100B`']);
      expect(row(md, 'chain_hash_vs_createhash')).toMatch(/^\| `chain_hash_vs_createhash` \| 1\.365 \| ≥ 0\.8 \| pass \| — \| chain links per second .* \| one `createHash\('sha256'\)` of the same body \| `chain-hash` \|$/);
      expect(row(md, 'chain_hash_vs_createhash_100B')).toContain('| 1.376 | — | — | — |');
      expect(row(md, 'e2e_vs_raw_produce')).toContain('| 0.120 | ≥ 0.25 | **FAIL** | 14,000 ÷ 116,000 |');
    });

    it('lists each figure under its benchmark with what it measures and its target', () => {
      expect(md).toContain('### `e2e` (12 s)');
      expect(row(md, 'e2e_events_per_s')).toMatch(/^\| `e2e_events_per_s` \| 14,000 \| — \| — \| whole pipeline/);
      expect(row(md, 'e2e_produce_to_sealed_p99_ms')).toContain('| 450 | ≤ 1000 | pass |');
      expect(row(md, 'chainer_peak_rss_mib')).toContain('| 184.8 |');
      expect(row(md, 'chain_link_ops_per_s_500B')).toContain('chain links/s (node:crypto), 500B bodies');
    });

    it('has no "not measured" section', () => {
      expect(md).not.toContain('## Not measured');
    });
  });

  describe('when a benchmark was skipped or failed', () => {
    const md = renderBenchmarksReport(
      input([
        ok('chain-hash', { chain_hash_vs_createhash: 0.5 }, {}),
        { name: 'e2e', description: 'e2e', status: 'failed', message: 'timed out | waiting\nfor the verifier', seconds: 600, ratios: {}, figures: {} },
        { name: 'verifier', description: 'v', status: 'skipped', message: 'KAFKA_BROKERS is not set', seconds: 0, ratios: {}, figures: {} },
      ]),
    );

    it('lists it under "Not measured in this run" with the reason, on one line', () => {
      expect(md).toContain('## Not measured in this run\n\n- `e2e`: failed — timed out \\| waiting for the verifier\n- `verifier`: skipped — KAFKA_BROKERS is not set\n');
    });

    it('has no headline and marks a ratio below its target', () => {
      expect(md).not.toContain('Headline');
      expect(row(md, 'chain_hash_vs_createhash')).toContain('| 0.500 | ≥ 0.8 | **FAIL** |');
    });

    it('says when a benchmark has only ratios', () => {
      expect(md).toContain('### `chain-hash` (12 s)\n\nchain-hash benchmark\n\nNo figures besides its ratios.');
    });
  });

  describe('when names are not in the catalogue or versions are unknown', () => {
    it('still renders them', () => {
      const md = renderBenchmarksReport(input([ok('new', { brand_new_ratio: 2 }, { brand_new_figure: Infinity })], { machine: { ...machine, kafka: undefined, versitygw: undefined, java: undefined } }));
      expect(row(md, 'brand_new_ratio')).toBe('| `brand_new_ratio` | 2.000 | — | — | — | — | — | `new` |');
      expect(row(md, 'brand_new_figure')).toBe('| `brand_new_figure` | Infinity | — | — | — |');
      expect(md).toContain('| Kafka | unknown ');
    });
  });
});
