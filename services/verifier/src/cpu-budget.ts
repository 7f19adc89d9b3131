import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * How many CPUs the verifier may keep busy, for its default VERIFIER_WORKERS:
 * the cores it may run on (availableParallelism) bounded by a container's CPU
 * limit. A pod limited to 2 CPUs on a 64-core node sees 64 cores; a thread per
 * core there is 64 Kafka and S3 clients throttled onto 2 CPUs. The limit is
 * cgroup v2's `cpu.max` (quota period, or `max`) or cgroup v1's
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1: none), whole CPUs
 * rounded down, at least 1.
 */

export const MAX_WORKERS = 64;

/** Whole CPUs a quota allows per period; undefined for no limit or text that is not one. */
export function cpusOfQuota(quota: string, period: string): number | undefined {
  if (quota.trim() === 'max' || quota.trim() === '-1') return undefined;
  const q = Number(quota.trim());
  const p = Number(period.trim());
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.max(1, Math.floor(q / p));
}

/** The CPU limit of this process's cgroup, if any; `read` returns a file's text or throws (tests give their own). */
export function cgroupCpuLimit(read: (path: string) => string = (path) => readFileSync(path, 'utf8')): number | undefined {
  try {
    const [quota, period] = read('/sys/fs/cgroup/cpu.max').trim().split(/\s+/);
    return quota !== undefined && period !== undefined ? cpusOfQuota(quota, period) : undefined;
  } catch {
    // not cgroup v2 (or no such file): try v1
  }
  try {
    return cpusOfQuota(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  } catch {
    return undefined;
  }
}

/** A thread per CPU the verifier may use, at most MAX_WORKERS; none with one CPU, where a thread only adds overhead. */
export function defaultWorkerCount(cores: number = availableParallelism(), limit: number | undefined = cgroupCpuLimit()): number {
  const cpus = Math.min(cores, limit ?? cores, MAX_WORKERS);
  return cpus > 1 ? cpus : 0;
}
