/*
 * Pure latency bookkeeping for the pipeline benchmarks: percentiles, and the
 * join of sealed entries with the archiver's "segment archived" log lines.
 */

/** Nearest-rank percentile (p in 0-100) of ascending `sorted`; NaN for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One entry read from audit.sealed. */
export interface SealedObservation {
  partition: number;
  seq: number;
  /** The chainer's sealing time (entry field `sealedAt`), ms since the epoch. */
  sealedAtMs: number;
}

/** One "segment archived" log line of the archiver: entries firstSeq..lastSeq of a partition's chain are in S3 and committed. */
export interface ArchivedSegment {
  partition: number;
  firstSeq: number;
  lastSeq: number;
  /** Time of the log line, ms since the epoch. */
  archivedAtMs: number;
}

export interface SealedToArchived {
  /** archivedAtMs - sealedAtMs per entry whose segment was seen, ascending. */
  latenciesMs: number[];
  /** Entries with no segment covering them. */
  unmatched: number;
}

/**
 * For each sealed entry, the time from its sealing to the archiver's log line
 * of the segment that holds it (segments of one partition do not overlap;
 * if a range was logged twice — a rebuilt segment — the first time counts).
 */
export function sealedToArchived(entries: readonly SealedObservation[], segments: readonly ArchivedSegment[]): SealedToArchived {
  const byPartition = new Map<number, ArchivedSegment[]>();
  for (const s of [...segments].sort((a, b) => a.firstSeq - b.firstSeq || a.archivedAtMs - b.archivedAtMs)) {
    const list = byPartition.get(s.partition) ?? [];
    if (list.at(-1)?.firstSeq !== s.firstSeq) list.push(s);
    byPartition.set(s.partition, list);
  }
  const latenciesMs: number[] = [];
  let unmatched = 0;
  for (const e of entries) {
    const list = byPartition.get(e.partition) ?? [];
    // Binary search for the last segment with firstSeq <= seq.
    let lo = 0;
    let hi = list.length - 1;
    let found: ArchivedSegment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.firstSeq <= e.seq) {
        found = list[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found && e.seq <= found.lastSeq) latenciesMs.push(Math.max(0, found.archivedAtMs - e.sealedAtMs));
    else unmatched++;
  }
  latenciesMs.sort((a, b) => a - b);
  return { latenciesMs, unmatched };
}

/** Reads a "segment archived" log record (services/archiver partition-archiver.ts); undefined for any other or a malformed one. */
export function archivedSegmentOf(record: { time?: unknown; msg?: unknown; partition?: unknown; firstSeq?: unknown; lastSeq?: unknown }): ArchivedSegment | undefined {
  if (record.msg !== 'segment archived' || typeof record.time !== 'string') return undefined;
  const { partition, firstSeq, lastSeq } = record;
  const archivedAtMs = Date.parse(record.time);
  if (!Number.isInteger(partition) || !Number.isInteger(firstSeq) || !Number.isInteger(lastSeq) || !Number.isFinite(archivedAtMs)) return undefined;
  return { partition: partition as number, firstSeq: firstSeq as number, lastSeq: lastSeq as number, archivedAtMs };
}
