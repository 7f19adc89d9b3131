import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/*
 * One AuditSeal service (`node services/<name>/dist/main.js`) as a child
 * process of the demo: its JSON log goes to a file (not the terminal), its
 * HTTP port is read from its own log line, and it is stopped with SIGTERM,
 * then SIGKILL after a grace period. Children get a process group of their
 * own, so a Ctrl-C in the terminal reaches only the demo, which then stops
 * them in order (a second signal would make a service skip its graceful
 * shutdown).
 */

export interface ServiceProcess {
  readonly name: string;
  readonly logPath: string;
  /** Exit code (or signal name) once it exited; undefined while it runs. */
  exitStatus(): string | undefined;
  /** The port of /healthz /readyz /metrics, once the service logged it. */
  port(): number | undefined;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs: number): Promise<string>;
  /** SIGKILL now, synchronously: the last resort when the demo itself exits. */
  killNow(): void;
}

const PORT_LINE = /"msg":"serving \/healthz \/readyz \/metrics".*?"port":(\d+)/;

/** Finds the port in a service's log text (the line every service logs once its server listens). Pure. */
export function portFromLog(text: string): number | undefined {
  const m = PORT_LINE.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function startServiceProcess(options: { name: string; script: string; env: Record<string, string>; logPath: string }): ServiceProcess {
  if (!existsSync(options.script)) throw new Error(`${options.script} is missing: build first (npx turbo run build)`);
  const fd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.script], { env: options.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  let status: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => {
      status = code !== null ? `exit ${code}` : `signal ${signal ?? 'unknown'}`;
      resolve(status);
    });
    child.on('error', (error) => {
      status = `failed to start: ${error.message}`;
      resolve(status);
    });
  });
  let port: number | undefined;
  const readLog = () => {
    try {
      return readFileSync(options.logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const logStart = readLog().length;
  return {
    name: options.name,
    logPath: options.logPath,
    exitStatus: () => status,
    port() {
      port ??= portFromLog(readLog().slice(logStart));
      return port;
    },
    tail(lines = 5) {
      return readLog().slice(logStart).trimEnd().split('\n').slice(-lines).join('\n');
    },
    killNow() {
      if (status === undefined) child.kill('SIGKILL');
    },
    async stop(graceMs) {
      if (status !== undefined) return status;
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
