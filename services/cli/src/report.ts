import type { Finding, VerificationReport } from '@auditseal/verify';

/** What verify-archive prints: the engine's report plus where and how it was verified. */
export interface ArchiveVerification {
  archive: { kind: 's3' | 'dir'; location: string; prefix: string };
  keyring: { source: 'file' | 'archive'; path?: string; keyIds: string[]; warning?: string };
  retention: { checked: boolean; minimumDays: number | undefined; note?: string };
  startedAt: string;
  finishedAt: string;
  report: VerificationReport;
  verdict: 'verified' | 'failed';
  exitCode: number;
}

/** Findings that fail verification: everything but `info` (a warning such as an unexpected key is still something an attacker may have written). */
export function failingFindings(report: VerificationReport): number {
  return report.counts.findings - report.counts.bySeverity.info;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function seqText(f: Finding): string {
  if (!f.seqs) return '';
  return f.seqs.first === f.seqs.last ? `seq ${f.seqs.first}` : `seqs ${f.seqs.first}–${f.seqs.last}`;
}

/** One problem with its evidence, indented, as an auditor files it. */
export function renderFinding(f: Finding, index: number): string {
  const lines = [`  ${index}. [${f.severity.toUpperCase()}] ${f.kind}${f.chainId ? `  chain ${f.chainId}` : ''}${f.seqs ? `  ${seqText(f)}` : ''}`];
  lines.push(`     ${f.message}`);
  if (f.object) lines.push(`     object    ${f.object.key}${f.object.versionId ? ` (version ${f.object.versionId})` : ''}`);
  if (f.offsets) lines.push(`     offsets   audit.${f.offsets.topic} partition ${f.offsets.partition} ${f.offsets.first}–${f.offsets.last}`);
  if (f.expected !== undefined) lines.push(`     expected  ${f.expected}`);
  if (f.actual !== undefined) lines.push(`     actual    ${f.actual}`);
  if (f.details && Object.keys(f.details).length > 0) lines.push(`     details   ${JSON.stringify(f.details).slice(0, 500)}`);
  return lines.join('\n');
}

const MANIFEST_KINDS = new Set(['manifest_unreadable', 'manifest_mismatch', 'manifest_signature_invalid']);

/**
 * Manifests of a chain: one per segment listed (a missing segment still has
 * its manifest); missing = segments without one (and pending ones); invalid =
 * distinct manifests with a manifest_* finding among the findings kept.
 */
export function manifestCounts(r: VerificationReport, chainId: string): { valid: number; invalid: number; missing: number } {
  const chain = r.chains.find((c) => c.chainId === chainId);
  if (!chain) return { valid: 0, invalid: 0, missing: 0 };
  const seg = chain.archive.segments;
  const missing = r.findings.filter((f) => f.chainId === chainId && f.kind === 'segment_without_manifest').length + seg.pending;
  const invalid = new Set(r.findings.filter((f) => f.chainId === chainId && MANIFEST_KINDS.has(f.kind)).map((f) => f.object?.key ?? '')).size;
  const present = seg.valid + seg.invalid + seg.missing + seg.pending - missing;
  return { valid: Math.max(0, present - invalid), invalid, missing };
}

export function renderReport(v: ArchiveVerification, maxProblems = 50): string {
  const r = v.report;
  const out: string[] = [];
  out.push('AuditSeal archive verification');
  out.push(`  archive      ${v.archive.location}${v.archive.kind === 'dir' ? ' (local copy)' : ''}`);
  out.push(`  keyring      ${v.keyring.source === 'file' ? `${v.keyring.path} (given)` : 'published by the archive itself (not independent)'}: ${v.keyring.keyIds.join(', ')}`);
  out.push(
    `  retention    ${v.retention.checked ? `checked (Object Lock COMPLIANCE, one version per key${v.retention.minimumDays !== undefined ? `, retain-until ≥ written + ${v.retention.minimumDays} days` : ', retain-until ≥ the date each manifest states'})` : `NOT checked: ${v.retention.note ?? 'no Object Lock metadata'}`}`,
  );
  out.push(`  started      ${v.startedAt}`);
  out.push(`  finished     ${v.finishedAt}`);
  out.push('');
  if (r.chains.length === 0) out.push('No chains found under the prefix.');
  for (const c of r.chains) {
    const a = c.archive;
    out.push(`Chain ${c.chainId}`);
    out.push(`  seqs         ${a.firstSeq === undefined ? 'none archived' : `${a.firstSeq} – ${a.lastSeq}`}  (${a.entries} entries, ${formatBytes(a.bytes)})`);
    out.push(`  time range   ${a.timeRange ? `${a.timeRange.first} → ${a.timeRange.last}` : 'unknown'}`);
    out.push(`  segments     ${a.segments.valid} valid, ${a.segments.invalid} invalid, ${a.segments.missing} missing${a.segments.pending ? `, ${a.segments.pending} pending (manifest being written)` : ''}`);
    const m = manifestCounts(v.report, c.chainId);
    out.push(`  manifests    ${m.valid} valid, ${m.invalid} invalid, ${m.missing} missing`);
    out.push(`  checkpoints  ${a.checkpoints.valid} valid, ${a.checkpoints.invalid} invalid${a.checkpoints.latestSeq !== undefined ? ` (latest at seq ${a.checkpoints.latestSeq})` : ''}`);
    out.push(`  problems     ${c.findings}`);
    out.push('');
  }
  const s = r.counts.segments;
  if (r.findings.length > 0) {
    const shown = r.findings.slice(0, maxProblems);
    out.push(`Problems (${r.counts.findings}${shown.length < r.counts.findings ? `, first ${shown.length} shown: --max-problems N or --json for more` : ''})`);
    shown.forEach((f, i) => out.push(renderFinding(f, i + 1)));
    out.push('');
  }
  const sev = r.counts.bySeverity;
  out.push(
    `Summary: ${plural(r.chains.length, 'chain')}, ${r.counts.entries} entries, ${plural(s.valid + s.invalid + s.missing + s.pending, 'segment')} (${s.valid} valid, ${s.invalid} invalid, ${s.missing} missing${s.pending ? `, ${s.pending} pending` : ''}), ${plural(r.counts.objects, 'object')} listed; ` +
      `${plural(r.counts.findings, 'problem')} (${sev.critical} critical, ${sev.high} high, ${sev.warning} warning, ${sev.info} info)`,
  );
  if (v.verdict === 'verified') {
    out.push(`VERDICT: VERIFIED — every chain, segment, manifest, signature${v.retention.checked ? ', retention' : ''} and checkpoint checked; no tampering or loss found${v.retention.checked ? '' : ' (retention not checked: local copy)'}`);
  } else {
    const kinds = Object.entries(r.counts.byKind)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
    out.push(`VERDICT: FAILED — tampering or loss found: ${kinds}`);
  }
  return `${out.join('\n')}\n`;
}

/** A one-line progress bar for stderr (a terminal only). */
export function renderProgress(done: number, total: number, detail: string, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} segments ${detail}`.slice(0, 160);
}
