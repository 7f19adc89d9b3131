import { randomBytes } from 'node:crypto';

/**
 * The id of one demo run, `20261127-033512-1a2b` (UTC start time + 4 random hex
 * digits): it names the run's topics (`demo-<id>.audit.events`, …), archive
 * prefix (`demo/<id>`) and logs, so runs sort by time, never collide with old
 * data and never need a purge.
 */
export function newRunId(now: Date, random: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${random}`;
}
