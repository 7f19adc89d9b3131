import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

export interface HealthState {
  /** Process is alive and its loops are not wedged. */
  live(): boolean;
  /** Ready to do its work (connected, topics checked, partitions assigned). */
  ready(): { ready: boolean; detail?: Record<string, unknown> };
}

export interface ServiceServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** A registry with the process's default metrics, prefixed per service. */
export function createMetricsRegistry(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  return registry;
}

/**
 * `/healthz` (liveness), `/readyz` (readiness, with detail as JSON) and
 * `/metrics` (Prometheus text format) on one port. Port 0 picks a free one.
 */
export async function startServiceServer(options: { port: number; host?: string; health: HealthState; registry: Registry }): Promise<ServiceServer> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (url === '/healthz') {
      const live = options.health.live();
      res.writeHead(live ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ live }));
    } else if (url === '/readyz') {
      const state = options.health.ready();
      res.writeHead(state.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(state));
    } else if (url === '/metrics') {
      options.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
