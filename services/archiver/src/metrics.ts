import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The archiver's Prometheus metrics (prefix `auditseal_archiver_`), described in docs/OPERATIONS.md "Archiver → Metrics". */
export interface ArchiverMetrics {
  readonly segmentsWritten: Counter<'result'>;
  readonly objectsWritten: Counter<'kind' | 'result'>;
  readonly bytesWritten: Counter;
  readonly entriesArchived: Counter;
  readonly putSeconds: Histogram<'kind'>;
  readonly archivedLatencySeconds: Histogram;
  readonly lagEntries: Gauge<'partition'>;
  readonly lagSeconds: Gauge<'partition'>;
  readonly archivedHeadSeq: Gauge<'partition'>;
  readonly partitionStopped: Gauge<'partition'>;
  readonly alerts: Counter<'kind'>;
  readonly checkpointsWritten: Counter;
  forgetPartition(partition: number): void;
}

export const METRIC_PREFIX = 'auditseal_archiver_';

export function createArchiverMetrics(registry: Registry): ArchiverMetrics {
  const registers = [registry];
  const p = METRIC_PREFIX;
  const perPartition = (name: string, help: string) => new Gauge({ name: `${p}${name}`, help, labelNames: ['partition'] as const, registers });
  const lagEntries = perPartition('lag_entries', 'Offsets of audit.sealed not yet archived: high watermark minus the next offset to archive (includes transaction markers).');
  const lagSeconds = perPartition('lag_seconds', 'Age of the oldest sealed entry not yet archived (0 when nothing is pending).');
  const archivedHeadSeq = perPartition('archived_head_seq', 'Seq of the last archived entry of the chain (-1: nothing archived).');
  const partitionStopped = perPartition('partition_stopped', '1 when archiving of the partition is stopped and needs an operator (see the error log), else 0.');
  return {
    segmentsWritten: new Counter({ name: `${p}segments_written_total`, help: 'Segments archived with their manifest, by result (created | identical | adopted).', labelNames: ['result'] as const, registers }),
    objectsWritten: new Counter({ name: `${p}objects_written_total`, help: 'Put-once calls, by object kind (segment, manifest, checkpoint, key) and result (created, identical, conflict, error).', labelNames: ['kind', 'result'] as const, registers }),
    bytesWritten: new Counter({ name: `${p}bytes_written_total`, help: 'Bytes of segment objects archived.', registers }),
    entriesArchived: new Counter({ name: `${p}entries_archived_total`, help: 'Sealed entries archived.', registers }),
    putSeconds: new Histogram({
      name: `${p}put_seconds`,
      help: 'Latency of one S3 put-once (PUT, plus GET on 412), by object kind.',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    archivedLatencySeconds: new Histogram({
      name: `${p}sealed_to_archived_seconds`,
      help: 'Per entry: time from sealing (sealedAt) to the commit of its archived segment.',
      buckets: [0.5, 1, 2, 5, 10, 15, 20, 25, 30, 32, 34, 36, 38, 40, 45, 50, 60, 90, 120, 300, 600],
      registers,
    }),
    lagEntries,
    lagSeconds,
    archivedHeadSeq,
    partitionStopped,
    alerts: new Counter({ name: `${p}alerts_total`, help: 'Alerts raised, by kind (broken_chain, conflict, undecodable, bad_manifest, unexpected_objects).', labelNames: ['kind'] as const, registers }),
    checkpointsWritten: new Counter({ name: `${p}checkpoints_written_total`, help: 'Signed checkpoints written.', registers }),
    forgetPartition(partition) {
      for (const g of [lagEntries, lagSeconds, archivedHeadSeq, partitionStopped]) g.remove({ partition: String(partition) });
    },
  };
}
