import { finding, type Finding } from './findings';

/**
 * Check 6 (DESIGN.md "Verifier" 5): the archive and the checkpoints keep up
 * with the chain. Measured from the oldest entry still waiting — the first
 * entry after the archived head (after the latest checkpoint) — so a quiet
 * chain with nothing new never looks stalled, and a stall is reported once
 * under the seq where progress stopped (its findingId stays the same while
 * the lag grows). The clock is injected (`now`), never read here.
 */

export interface LivenessThresholds {
  /** archive_stalled when the oldest unarchived entry was sealed longer ago than this. */
  maxArchiveDelayMs?: number;
  /** archive_stalled when more entries than this wait to be archived. */
  maxArchiveLagEntries?: number;
  /** checkpoint_stale when the oldest entry after the latest checkpoint was sealed longer ago than this. */
  maxCheckpointAgeMs?: number;
}

export interface LivenessInput {
  chainId: string;
  now: Date;
  /** Last seq of the chain as far as the verifier read it (audit.sealed head, else the archive head). */
  headSeq: number | undefined;
  archivedHead: number | undefined;
  /** sealedAt (µs) of entry archivedHead + 1, when it was read. */
  firstUnarchivedSealedAt?: number;
  lastSegmentCreatedAt?: Date;
  latestCheckpoint?: { headSeq: number; time: Date; key: string };
  /** sealedAt (µs) of the entry after the latest checkpoint's head, when it was read. */
  firstUncheckpointedSealedAt?: number;
  thresholds: LivenessThresholds;
}

export interface LivenessResult {
  findings: Finding[];
  /** Entries sealed but not archived. */
  archiveLagEntries: number;
  /** Age of the oldest unarchived entry, ms (0 when none waits). */
  archiveDelayMs: number;
  /** Age of the oldest entry no checkpoint covers, ms (0 when none waits). */
  checkpointDelayMs: number;
  /** Age of the newest segment's manifest, ms (undefined without one): a metric, never a finding by itself — a quiet chain has old segments. */
  lastSegmentAgeMs: number | undefined;
}

export function checkLiveness(input: LivenessInput): LivenessResult {
  const { chainId, now, thresholds: t } = input;
  const findings: Finding[] = [];
  const head = input.headSeq ?? -1;
  const archived = input.archivedHead ?? -1;
  const lag = Math.max(0, head - archived);
  const age = (micros: number | undefined) => (micros === undefined ? 0 : Math.max(0, now.getTime() - Math.floor(micros / 1000)));
  const archiveDelayMs = lag > 0 ? age(input.firstUnarchivedSealedAt) : 0;
  const overDelay = t.maxArchiveDelayMs !== undefined && archiveDelayMs > t.maxArchiveDelayMs;
  const overLag = t.maxArchiveLagEntries !== undefined && lag > t.maxArchiveLagEntries;
  if (lag > 0 && (overDelay || overLag)) {
    findings.push(
      finding({
        kind: 'archive_stalled',
        chainId,
        seqs: { first: archived + 1, last: archived + 1 },
        expected: overDelay ? `oldest unarchived entry ≤ ${t.maxArchiveDelayMs} ms old` : `≤ ${t.maxArchiveLagEntries} entries waiting`,
        actual: overDelay ? `${archiveDelayMs} ms` : `${lag} entries`,
        message: `chain ${chainId} is archived up to seq ${archived}; ${lag} sealed entries wait, the oldest for ${Math.round(archiveDelayMs / 1000)} s`,
        details: {
          lagEntries: lag,
          delayMs: archiveDelayMs,
          ...(input.lastSegmentCreatedAt ? { lastSegmentCreatedAt: input.lastSegmentCreatedAt.toISOString() } : {}),
        },
      }),
    );
  }
  const cpSeq = input.latestCheckpoint?.headSeq ?? -1;
  const checkpointDelayMs = head > cpSeq ? age(input.firstUncheckpointedSealedAt) : 0;
  if (t.maxCheckpointAgeMs !== undefined && head > cpSeq && checkpointDelayMs > t.maxCheckpointAgeMs) {
    findings.push(
      finding({
        kind: 'checkpoint_stale',
        chainId,
        seqs: { first: cpSeq + 1, last: cpSeq + 1 },
        ...(input.latestCheckpoint ? { object: { key: input.latestCheckpoint.key } } : {}),
        expected: `a checkpoint within ${t.maxCheckpointAgeMs} ms`,
        actual: `${checkpointDelayMs} ms`,
        message: input.latestCheckpoint
          ? `the latest checkpoint of ${chainId} (seq ${cpSeq}, ${input.latestCheckpoint.time.toISOString()}) leaves entries from seq ${cpSeq + 1} unsigned for ${Math.round(checkpointDelayMs / 1000)} s`
          : `chain ${chainId} has no checkpoint; its entries have waited ${Math.round(checkpointDelayMs / 1000)} s`,
        details: { entriesAfterCheckpoint: head - cpSeq, delayMs: checkpointDelayMs },
      }),
    );
  }
  const lastSegmentAgeMs = input.lastSegmentCreatedAt ? Math.max(0, now.getTime() - input.lastSegmentCreatedAt.getTime()) : undefined;
  return { findings, archiveLagEntries: lag, archiveDelayMs, checkpointDelayMs, lastSegmentAgeMs };
}
