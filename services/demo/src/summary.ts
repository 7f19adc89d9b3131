import type { ArchiveCheck } from './archive-check';
import { finalLine, rejectedLine, type DemoEnd } from './demo-outcome';
import type { PipelineSnapshot } from './pipeline-snapshot';
import { formatCount, formatDuration } from './progress-line';

/*
 * The verification summary the demo prints at its end (stdout): what was
 * sealed, archived and verified, where the data is and how to inspect it, and
 * last the contract's line (demo-outcome.ts). Pure.
 */

export interface SummaryInput {
  end: DemoEnd;
  reason: string | undefined;
  snapshot: PipelineSnapshot;
  /** Bad records the run planned (0 for an endless run). */
  expectedBad: number;
  /** A finite run (--events): the rejected-records line is always printed. */
  finite: boolean;
  chains: number;
  bucket: string;
  archivePrefix: string;
  topicPrefix: string;
  alertsTopic: string;
  archiveCheck: ArchiveCheck | undefined;
  /** The CLI arguments of `auditseal verify-archive` for this run. */
  verifyArchiveArgs: readonly string[];
  /** Where the chainer's log is (the others are beside it). */
  chainerLog: string;
  wallMs: number;
  workloadStartMs: number;
}

export function summaryLines(i: SummaryInput): string[] {
  const s = i.snapshot;
  const lines = [
    '',
    'Verification summary',
    `  sealed       ${formatCount(s.sealed?.events)} event entries + ${formatCount(s.sealed?.rejected)} rejected entries in ${i.chains} chains (chainer /metrics)`,
    `  archived     ${formatCount(s.archived?.entries)} entries in s3://${i.bucket}/${i.archivePrefix}/ (archiver /metrics)`,
    `  verified     ${s.verified ? `${formatCount(s.verified.entries)} entries, ${s.verified.findings} open findings in the verifier's last pass (${new Date(s.verified.finishedAt).toISOString()})` : 'no verifier pass finished'}`,
    `  alerts       ${formatCount(s.alerts)} on ${i.alertsTopic}`,
    `  archive      ${i.archiveCheck ? `auditseal verify-archive${i.end === 'interrupted' ? ' (after the services stopped)' : ''}: ${i.archiveCheck.summary}` : 'not checked (the pipeline did not finish)'}`,
    `  wall time    ${formatDuration(i.wallMs)} (workload started ${formatDuration(i.workloadStartMs)} in)`,
    '',
    'Inspect the data (local Kafka and S3 keep running; `npm run infra:down` stops them):',
    `  eval "$(npm run -s infra:env)"`,
    `  npm run -s auditseal -- ${i.verifyArchiveArgs.join(' ')}`,
    `  npm run -s auditseal -- status --topic-prefix ${i.topicPrefix} --prefix ${i.archivePrefix}`,
    `  logs: ${i.chainerLog}, …-archiver.log, …-verifier.log`,
    '',
  ];
  if (i.end === 'failed' && i.reason) lines.push(`FAILED: ${i.reason}`);
  const rejected = s.sealed?.rejected ?? 0;
  if (i.finite || rejected > 0) lines.push(rejectedLine(s, i.expectedBad || rejected, i.end === 'ok'));
  lines.push(finalLine(i.end, s, i.end === 'ok' ? undefined : i.reason?.split('\n')[0]));
  return lines;
}
