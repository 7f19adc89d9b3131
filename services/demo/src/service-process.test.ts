import { portFromLog } from './service-process';

describe('portFromLog', () => {
  it('finds the port in the line every service logs once its HTTP server listens', () => {
    const log = [
      '{"time":"2026-11-27T03:30:07.000Z","level":"info","service":"archiver","ns":"archiver","msg":"starting"}',
      '{"time":"2026-11-27T03:30:07.100Z","level":"info","service":"archiver","ns":"archiver","msg":"serving /healthz /readyz /metrics","port":34541}',
    ].join('\n');
    expect(portFromLog(log)).toBe(34541);
  });
  it('is undefined until that line is there', () => {
    expect(portFromLog('{"msg":"starting"}\n{"msg":"serving /healthz /readyz /metrics"')).toBeUndefined();
    expect(portFromLog('')).toBeUndefined();
  });
});
