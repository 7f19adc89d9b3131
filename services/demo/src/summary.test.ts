import type { PipelineSnapshot } from './pipeline-snapshot';
import { summaryLines, type SummaryInput } from './summary';

const snapshot: PipelineSnapshot = {
  at: 0,
  produced: { events: 2000, bad: 6, failed: 0 },
  sealed: { events: 2000, rejected: 6, rejectedByReason: { malformed: 3, unknown_schema: 3 }, lag: 0 },
  archived: { entries: 2006, lag: 0 },
  verified: { entries: 2006, findings: 0, startedAt: 0, finishedAt: Date.parse('2026-11-27T03:39:18.096Z') },
  alerts: 0,
};

const input = (over: Partial<SummaryInput> = {}): SummaryInput => ({
  end: 'ok',
  reason: undefined,
  snapshot,
  expectedBad: 6,
  finite: true,
  chains: 4,
  bucket: 'auditseal-archive',
  archivePrefix: 'demo/r1',
  topicPrefix: 'demo-r1.',
  alertsTopic: 'demo-r1.audit.alerts',
  archiveCheck: { ok: true, summary: 'VERIFIED: 2,006 entries, segments 4 valid / 0 invalid / 0 missing, 0 problems' },
  verifyArchiveArgs: ['verify-archive', '--bucket', 'auditseal-archive', '--prefix', 'demo/r1', '--keyring', '.local/demo/keyring.json', '--retention-days', '1'],
  chainerLog: '.local/logs/demo-r1-chainer.log',
  wallMs: 33_000,
  workloadStartMs: 5_000,
  ...over,
});

describe('summaryLines', () => {
  describe('when the run verified everything', () => {
    const lines = summaryLines(input());
    it('ends with the rejected-records line and the contract line', () => {
      expect(lines.slice(-2)).toEqual([
        'rejected=6 of 6 bad records written raw: sealed as rejected entries (malformed ×3, unknown_schema ×3), archived and verified with the events',
        'DEMO OK events=2000 sealed=2000 archived=2000 verified=2000 alerts=0',
      ]);
    });
    it('says where the data is and how to inspect it', () => {
      expect(lines).toContain('  archived     2,006 entries in s3://auditseal-archive/demo/r1/ (archiver /metrics)');
      expect(lines).toContain('  npm run -s auditseal -- verify-archive --bucket auditseal-archive --prefix demo/r1 --keyring .local/demo/keyring.json --retention-days 1');
      expect(lines).toContain('  npm run -s auditseal -- status --topic-prefix demo-r1. --prefix demo/r1');
      expect(lines).toContain("  verified     2,006 entries, 0 open findings in the verifier's last pass (2026-11-27T03:39:18.096Z)");
    });
  });

  describe('when the run failed', () => {
    it('prints the whole reason, and its first line in the last line', () => {
      const lines = summaryLines(input({ end: 'failed', reason: 'the archiver exited (exit 2); last lines:\n{"msg":"x"}', archiveCheck: undefined }));
      expect(lines).toContain('FAILED: the archiver exited (exit 2); last lines:\n{"msg":"x"}');
      expect(lines).toContain('  archive      not checked (the pipeline did not finish)');
      expect(lines.at(-1)).toBe('DEMO FAILED events=2000 sealed=2000 archived=2000 verified=2000 alerts=0 (the archiver exited (exit 2); last lines:)');
    });
  });

  describe('when the run was stopped', () => {
    it('says the archive was checked after the services stopped', () => {
      const lines = summaryLines(input({ end: 'interrupted', reason: 'interrupted', finite: false }));
      expect(lines).toContain('  archive      auditseal verify-archive (after the services stopped): VERIFIED: 2,006 entries, segments 4 valid / 0 invalid / 0 missing, 0 problems');
    });
  });

  describe('when an endless run was stopped before any bad record', () => {
    it('leaves out the rejected-records line', () => {
      const s = { ...snapshot, sealed: { ...snapshot.sealed!, rejected: 0, rejectedByReason: {} } };
      const lines = summaryLines(input({ end: 'interrupted', reason: 'interrupted', snapshot: s, expectedBad: 0, finite: false, archiveCheck: undefined }));
      expect(lines.at(-2)).toBe('');
      expect(lines.at(-1)).toMatch(/^DEMO STOPPED .* \(interrupted\)$/);
    });
  });
});
