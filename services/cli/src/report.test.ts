import type { Finding, VerificationReport } from '@auditseal/verify';
import { failingFindings, formatBytes, manifestCounts, renderFinding, renderProgress, renderReport, type ArchiveVerification } from './report';

const CHAIN = 'auditseal/v1/prod/audit.events/0';

function report(findings: Finding[]): VerificationReport {
  const bySeverity = { critical: 0, high: 0, warning: 0, info: 0 };
  const byKind: Record<string, number> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  }
  return {
    chains: [
      {
        chainId: CHAIN,
        archive: {
          firstSeq: 0,
          lastSeq: 99,
          entries: 100,
          bytes: 5000,
          segments: { valid: 9, invalid: findings.length ? 1 : 0, missing: 0, pending: 0 },
          rehashed: { segments: 0, entries: 0 },
          checkpoints: { valid: 2, invalid: 0, latestSeq: 99 },
          timeRange: { first: '2026-11-26T10:00:00.000Z', last: '2026-11-26T11:00:00.000Z' },
        },
        findings: findings.length,
      },
    ],
    findings,
    findingsTruncated: false,
    counts: { findings: findings.length, bySeverity, byKind, segments: { valid: 9, invalid: findings.length ? 1 : 0, missing: 0, pending: 0 }, entries: 100, objects: 23 },
    retentionChecked: true,
  };
}

function verification(findings: Finding[], overrides: Partial<ArchiveVerification> = {}): ArchiveVerification {
  const r = report(findings);
  const failing = failingFindings(r);
  return {
    archive: { kind: 's3', location: 's3://bucket/auditseal-archive/ (http://127.0.0.1:7070)', prefix: 'auditseal-archive' },
    keyring: { source: 'file', path: '/keys/keyring.json', keyIds: ['0622781dfc9f891c'] },
    retention: { checked: true, minimumDays: 2557 },
    startedAt: '2026-11-27T00:00:00.000Z',
    finishedAt: '2026-11-27T00:00:01.000Z',
    report: r,
    verdict: failing ? 'failed' : 'verified',
    exitCode: failing ? 1 : 0,
    ...overrides,
  };
}

const shaMismatch: Finding = {
  kind: 'segment_sha256_mismatch',
  severity: 'critical',
  chainId: CHAIN,
  message: 'segment bytes are not the signed ones',
  seqs: { first: 10, last: 19 },
  object: { key: 'auditseal-archive/v1/x/segments/a.avro', versionId: 'v7' },
  expected: 'aa'.repeat(32),
  actual: 'bb'.repeat(32),
};

describe('renderReport', () => {
  describe('when there are no problems', () => {
    it('shows the chain figures and a VERIFIED verdict as its last line', () => {
      const text = renderReport(verification([]));
      expect(text).toContain(`Chain ${CHAIN}`);
      expect(text).toContain('seqs         0 – 99  (100 entries, 4.9 KiB)');
      expect(text).toContain('time range   2026-11-26T10:00:00.000Z → 2026-11-26T11:00:00.000Z');
      expect(text).toContain('checkpoints  2 valid, 0 invalid (latest at seq 99)');
      expect(text).toContain('manifests    9 valid, 0 invalid, 0 missing');
      expect(text).toContain('retain-until ≥ written + 2557 days');
      expect(text.trimEnd().split('\n').at(-1)).toMatch(/^VERDICT: VERIFIED/);
    });
  });
  describe('when a problem was found', () => {
    it('lists it with its evidence and ends with a FAILED verdict naming the kinds', () => {
      const text = renderReport(verification([shaMismatch]));
      expect(text).toContain('1. [CRITICAL] segment_sha256_mismatch  chain auditseal/v1/prod/audit.events/0  seqs 10–19');
      expect(text).toContain('object    auditseal-archive/v1/x/segments/a.avro (version v7)');
      expect(text).toContain(`expected  ${'aa'.repeat(32)}`);
      expect(text).toContain(`actual    ${'bb'.repeat(32)}`);
      expect(text.trimEnd().split('\n').at(-1)).toBe('VERDICT: FAILED — tampering or loss found: segment_sha256_mismatch ×1');
      expect(text).toContain('manifests    10 valid, 0 invalid, 0 missing');
    });
    it('prints at most maxProblems in full and says how to see the rest', () => {
      const many = Array.from({ length: 5 }, (_, i) => ({ ...shaMismatch, seqs: { first: i, last: i } }));
      const text = renderReport(verification(many), 2);
      expect(text).toContain('Problems (5, first 2 shown: --max-problems N or --json for more)');
      expect(text).not.toContain('3. [CRITICAL]');
    });
  });
  describe('when the archive is a local copy', () => {
    it('says retention was not checked, in the header and the verdict', () => {
      const text = renderReport(verification([], { archive: { kind: 'dir', location: '/copy', prefix: 'p' }, retention: { checked: false, minimumDays: undefined, note: 'a local copy has no Object Lock metadata' } }));
      expect(text).toContain('archive      /copy (local copy)');
      expect(text).toContain('retention    NOT checked: a local copy has no Object Lock metadata');
      expect(text).toContain('(retention not checked: local copy)');
    });
  });
  describe('when the keyring came from the archive', () => {
    it('says trust is not independent', () => {
      expect(renderReport(verification([], { keyring: { source: 'archive', keyIds: ['k'] } }))).toContain('published by the archive itself (not independent)');
    });
  });
});

describe('manifestCounts', () => {
  it('counts manifests with a manifest finding as invalid and segments without one as missing', () => {
    const bad: Finding = { ...shaMismatch, kind: 'manifest_signature_invalid', object: { key: 'm1' } };
    const orphan: Finding = { ...shaMismatch, kind: 'segment_without_manifest', object: { key: 's2' } };
    expect(manifestCounts(report([bad, orphan]), CHAIN)).toEqual({ valid: 8, invalid: 1, missing: 1 });
  });
});

describe('failingFindings', () => {
  it('counts everything but info findings', () => {
    const info: Finding = { ...shaMismatch, severity: 'info', kind: 'unexpected_key' };
    const warning: Finding = { ...shaMismatch, severity: 'warning', kind: 'unexpected_key' };
    expect(failingFindings(report([info]))).toBe(0);
    expect(failingFindings(report([info, warning]))).toBe(1);
  });
});

describe('renderFinding', () => {
  it('shows offsets and details when present', () => {
    const text = renderFinding({ ...shaMismatch, object: undefined, offsets: { topic: 'sealed', partition: 3, first: 10, last: 12 }, details: { count: 3 } }, 7);
    expect(text).toContain('7. [CRITICAL]');
    expect(text).toContain('offsets   audit.sealed partition 3 10–12');
    expect(text).toContain('details   {"count":3}');
  });
});

describe('renderProgress and formatBytes', () => {
  it('draws a bar proportional to the work done', () => {
    expect(renderProgress(5, 10, 'chain', 10)).toBe('\r[#####.....] 5/10 segments chain');
    expect(renderProgress(0, 0, '', 4)).toBe('\r[....] 0/0 segments ');
  });
  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });
});
