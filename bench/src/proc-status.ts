import { readFileSync } from 'node:fs';

/*
 * Memory of a service process from Linux's /proc/<pid>/status (proc(5)):
 * VmHWM is the peak resident set size over the process's life ("high water
 * mark"), so one read just before the process is stopped gives its peak —
 * no sampling loop that could miss a short spike.
 */

export interface ProcessMemory {
  /** VmHWM: peak resident set size, bytes. */
  peakRssBytes: number;
  /** VmRSS: resident set size now, bytes. */
  rssBytes: number;
}

const UNITS: Record<string, number> = { B: 1, kB: 1024, KB: 1024, mB: 1024 ** 2, MB: 1024 ** 2, gB: 1024 ** 3, GB: 1024 ** 3 };

/** Parses the VmHWM and VmRSS lines of a /proc/<pid>/status text; undefined when either is missing or malformed. */
export function parseProcStatus(text: string): ProcessMemory | undefined {
  const field = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s*(\\w+)?\\s*$`, 'm').exec(text);
    if (!match) return undefined;
    const unit = UNITS[match[2] ?? 'B'];
    const value = Number(match[1]);
    return unit === undefined || !Number.isSafeInteger(value) ? undefined : value * unit;
  };
  const peakRssBytes = field('VmHWM');
  const rssBytes = field('VmRSS');
  return peakRssBytes === undefined || rssBytes === undefined ? undefined : { peakRssBytes, rssBytes };
}

/** The memory of a running process, or undefined (no /proc, process gone, unreadable). */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
