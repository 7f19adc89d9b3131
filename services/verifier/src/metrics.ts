import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The verifier's Prometheus metrics (prefix `auditseal_verifier_`), described in docs/OPERATIONS.md "Verifier → Metrics". */
export interface VerifierMetrics {
  readonly entriesVerified: Counter<'source'>;
  readonly segmentsVerified: Counter<'result'>;
  readonly findings: Counter<'kind' | 'severity'>;
  readonly openFindings: Gauge<'severity'>;
  readonly lastFullPass: Gauge;
  readonly passDuration: Histogram;
  readonly passFailures: Counter;
  readonly archiveLagEntries: Gauge<'partition'>;
  readonly archiveLagSeconds: Gauge<'partition'>;
  readonly chainerLag: Gauge<'partition'>;
}

export const METRIC_PREFIX = 'auditseal_verifier_';

export function createVerifierMetrics(registry: Registry): VerifierMetrics {
  const registers = [registry];
  const p = METRIC_PREFIX;
  const perPartition = (name: string, help: string) => new Gauge({ name: `${p}${name}`, help, labelNames: ['partition'] as const, registers });
  return {
    entriesVerified: new Counter({ name: `${p}entries_verified_total`, help: 'Entries verified, by source: archive (segments) or sealed (audit.sealed). Every pass counts what it read.', labelNames: ['source'] as const, registers }),
    segmentsVerified: new Counter({ name: `${p}segments_verified_total`, help: 'Segments verified, by result: valid, invalid, missing.', labelNames: ['result'] as const, registers }),
    findings: new Counter({ name: `${p}findings_total`, help: 'Distinct findings raised (each once, see findingId), by kind and severity.', labelNames: ['kind', 'severity'] as const, registers }),
    openFindings: new Gauge({ name: `${p}open_findings`, help: 'Distinct findings the last full pass found, by severity.', labelNames: ['severity'] as const, registers }),
    lastFullPass: new Gauge({ name: `${p}last_full_pass_timestamp_seconds`, help: 'When the last successful full pass ended (Unix seconds; 0: none yet).', registers }),
    passDuration: new Histogram({ name: `${p}pass_duration_seconds`, help: 'Duration of a successful full pass.', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800], registers }),
    passFailures: new Counter({ name: `${p}pass_failures_total`, help: 'Passes that failed with a Kafka or S3 error (retried at the next interval).', registers }),
    archiveLagEntries: perPartition('archive_lag_entries', 'Sealed entries of the chain not yet archived (audit.sealed head seq minus archived head seq), at the last pass.'),
    archiveLagSeconds: perPartition('archive_lag_seconds', 'Age of the oldest sealed entry not yet archived, at the last pass (0: none waits).'),
    chainerLag: perPartition('chainer_lag', 'Committed audit.events records after the chain\'s last entry (not sealed yet), at the last pass.'),
  };
}
