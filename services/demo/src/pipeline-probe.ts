import type { Admin } from 'kafkajs';
import { archivedFromMetrics, sealedFromMetrics, verifierPassFromReadyz, type PipelineSnapshot, type ProducedCounts } from './pipeline-snapshot';
import type { ServiceProcess } from './service-process';

/*
 * Reads a PipelineSnapshot from the running services: the chainer's and the
 * archiver's /metrics, the verifier's /readyz, and the end offsets of this
 * run's audit.alerts. A source that does not answer keeps its last value.
 */

const TIMEOUT_MS = 3_000;

async function get(service: ServiceProcess, path: string): Promise<string | undefined> {
  const port = service.port();
  if (port === undefined) return undefined;
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return await response.text();
  } catch {
    return undefined;
  }
}

/** Records on the topic: Σ (high watermark − log start) over its partitions. */
async function recordCount(admin: Admin, topic: string): Promise<number | undefined> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Math.max(0, Number(o.high) - Number(o.low)), 0);
  } catch {
    return undefined;
  }
}

export interface PipelineProbe {
  read(produced: ProducedCounts): Promise<PipelineSnapshot>;
}

export function createPipelineProbe(options: { chainer: ServiceProcess; archiver: ServiceProcess; verifier: ServiceProcess; admin: Admin; alertsTopic: string }): PipelineProbe {
  let last: Omit<PipelineSnapshot, 'at' | 'produced'> = { sealed: undefined, archived: undefined, verified: undefined, alerts: undefined };
  return {
    async read(produced) {
      const [chainerMetrics, archiverMetrics, verifierReady, alerts] = await Promise.all([
        get(options.chainer, '/metrics'),
        get(options.archiver, '/metrics'),
        get(options.verifier, '/readyz'),
        recordCount(options.admin, options.alertsTopic),
      ]);
      last = {
        sealed: (chainerMetrics !== undefined ? sealedFromMetrics(chainerMetrics) : undefined) ?? last.sealed,
        archived: (archiverMetrics !== undefined ? archivedFromMetrics(archiverMetrics) : undefined) ?? last.archived,
        verified: (verifierReady !== undefined ? verifierPassFromReadyz(verifierReady) : undefined) ?? last.verified,
        alerts: alerts ?? last.alerts,
      };
      return { at: Date.now(), produced, ...last };
    },
  };
}
