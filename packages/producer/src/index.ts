// @auditseal/producer: the SDK services emit audit events with (DESIGN.md
// "Who uses it"): validated, signed on request, batched, written with acks=all
// by an idempotent producer; every emit ends in a receipt or a typed error.
export { createAuditProducer, type AuditProducer, type CloseOptions } from './audit-producer';
export { PRODUCER_DEFAULTS, type AuditProducerOptions } from './options';
export { ProducerError, isProducerError, type ProducerErrorCode, type DeliveryOutcome } from './errors';
export type { EmitReceipt, ProducerStats, BatchMetrics } from './event-batcher';
export type { AuditEventInput, EventSigningKey } from './prepare-event';
export { createKafkaSender, type KafkaSender, type KafkaSenderOptions, type OutgoingRecord, type RecordPosition } from './kafka-sender';
// For `npm run bench` (bench/): SDK throughput against a raw kafkajs produce, in one run.
export { BENCH_SOURCE, benchEventInput, benchSdkVsRaw, emitBounded, createRawBenchProducer, encodeBenchEvents, sendRawBatched, type SdkVsRawOptions, type SdkVsRawResult } from './bench-sdk';
