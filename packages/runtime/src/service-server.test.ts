import { Counter } from 'prom-client';
import { createMetricsRegistry, startServiceServer } from './service-server';

describe('startServiceServer', () => {
  it('serves liveness, readiness with detail, and Prometheus metrics', async () => {
    const registry = createMetricsRegistry('test');
    new Counter({ name: 'test_entries_total', help: 'entries', registers: [registry] }).inc(3);
    let ready = false;
    const server = await startServiceServer({ port: 0, host: '127.0.0.1', registry, health: { live: () => true, ready: () => ({ ready, detail: { partitions: [] } }) } });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ ready: false, detail: { partitions: [] } });
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('test_entries_total 3');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
