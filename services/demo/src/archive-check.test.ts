import { summarizeCliReport, verifyArchiveArgs } from './archive-check';

describe('summarizeCliReport', () => {
  const report = (verdict: string, findings: number, byKind: Record<string, number> = {}) =>
    JSON.stringify({ verdict, exitCode: findings ? 1 : 0, report: { counts: { findings, byKind, entries: 20006, segments: { valid: 8, invalid: findings ? 1 : 0, missing: 0 } } } });

  it('ok only for exit 0 and verdict verified', () => {
    expect(summarizeCliReport(report('verified', 0), 0)).toEqual({ ok: true, summary: 'VERIFIED: 20,006 entries, segments 8 valid / 0 invalid / 0 missing, 0 problems' });
    expect(summarizeCliReport(report('failed', 1, { segment_sha256_mismatch: 1 }), 1)).toEqual({
      ok: false,
      summary: 'FAILED: 20,006 entries, segments 8 valid / 1 invalid / 0 missing, 1 problems (segment_sha256_mismatch ×1)',
    });
    expect(summarizeCliReport(report('verified', 0), 1).ok).toBe(false);
  });

  it('reports CLI errors and output that is not JSON', () => {
    expect(summarizeCliReport(JSON.stringify({ error: { code: 'environment', message: 'nothing is archived' }, exitCode: 2 }), 2)).toEqual({ ok: false, summary: 'verify-archive failed: nothing is archived' });
    expect(summarizeCliReport('Segmentation fault', null)).toEqual({ ok: false, summary: 'verify-archive exited on a signal without a JSON report' });
    expect(summarizeCliReport('{"verdict":"verified"}', 0).summary).toBe('VERIFIED: ? entries, segments ? valid / ? invalid / ? missing, ? problems');
  });
});

describe('verifyArchiveArgs', () => {
  it('is the command the user can run again', () => {
    expect(verifyArchiveArgs({ bucket: 'b', prefix: 'demo/r', keyringPath: '.local/demo/keyring.json', retentionDays: 1 }).join(' ')).toBe(
      'verify-archive --bucket b --prefix demo/r --keyring .local/demo/keyring.json --retention-days 1',
    );
  });
});
