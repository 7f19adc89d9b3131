import { producedRecords, type PipelineSnapshot } from './pipeline-snapshot';

/*
 * The live progress line. Pure: snapshots in, text out. On a terminal the
 * caller redraws one line (`\r` + clear); elsewhere it prints plain lines.
 * Counts are records/entries including the bad records (they are sealed,
 * archived and verified like the rest).
 */

export function formatCount(n: number | undefined): string {
  return n === undefined ? '…' : Math.round(n).toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Per-second rate between two values `ms` apart; undefined without a previous value. */
export function ratePerSecond(now: number | undefined, before: number | undefined, ms: number): number | undefined {
  if (now === undefined || before === undefined || ms <= 0) return undefined;
  return Math.max(0, ((now - before) * 1000) / ms);
}

export function progressLine(snapshot: PipelineSnapshot, previous: PipelineSnapshot | undefined, startedAt: number): string {
  const elapsed = snapshot.at - (previous?.at ?? snapshot.at);
  const produced = producedRecords(snapshot.produced);
  const sealed = snapshot.sealed ? snapshot.sealed.events + snapshot.sealed.rejected : undefined;
  const prevSealed = previous?.sealed ? previous.sealed.events + previous.sealed.rejected : undefined;
  const inRate = ratePerSecond(produced, previous ? producedRecords(previous.produced) : undefined, elapsed);
  const sealRate = ratePerSecond(sealed, prevSealed, elapsed);
  const parts = [
    `[${formatDuration(snapshot.at - startedAt)}]`,
    `produced ${formatCount(produced)}`,
    `sealed ${formatCount(sealed)}`,
    `archived ${formatCount(snapshot.archived?.entries)}`,
    `verified ${formatCount(snapshot.verified?.entries)}`,
    `rate ${formatCount(inRate)}/s in, ${formatCount(sealRate)}/s sealed`,
    `lag chainer ${formatCount(snapshot.sealed?.lag)}, archiver ${formatCount(snapshot.archived?.lag)}`,
    `alerts ${formatCount(snapshot.alerts)}`,
  ];
  if (snapshot.produced.failed > 0) parts.push(`FAILED ${formatCount(snapshot.produced.failed)}`);
  return parts.join(' | ');
}

/** What to write for one progress update: a redrawn line on a terminal, a plain line otherwise. */
export function renderProgress(line: string, tty: boolean, columns = 160): string {
  if (!tty) return `${line}\n`;
  // A terminal that reports no width (0) gets the whole line.
  const fitted = columns >= 20 && line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line;
  return `\r\x1b[K${fitted}`;
}
