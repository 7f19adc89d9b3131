import { cgroupCpuLimit, cpusOfQuota, defaultWorkerCount, MAX_WORKERS } from './cpu-budget';

const files = (entries: Record<string, string>) => (path: string) => {
  const text = entries[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};

describe('cgroupCpuLimit', () => {
  it('reads cgroup v2 cpu.max as whole CPUs, rounded down, at least one', () => {
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '200000 100000\n' }))).toBe(2);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' }))).toBe(1);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
  });

  it('falls back to cgroup v1 quota and period (-1: no limit), and to no limit without either', () => {
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBe(4);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBeUndefined();
    expect(cgroupCpuLimit(files({}))).toBeUndefined();
  });

  it('takes text that is not a quota for no limit', () => {
    expect(cpusOfQuota('lots', '100000')).toBeUndefined();
    expect(cpusOfQuota('100000', '0')).toBeUndefined();
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '' }))).toBeUndefined();
  });
});

describe('defaultWorkerCount', () => {
  it('is a thread per CPU the container allows, not per core of the node, and none on one CPU', () => {
    expect(defaultWorkerCount(64, 2)).toBe(2);
    expect(defaultWorkerCount(4, undefined)).toBe(4);
    expect(defaultWorkerCount(2, 8)).toBe(2);
    expect(defaultWorkerCount(64, 1)).toBe(0);
    expect(defaultWorkerCount(1, undefined)).toBe(0);
    expect(defaultWorkerCount(256, undefined)).toBe(MAX_WORKERS);
  });
});
