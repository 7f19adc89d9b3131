import { byLabel, samples, sum } from './prometheus-text';

/*
 * What the demo knows about the pipeline at one moment, read from the
 * services themselves (their /metrics and /readyz) and from Kafka — never
 * guessed. Each part is undefined while its source has not answered yet.
 * Every count here is in chain entries / Kafka records, so good events and
 * bad records are both in them; the final line (demo-outcome.ts) separates them.
 */

export interface ProducedCounts {
  /** Good events Kafka acknowledged (SDK receipts). */
  events: number;
  /** Bad records Kafka acknowledged (written raw). */
  bad: number;
  /** Good events or bad records that failed for good (delivery timeout, send failure). */
  failed: number;
}

export interface SealedCounts {
  /** `event` entries committed by the chainer. */
  events: number;
  /** `rejected` entries committed by the chainer. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Records of audit.events not yet sealed (the chainer's consumer_lag, summed). */
  lag: number;
}

export interface ArchivedCounts {
  /** Chain entries archived: Σ over partitions of (archived head seq + 1). */
  entries: number;
  /** Offsets of audit.sealed not yet archived (the archiver's lag_entries, summed; transaction markers count). */
  lag: number;
}

/** The verifier's last pass (its /readyz `detail.lastPass`). */
export interface VerifierPass {
  /** Archived entries verified in total as of that pass. */
  entries: number;
  /** Open findings in that pass. */
  findings: number;
  startedAt: number;
  finishedAt: number;
}

export interface PipelineSnapshot {
  /** ms since the epoch. */
  at: number;
  produced: ProducedCounts;
  sealed: SealedCounts | undefined;
  archived: ArchivedCounts | undefined;
  verified: VerifierPass | undefined;
  /** Records on this run's audit.alerts topic. */
  alerts: number | undefined;
}

/** The chainer's /metrics → sealed counts (OPERATIONS.md "Chainer → Metrics"). */
export function sealedFromMetrics(text: string): SealedCounts | undefined {
  const kinds = byLabel(text, 'auditseal_chainer_entries_sealed_total', 'kind');
  if (samples(text, 'auditseal_chainer_entries_sealed_total').length === 0 && sum(text, 'auditseal_chainer_partitions_assigned') === undefined) return undefined;
  return {
    events: kinds.event ?? 0,
    rejected: kinds.rejected ?? 0,
    rejectedByReason: byLabel(text, 'auditseal_chainer_rejected_total', 'reason'),
    lag: Math.max(0, sum(text, 'auditseal_chainer_consumer_lag') ?? 0),
  };
}

/** The archiver's /metrics → archived counts (OPERATIONS.md "Archiver → Metrics"). */
export function archivedFromMetrics(text: string): ArchivedCounts | undefined {
  const heads = samples(text, 'auditseal_archiver_archived_head_seq');
  if (heads.length === 0 && sum(text, 'auditseal_archiver_entries_archived_total') === undefined) return undefined;
  return {
    entries: heads.reduce((n, s) => n + Math.max(0, s.value + 1), 0),
    lag: Math.max(0, sum(text, 'auditseal_archiver_lag_entries') ?? 0),
  };
}

/**
 * The verifier's /readyz body → its last pass. The body is parsed
 * defensively (a service of ours, but still bytes from a socket).
 */
export function verifierPassFromReadyz(body: string): VerifierPass | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  const last = (doc as { detail?: { lastPass?: unknown } } | null)?.detail?.lastPass as Record<string, unknown> | undefined;
  if (typeof last !== 'object' || last === null) return undefined;
  const { entries, findings, at, durationMs } = last;
  const finishedAt = typeof at === 'string' ? Date.parse(at) : NaN;
  if (typeof entries !== 'number' || typeof findings !== 'number' || !Number.isFinite(finishedAt)) return undefined;
  const duration = typeof durationMs === 'number' && durationMs >= 0 ? durationMs : 0;
  return { entries, findings, finishedAt, startedAt: finishedAt - duration };
}

/** Records written to audit.events so far (good + bad). */
export function producedRecords(p: ProducedCounts): number {
  return p.events + p.bad;
}
