import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The chainer's Prometheus metrics (prefix `auditseal_chainer_`); each one is
 * described for operators in docs/OPERATIONS.md "Chainer → Metrics".
 */
export interface ChainerMetrics {
  readonly entriesSealed: Counter<'kind'>;
  readonly rejected: Counter<'reason'>;
  readonly batchSize: Histogram;
  readonly transactionSeconds: Histogram;
  readonly transactionFailures: Counter<'partition' | 'cause'>;
  readonly recoveries: Counter<'outcome'>;
  readonly consumerLag: Gauge<'partition'>;
  readonly chainHeadSeq: Gauge<'partition'>;
  readonly partitionStopped: Gauge<'partition'>;
  readonly partitionsAssigned: Gauge;
  /** Drops the per-partition series of a partition this instance no longer owns. */
  forgetPartition(partition: number): void;
}

export const METRIC_PREFIX = 'auditseal_chainer_';

export function createChainerMetrics(registry: Registry): ChainerMetrics {
  const registers = [registry];
  const p = METRIC_PREFIX;
  const consumerLag = new Gauge({
    name: `${p}consumer_lag`,
    help: 'Records of the events partition not yet sealed: high watermark minus the next offset to seal.',
    labelNames: ['partition'] as const,
    registers,
  });
  const chainHeadSeq = new Gauge({
    name: `${p}chain_head_seq`,
    help: 'Seq of the last committed entry of the chain (-1: empty chain).',
    labelNames: ['partition'] as const,
    registers,
  });
  const partitionStopped = new Gauge({
    name: `${p}partition_stopped`,
    help: '1 when sealing of the partition is stopped and needs an operator (see the error log), else 0.',
    labelNames: ['partition'] as const,
    registers,
  });
  return {
    entriesSealed: new Counter({
      name: `${p}entries_sealed_total`,
      help: 'Entries committed to audit.sealed, by kind (event | rejected).',
      labelNames: ['kind'] as const,
      registers,
    }),
    rejected: new Counter({
      name: `${p}rejected_total`,
      help: 'Input records sealed as rejected entries, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: `${p}batch_size`,
      help: 'Records sealed per transaction.',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    transactionSeconds: new Histogram({
      name: `${p}transaction_duration_seconds`,
      help: 'Time from beginning a transaction to its commit (send + offsets + commit), successful ones only.',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    transactionFailures: new Counter({
      name: `${p}transaction_failures_total`,
      help: 'Transactions aborted or failed; cause is fenced (another instance took the partition) or error.',
      labelNames: ['partition', 'cause'] as const,
      registers,
    }),
    recoveries: new Counter({
      name: `${p}head_recoveries_total`,
      help: 'Chain head recoveries, by outcome (ok | stopped | retry).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    consumerLag,
    chainHeadSeq,
    partitionStopped,
    partitionsAssigned: new Gauge({
      name: `${p}partitions_assigned`,
      help: 'Partitions of audit.events assigned to this instance.',
      registers,
    }),
    forgetPartition(partition: number) {
      const labels = { partition: String(partition) };
      consumerLag.remove(labels);
      chainHeadSeq.remove(labels);
      partitionStopped.remove(labels);
    },
  };
}
