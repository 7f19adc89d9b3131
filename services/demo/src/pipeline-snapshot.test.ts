import { archivedFromMetrics, sealedFromMetrics, verifierPassFromReadyz } from './pipeline-snapshot';
import { byLabel, samples, sum } from './prometheus-text';

const CHAINER = `# HELP auditseal_chainer_entries_sealed_total entries committed
# TYPE auditseal_chainer_entries_sealed_total counter
auditseal_chainer_entries_sealed_total{kind="event"} 1990
auditseal_chainer_entries_sealed_total{kind="rejected"} 6
auditseal_chainer_rejected_total{reason="malformed"} 3
auditseal_chainer_rejected_total{reason="unknown_schema"} 3
auditseal_chainer_consumer_lag{partition="0"} 4
auditseal_chainer_consumer_lag{partition="1"} 6
auditseal_chainer_partitions_assigned 4
auditseal_chainer_entries_sealed_total_bogus{kind="event"} 999
`;

const ARCHIVER = `auditseal_archiver_archived_head_seq{partition="0"} 499
auditseal_archiver_archived_head_seq{partition="1"} -1
auditseal_archiver_archived_head_seq{partition="2"} 9
auditseal_archiver_lag_entries{partition="0"} 12
auditseal_archiver_entries_archived_total 510
`;

describe('prometheus text', () => {
  it('reads samples by exact name, with labels', () => {
    expect(samples(CHAINER, 'auditseal_chainer_entries_sealed_total')).toEqual([
      { labels: { kind: 'event' }, value: 1990 },
      { labels: { kind: 'rejected' }, value: 6 },
    ]);
    expect(sum(CHAINER, 'auditseal_chainer_consumer_lag')).toBe(10);
    expect(sum(CHAINER, 'auditseal_chainer_consumer_lag', { partition: '1' })).toBe(6);
    expect(sum(CHAINER, 'no_such_metric')).toBeUndefined();
    expect(byLabel(CHAINER, 'auditseal_chainer_rejected_total', 'reason')).toEqual({ malformed: 3, unknown_schema: 3 });
  });

  it('skips lines that do not parse instead of throwing', () => {
    const junk = 'auditseal_x{kind="a"} notanumber\nauditseal_x{kind= 3\nauditseal_x{kind="b",other="q\\"uote"} 2 1700000000\n\u0000garbage';
    expect(samples(junk, 'auditseal_x')).toEqual([{ labels: { kind: 'b', other: 'q"uote' }, value: 2 }]);
  });
});

describe('sealedFromMetrics', () => {
  it('counts event and rejected entries, reject reasons and the lag', () => {
    expect(sealedFromMetrics(CHAINER)).toEqual({ events: 1990, rejected: 6, rejectedByReason: { malformed: 3, unknown_schema: 3 }, lag: 10 });
  });
  it('is undefined for text without chainer metrics', () => {
    expect(sealedFromMetrics('something_else 1\n')).toBeUndefined();
  });
  it('is zero before anything was sealed (counters not yet labelled)', () => {
    expect(sealedFromMetrics('auditseal_chainer_partitions_assigned 4\n')).toEqual({ events: 0, rejected: 0, rejectedByReason: {}, lag: 0 });
  });
});

describe('archivedFromMetrics', () => {
  it('counts archived chain entries as the sum of (head seq + 1) over partitions, -1 being none', () => {
    expect(archivedFromMetrics(ARCHIVER)).toEqual({ entries: 510, lag: 12 });
  });
  it('is undefined for text without archiver metrics', () => {
    expect(archivedFromMetrics('')).toBeUndefined();
  });
});

describe('verifierPassFromReadyz', () => {
  it('reads the last pass, its start being its end minus its duration', () => {
    const body = JSON.stringify({ ready: true, detail: { raisedFindings: 0, lastPass: { at: '2026-11-27T01:16:59.304Z', durationMs: 415, partitions: 4, findings: 0, newFindings: 0, entries: 3000, segments: 12 } } });
    const end = Date.parse('2026-11-27T01:16:59.304Z');
    expect(verifierPassFromReadyz(body)).toEqual({ entries: 3000, findings: 0, finishedAt: end, startedAt: end - 415 });
  });
  it.each(['', 'not json', 'null', '{"ready":false,"detail":{}}', '{"detail":{"lastPass":{"entries":"3","findings":0,"at":"2026-11-27T01:16:59.304Z"}}}', '{"detail":{"lastPass":{"entries":3,"findings":0,"at":"yesterday"}}}'])(
    'is undefined for %j (no pass yet, or not the verifier)',
    (body) => {
      expect(verifierPassFromReadyz(body)).toBeUndefined();
    },
  );
});
