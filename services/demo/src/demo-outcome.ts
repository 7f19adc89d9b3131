import { badRecordCounts } from './workload';
import type { PipelineSnapshot } from './pipeline-snapshot';

/*
 * When `npm run demo -- --events N --exit` is done, whether it passed, and
 * the last line it prints (DESIGN.md "The contract"). Pure.
 *
 * Counting (also in the README and `--help`):
 *   events   = good events Kafka acknowledged (the SDK's receipts);
 *   sealed   = `event` entries the chainer committed;
 *   archived = chain entries archived − rejected entries sealed;
 *   verified = chain entries the verifier's last pass covered − rejected entries sealed;
 *   alerts   = records on this run's audit.alerts.
 * The B bad records become B `rejected` entries; they are sealed, archived and
 * verified like the events, and reported on their own line.
 */

export interface Expected {
  events: number;
  bad: number;
}

export interface Assessment {
  /** Everything sealed, archived and verified by a pass that began after the archive was complete; no alert. */
  done: boolean;
  /** A problem that waiting cannot fix (an alert, a failed emit, more entries than records). */
  hopeless: boolean;
  /** Why it is not done yet (or why it failed), most important first. */
  reasons: string[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** True once the archive holds every chain entry the run produced. */
export function archiveComplete(s: PipelineSnapshot, expected: Expected): boolean {
  return s.archived !== undefined && s.archived.entries === expected.events + expected.bad;
}

/**
 * @param archiveCompleteAt when the demo first saw `archiveComplete` (ms), so
 *   that only a verifier pass that started later counts as verifying it all.
 */
export function assess(s: PipelineSnapshot, expected: Expected, archiveCompleteAt: number | undefined): Assessment {
  const total = expected.events + expected.bad;
  const reasons: string[] = [];
  let hopeless = false;
  const fail = (reason: string) => {
    hopeless = true;
    reasons.push(reason);
  };
  if (s.alerts !== undefined && s.alerts > 0) fail(`${fmt(s.alerts)} alert(s) on audit.alerts: the verifier found a problem (see its log)`);
  if (s.produced.failed > 0) fail(`${fmt(s.produced.failed)} record(s) were not acknowledged by Kafka`);
  if (s.produced.events < expected.events) reasons.push(`${fmt(s.produced.events)} of ${fmt(expected.events)} events acknowledged by Kafka`);
  if (s.produced.bad < expected.bad) reasons.push(`${fmt(s.produced.bad)} of ${fmt(expected.bad)} bad records acknowledged by Kafka`);
  if (!s.sealed) reasons.push('no answer from the chainer yet');
  else {
    const { events, rejected, rejectedByReason } = s.sealed;
    if (events > expected.events) fail(`the chainer sealed ${fmt(events)} event entries for ${fmt(expected.events)} events`);
    else if (events < expected.events) reasons.push(`${fmt(events)} of ${fmt(expected.events)} events sealed`);
    if (rejected > expected.bad) fail(`the chainer rejected ${fmt(rejected)} records, only ${fmt(expected.bad)} were bad`);
    else if (rejected < expected.bad) reasons.push(`${fmt(rejected)} of ${fmt(expected.bad)} bad records sealed as rejected`);
    else {
      const want = badRecordCounts(expected.bad);
      for (const [reason, count] of Object.entries(want)) {
        const got = rejectedByReason[reason] ?? 0;
        if (got !== count) fail(`${fmt(got)} records rejected as ${reason}, expected ${fmt(count)}`);
      }
    }
  }
  if (!s.archived) reasons.push('no answer from the archiver yet');
  else if (s.archived.entries > total) fail(`${fmt(s.archived.entries)} entries archived for ${fmt(total)} records`);
  else if (s.archived.entries < total) reasons.push(`${fmt(s.archived.entries)} of ${fmt(total)} entries archived`);
  if (!s.verified) reasons.push('no verifier pass finished yet');
  else {
    if (s.verified.findings > 0) fail(`the verifier's last pass has ${fmt(s.verified.findings)} open finding(s)`);
    if (s.verified.entries < total) reasons.push(`the verifier's last pass covered ${fmt(s.verified.entries)} of ${fmt(total)} entries`);
    else if (archiveCompleteAt === undefined || s.verified.startedAt < archiveCompleteAt) reasons.push('waiting for a verifier pass that starts after the archive is complete');
  }
  return { done: reasons.length === 0, hopeless, reasons };
}

export type DemoEnd = 'ok' | 'failed' | 'interrupted';

/** The counts of the last line, derived from a snapshot as documented above. */
export function finalCounts(s: PipelineSnapshot): { events: number; sealed: number; archived: number; verified: number; alerts: number; rejected: number } {
  const rejected = s.sealed?.rejected ?? 0;
  return {
    events: s.produced.events,
    sealed: s.sealed?.events ?? 0,
    archived: Math.max(0, (s.archived?.entries ?? 0) - rejected),
    verified: Math.max(0, (s.verified?.entries ?? 0) - rejected),
    alerts: s.alerts ?? 0,
    rejected,
  };
}

/** `DEMO OK events=N sealed=N archived=N verified=N alerts=0`, or DEMO FAILED / DEMO STOPPED with the same counts and the reason. */
export function finalLine(end: DemoEnd, s: PipelineSnapshot, reason?: string): string {
  const c = finalCounts(s);
  const counts = `events=${c.events} sealed=${c.sealed} archived=${c.archived} verified=${c.verified} alerts=${c.alerts}`;
  if (end === 'ok') return `DEMO OK ${counts}`;
  return `DEMO ${end === 'failed' ? 'FAILED' : 'STOPPED'} ${counts}${reason ? ` (${reason})` : ''}`;
}

export function exitCodeFor(end: DemoEnd): number {
  return end === 'ok' ? 0 : end === 'interrupted' ? 130 : 1;
}

/** The line about the bad records, before the last line; `verified`: the run ended with DEMO OK. */
export function rejectedLine(s: PipelineSnapshot, expectedBad: number, verified: boolean): string {
  const byReason = Object.entries(s.sealed?.rejectedByReason ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');
  const sealed = `sealed as rejected entries${byReason ? ` (${byReason})` : ''}`;
  return `rejected=${s.sealed?.rejected ?? 0} of ${expectedBad} bad records written raw: ${verified ? `${sealed}, archived and verified with the events` : `${sealed} so far`}`;
}
