import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { TestkitError } from './errors';
import { waitFor } from './wait-for';

// src/ when jest runs the sources, dist/ when built: the repository is three levels up.
const repositoryRoot = resolve(__dirname, '..', '..', '..');

export type ServiceName = 'chainer' | 'archiver' | 'verifier';

/** A built service (`node services/<name>/dist/main.js`) running as a child process, as in production. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  /** Every line it wrote to stdout and stderr (JSON log lines), in order. */
  readonly lines: string[];
  /** The last lines, for error messages. */
  tail(count?: number): string;
  /** Resolves once the process has ended, with its exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until the process has exited. */
  running(): boolean;
  /** The HTTP port it logged at start (`serving /healthz …`, with HTTP_PORT=0). */
  port(): Promise<number>;
  /** GET `path` on its HTTP port. */
  http(path: string): Promise<{ status: number; body: string }>;
  /** Sum of every series of the Prometheus metric `name` whose labels include `labels` (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Sends `signal` (no-op once exited). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs` (default 30 s); resolves once it has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Path of a service's built entry point; throws when it was not built. */
export function serviceMainJs(name: ServiceName): string {
  const main = resolve(repositoryRoot, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new TestkitError('infra_unavailable', `${main} is missing: build first (npx turbo run build)`);
  return main;
}

/**
 * Starts `node services/<name>/dist/main.js` with exactly `env` (plus PATH):
 * nothing of the test's own environment leaks into the service. Its output is
 * collected line by line. Pass HTTP_PORT=0 to let it pick a free port; `port()`
 * reads it from the log.
 */
export function startServiceProcess(name: ServiceName, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [serviceMainJs(name)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffered = '';
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) if (line.length > 0) lines.push(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const tail = (count = 20) => lines.slice(-count).join('\n');

  let portFound: number | undefined;
  const port = async (): Promise<number> => {
    if (portFound !== undefined) return portFound;
    portFound = (await waitFor(
      () => {
        if (!running()) throw new TestkitError('infra_unavailable', `${name} exited before it logged its HTTP port:\n${tail()}`);
        for (const line of lines) {
          const match = /"msg":"serving \/healthz[^"]*".*?"port":(\d+)/.exec(line);
          if (match) return Number(match[1]);
        }
        return undefined;
      },
      { description: `${name} to log its HTTP port`, timeoutMs: 30_000, intervalMs: 50 },
    )) as number;
    return portFound;
  };
  const http = async (path: string) => httpGet(await port(), path);

  return {
    name,
    child,
    lines,
    tail,
    exited,
    running,
    port,
    http,
    async metric(metricName, labels = {}) {
      const { body } = await http('/metrics');
      return sumMetric(body, metricName, labels);
    },
    kill(signal) {
      if (running()) child.kill(signal);
    },
    async stop(graceMs = 30_000) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Sum of the series of `name` in Prometheus text whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const request = get({ host: '127.0.0.1', port, path, timeout: 5_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolveGet({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} on port ${port} timed out`)));
    request.on('error', reject);
  });
}
