import { parseProcStatus, readProcessMemory } from './proc-status';

const STATUS = ['Name:\tnode', 'VmPeak:\t 1234567 kB', 'VmHWM:\t  204800 kB', 'VmRSS:\t  102400 kB', 'Threads:\t11', ''].join('\n');

describe('parseProcStatus', () => {
  describe('when VmHWM and VmRSS are present', () => {
    it('returns them in bytes', () => {
      expect(parseProcStatus(STATUS)).toEqual({ peakRssBytes: 200 * 1024 * 1024, rssBytes: 100 * 1024 * 1024 });
    });
  });

  describe('when a line is missing or malformed', () => {
    it('returns undefined', () => {
      expect(parseProcStatus('Name:\tnode\nVmRSS:\t 10 kB\n')).toBeUndefined();
      expect(parseProcStatus('VmHWM:\t x kB\nVmRSS:\t 10 kB\n')).toBeUndefined();
      expect(parseProcStatus('VmHWM:\t 10 parsecs\nVmRSS:\t 10 kB\n')).toBeUndefined();
      expect(parseProcStatus('')).toBeUndefined();
    });
  });
});

describe('readProcessMemory', () => {
  describe('when the process does not exist', () => {
    it('returns undefined instead of throwing', () => {
      expect(readProcessMemory(2 ** 30)).toBeUndefined();
    });
  });
});
