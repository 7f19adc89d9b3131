import { sumMetric } from './service-process';

const text = [
  '# HELP auditseal_archiver_lag_seconds Age of the oldest sealed entry not yet archived',
  '# TYPE auditseal_archiver_lag_seconds gauge',
  'auditseal_archiver_lag_seconds{partition="0"} 1.5',
  'auditseal_archiver_lag_seconds{partition="1"} 2',
  'auditseal_archiver_lag_seconds_extra{partition="1"} 100',
  'auditseal_verifier_pass_failures_total 3',
].join('\n');

describe('sumMetric', () => {
  it('sums every series of the metric, and only of that metric', () => {
    expect(sumMetric(text, 'auditseal_archiver_lag_seconds')).toBe(3.5);
  });

  it('keeps the series whose labels include the given ones', () => {
    expect(sumMetric(text, 'auditseal_archiver_lag_seconds', { partition: '1' })).toBe(2);
  });

  it('reads a series without labels, and 0 for a metric that is absent', () => {
    expect(sumMetric(text, 'auditseal_verifier_pass_failures_total')).toBe(3);
    expect(sumMetric(text, 'auditseal_nothing')).toBe(0);
  });
});
