import type { PipelineSnapshot } from './pipeline-snapshot';
import { formatCount, formatDuration, progressLine, ratePerSecond, renderProgress } from './progress-line';

const snap = (at: number, over: Partial<PipelineSnapshot> = {}): PipelineSnapshot => ({
  at,
  produced: { events: 0, bad: 0, failed: 0 },
  sealed: undefined,
  archived: undefined,
  verified: undefined,
  alerts: undefined,
  ...over,
});

describe('progressLine', () => {
  it('shows produced / sealed / archived / verified, rates and lags in records (bad ones included)', () => {
    const before = snap(10_000, { produced: { events: 1000, bad: 1, failed: 0 }, sealed: { events: 500, rejected: 0, rejectedByReason: {}, lag: 501 } });
    const now = snap(12_000, {
      produced: { events: 5000, bad: 3, failed: 0 },
      sealed: { events: 4500, rejected: 2, rejectedByReason: { malformed: 2 }, lag: 501 },
      archived: { entries: 4000, lag: 503 },
      verified: { entries: 3000, findings: 0, startedAt: 0, finishedAt: 0 },
      alerts: 0,
    });
    expect(progressLine(now, before, 0)).toBe(
      '[12s] | produced 5,003 | sealed 4,502 | archived 4,000 | verified 3,000 | rate 2,001/s in, 2,001/s sealed | lag chainer 501, archiver 503 | alerts 0',
    );
  });

  it('shows … for what has not answered yet and flags failed emits', () => {
    expect(progressLine(snap(61_000, { produced: { events: 7, bad: 0, failed: 2 } }), undefined, 0)).toBe(
      '[1m01s] | produced 7 | sealed … | archived … | verified … | rate …/s in, …/s sealed | lag chainer …, archiver … | alerts … | FAILED 2',
    );
  });
});

describe('helpers', () => {
  it('formatCount, formatDuration, ratePerSecond', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCount(undefined)).toBe('…');
    expect(formatDuration(59_999)).toBe('59s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(ratePerSecond(300, 100, 2000)).toBe(100);
    expect(ratePerSecond(300, undefined, 2000)).toBeUndefined();
    expect(ratePerSecond(300, 100, 0)).toBeUndefined();
  });
});

describe('renderProgress', () => {
  it('redraws one line on a terminal, cut to its width', () => {
    expect(renderProgress('abc', true)).toBe('\r\x1b[Kabc');
    expect(renderProgress('x'.repeat(30), true, 20)).toBe(`\r\x1b[K${'x'.repeat(18)}…`);
    expect(renderProgress('x'.repeat(30), true, 0)).toBe(`\r\x1b[K${'x'.repeat(30)}`);
  });
  it('prints plain lines elsewhere', () => {
    expect(renderProgress('abc', false)).toBe('abc\n');
  });
});
