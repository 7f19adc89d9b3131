import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * infra/prometheus/alerts.yml and infra/grafana/auditseal-dashboard.json must
 * only use metrics the services register. Services never import each other,
 * so the registered names are read from each service's src/metrics.ts (its
 * METRIC_PREFIX and every `${p}name` / perPartition('name', …)).
 */

const repo = join(__dirname, '..', '..', '..');
const read = (...path: string[]) => readFileSync(join(repo, ...path), 'utf8');

interface Registered {
  names: Set<string>;
  histograms: Set<string>;
}

function registeredMetrics(): Registered {
  const names = new Set<string>();
  const histograms = new Set<string>();
  for (const service of ['chainer', 'archiver', 'verifier']) {
    const text = read('services', service, 'src', 'metrics.ts');
    const prefix = /METRIC_PREFIX = '([a-z_]+)'/.exec(text)?.[1] ?? '';
    expect(prefix).toBe(`auditseal_${service}_`);
    // `new Counter({ name: `${p}x` …` and `perPartition('x', …)`; remember which are histograms.
    for (const m of text.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: `\$\{p\}([a-z_]+)`/g)) {
      names.add(`${prefix}${m[2]}`);
      if (m[1] === 'Histogram') histograms.add(`${prefix}${m[2]}`);
    }
    for (const m of text.matchAll(/perPartition\(\s*'([a-z_]+)'/g)) names.add(`${prefix}${m[1]}`);
  }
  return { names, histograms };
}

function referenced(text: string): string[] {
  return [...new Set([...text.matchAll(/\bauditseal_[a-z_]+\b/g)].map((m) => m[0]))];
}

function known(metric: string, r: Registered): boolean {
  if (r.names.has(metric)) return true;
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  return base !== metric && r.histograms.has(base);
}

describe('monitoring configuration', () => {
  const registered = registeredMetrics();

  it('finds the metrics of the three services', () => {
    for (const name of ['auditseal_chainer_partition_stopped', 'auditseal_archiver_lag_seconds', 'auditseal_verifier_findings_total', 'auditseal_verifier_archive_lag_entries']) expect(registered.names).toContain(name);
    expect(registered.histograms).toContain('auditseal_verifier_pass_duration_seconds');
  });

  describe('infra/prometheus/alerts.yml', () => {
    const text = read('infra', 'prometheus', 'alerts.yml');
    const exprs = [...text.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1]!);

    it('has alert rules, each with an expression, labels and a summary', () => {
      const alerts = [...text.matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]!);
      expect(alerts.length).toBeGreaterThanOrEqual(10);
      expect(exprs).toHaveLength(alerts.length);
      expect(new Set(alerts).size).toBe(alerts.length);
      expect(text.match(/^\s+summary: /gm)).toHaveLength(alerts.length);
      expect(text).not.toMatch(/\t/);
    });

    it('uses only registered metrics, of all three services', () => {
      const used = exprs.flatMap(referenced);
      expect(used.filter((m) => !known(m, registered))).toEqual([]);
      for (const service of ['chainer', 'archiver', 'verifier']) expect(used.some((m) => m.startsWith(`auditseal_${service}_`))).toBe(true);
    });
  });

  describe('infra/grafana/auditseal-dashboard.json', () => {
    const dashboard = JSON.parse(read('infra', 'grafana', 'auditseal-dashboard.json')) as { panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');

    it('has panels with queries, titled uniquely', () => {
      expect(graphs.length).toBeGreaterThanOrEqual(20);
      for (const p of graphs) expect(p.targets?.length).toBeGreaterThan(0);
      expect(new Set(graphs.map((p) => p.title)).size).toBe(graphs.length);
    });

    it('uses only registered metrics, of all three services', () => {
      const used = graphs.flatMap((p) => p.targets!.flatMap((t) => referenced(t.expr)));
      expect(used.filter((m) => !known(m, registered))).toEqual([]);
      for (const service of ['chainer', 'archiver', 'verifier']) expect(used.some((m) => m.startsWith(`auditseal_${service}_`))).toBe(true);
    });
  });
});
