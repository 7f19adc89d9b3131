/*
 * Reads series out of a Prometheus text exposition (what the services'
 * /metrics return). Pure. The text comes from our own services over
 * localhost, but it is still parsed defensively: a line that does not parse
 * is skipped, never thrown on.
 */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the metric `name` (exact name: `_bucket`/`_sum` series are other names). */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || !line.startsWith(name)) continue;
    const m = LINE.exec(line);
    if (!m || m[1] !== name) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ labels, value });
  }
  return out;
}

/** Sum of the samples of `name` whose labels include `match`; undefined when there is none. */
export function sum(text: string, name: string, match: Record<string, string> = {}): number | undefined {
  const hits = samples(text, name).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  return hits.length === 0 ? undefined : hits.reduce((a, s) => a + s.value, 0);
}

/** label value → summed value, for one label of `name`. */
export function byLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples(text, name)) {
    const key = s.labels[label];
    if (key !== undefined) out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
