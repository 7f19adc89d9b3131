/*
 * What each ratio and figure of `npm run bench` measures, and its target
 * where an issue set one — the text docs/BENCHMARKS.md prints beside each
 * number. Kept apart from the benchmarks so the report can describe every
 * name, whoever owns the benchmark that produces it.
 */

export interface Target {
  /** `min`: the value must be ≥ `value`; `max`: ≤ `value`. */
  readonly kind: 'min' | 'max';
  readonly value: number;
  /** Where the target comes from. */
  readonly source: string;
}

export interface RatioInfo {
  /** What "ours" is. */
  readonly measures: string;
  /** What it is divided by (measured in the same run). */
  readonly baseline: string;
  readonly target?: Target;
  /** The figures (same benchmark) holding the two rates it compares, [ours, baseline], when it reports them. */
  readonly rates?: readonly [string, string];
}

export interface FigureInfo {
  readonly measures: string;
  readonly target?: Target;
}

const min = (value: number, source: string): Target => ({ kind: 'min', value, source });
const max = (value: number, source: string): Target => ({ kind: 'max', value, source });

/** The headline ratio (issue 6): whole-pipeline throughput against raw produce of the same records. */
export const HEADLINE_RATIO = 'e2e_vs_raw_produce';

export const RATIOS: Readonly<Record<string, RatioInfo>> = {
  e2e_vs_raw_produce: {
    measures: 'sealed+archived events/s of the whole pipeline running together (SDK emit → chainer with transactions → archiver to S3, verifier alongside)',
    baseline: 'raw batched kafkajs produce (idempotent, acks=all, 1,000 per request; kafkajs with patches/kafkajs@2.2.4.patch, as every service uses it) of the same events, same round',
    target: min(0.25, 'issue 6'),
    rates: ['e2e_events_per_s', 'e2e_raw_produce_events_per_s'],
  },
  chain_hash_vs_createhash: {
    measures: 'chain links per second at 500 B bodies (`ChainLinker.sealBody`: SHA-256 of the body + SHA-256 of the link input)',
    baseline: "one `createHash('sha256')` of the same body",
    target: min(0.8, 'issue 1'),
    rates: ['chain_link_ops_per_s_500B', 'createhash_ops_per_s_500B'],
  },
  chain_hash_vs_createhash_100B: { measures: 'as `chain_hash_vs_createhash`, 100 B bodies', baseline: "one `createHash('sha256')` of the body", rates: ['chain_link_ops_per_s_100B', 'createhash_ops_per_s_100B'] },
  chain_hash_vs_createhash_2KiB: { measures: 'as `chain_hash_vs_createhash`, 2 KiB bodies', baseline: "one `createHash('sha256')` of the body", rates: ['chain_link_ops_per_s_2KiB', 'createhash_ops_per_s_2KiB'] },
  merkle_root_vs_createhash: { measures: 'RFC 6962 Merkle root of 1M 32-byte leaves, leaves/s', baseline: "one `createHash('sha256')` per leaf" },
  kafkajs_vs_producer_perf: {
    measures: 'raw batched kafkajs produce (the SDK baseline), events/s',
    baseline: "Kafka's own ProducerPerformance (Java client, kafka-producer-perf-test), same record count and mean size, acks=all, idempotent",
    rates: ['raw_kafkajs_events_per_s', 'producer_perf_events_per_s'],
  },
  sdk_vs_raw_produce: {
    measures: '`emit` of @auditseal/producer (validate, encode, batch, acks=all idempotent send, a receipt per event), events/s',
    baseline: 'raw batched kafkajs produce of the same events, pre-encoded',
    target: min(0.7, 'issue 2'),
    rates: ['sdk_emit_events_per_s', 'raw_produce_events_per_s'],
  },
  chainer_eos_vs_alo: {
    measures: 'chainer events/s, exactly-once (one Kafka transaction per batch)',
    baseline: 'the same chainer at-least-once (idempotent producer, commit after send), same input',
    target: min(0.85, 'issue 2'),
    rates: ['chainer_eos_events_per_s', 'chainer_alo_events_per_s'],
  },
  archiver_vs_chainer: {
    measures: 'archiver entries/s (segments + signed manifests in S3, Object Lock)',
    baseline: 'the chainer sealing the same events',
    target: min(0.95, 'issue 3'),
    rates: ['archiver_entries_per_s', 'archiver_chainer_entries_per_s'],
  },
  verifier_vs_ingest: {
    measures: "one full verifier pass (audit.sealed, audit.events and the archive, cross-checked), entries/s",
    baseline: 'the chainer sealing the same events (the sustained ingest rate)',
    target: min(2, 'issue 5'),
    rates: ['verifier_entries_per_s', 'verifier_ingest_entries_per_s'],
  },
  rehash_vs_createhash: {
    measures: "the verifier's re-hash of a segment a previous pass verified (size and SHA-256 against its signed manifest, `checkSegmentBytes`), MiB of segment/s",
    baseline: "`createHash('sha256')` on 1 MiB buffers",
    target: min(0.5, 'issue 5'),
    rates: ['segment_rehash_mib_per_s', 'createhash_1mib_mib_per_s'],
  },
};

const FIGURES: Readonly<Record<string, FigureInfo>> = {
  e2e_events_per_s: { measures: 'whole pipeline: events emitted by the SDK until all are archived (median of rounds)' },
  e2e_raw_produce_events_per_s: { measures: "e2e's baseline: raw batched kafkajs produce of the same events (median of rounds)" },
  e2e_latency_rate_events_per_s: { measures: 'rate of the e2e latency phase (half the measured e2e rate)' },
  e2e_produce_to_sealed_p50_ms: { measures: 'e2e latency phase: Kafka timestamp of the input record → a read_committed consumer of audit.sealed receives its entry, p50' },
  e2e_produce_to_sealed_p99_ms: { measures: 'the same, p99', target: max(1000, 'issue 2 (produce→sealed p99 ≤ 1 s at half load)') },
  e2e_sealed_to_archived_p50_ms: { measures: "e2e latency phase: entry's sealedAt → the archiver's \"segment archived\" log line of its segment, p50 (segments cut by age: 2 s in this benchmark)" },
  e2e_sealed_to_archived_p99_ms: { measures: 'the same, p99' },
  chainer_peak_rss_mib: { measures: 'peak RSS (VmHWM) of the chainer process over the e2e runs, MiB' },
  archiver_peak_rss_mib: { measures: 'peak RSS (VmHWM) of the archiver process over the e2e runs, MiB' },
  verifier_peak_rss_mib: { measures: 'peak RSS (VmHWM) of the verifier process over the e2e runs (full passes of each round), MiB' },
  raw_kafkajs_events_per_s: { measures: 'raw batched kafkajs produce, events/s (median of rounds)' },
  producer_perf_events_per_s: { measures: 'ProducerPerformance steady-state records/s (median of rounds)' },
  producer_perf_p50_ms: { measures: "ProducerPerformance's send→ack latency p50 at full speed (a measure of queueing)" },
  producer_perf_p99_ms: { measures: "ProducerPerformance's send→ack latency p99 at full speed" },
  produce_record_bytes: { measures: 'mean encoded size of the benchmark events = ProducerPerformance --record-size' },
  sdk_emit_events_per_s: { measures: 'SDK `emit` events/s (median of rounds)' },
  sdk_signed_emit_events_per_s: { measures: 'SDK `emit` events/s with a signing key (an Ed25519 signature per event, FORMAT.md 8.5), same events (median of rounds)' },
  raw_produce_events_per_s: { measures: "sdk-vs-raw's baseline: raw batched kafkajs produce, events/s" },
  chainer_eos_events_per_s: { measures: 'chainer, exactly-once, events/s on pre-produced input' },
  chainer_alo_events_per_s: { measures: 'chainer, at-least-once baseline, events/s' },
  chainer_latency_rate_events_per_s: { measures: 'rate of the chainer latency phase (half the exactly-once maximum)' },
  chainer_latency_p50_ms: { measures: 'chainer alone: produce→sealed p50 at half its maximum rate' },
  chainer_latency_p99_ms: { measures: 'chainer alone: produce→sealed p99 at half its maximum rate', target: max(1000, 'issue 2') },
  archiver_entries_per_s: { measures: 'archiver entries/s on a pre-sealed backlog' },
  archiver_chainer_entries_per_s: { measures: "archiver benchmark's baseline: chainer entries/s on the same events" },
  archiver_puts_per_million_events: { measures: 'archiver PUTs (segments, manifests, checkpoints, key file) per million events at full speed', target: max(100, 'issue 3') },
  archiver_sealed_to_archived_p99_seconds: { measures: 'archiver at 500 events/s with default 30 s segment age: bucket bound of the p99 sealed→archived' },
  verifier_entries_per_s: { measures: 'verifier full pass, entries/s' },
  verifier_ingest_entries_per_s: { measures: "verifier benchmark's baseline: chainer entries/s" },
  verifier_pass_seconds: { measures: 'duration of that full pass, s' },
  verify_archive_events: { measures: '`auditseal verify-archive`: entries in the archive it checked' },
  verify_archive_seconds: { measures: '`auditseal verify-archive` over that archive, start to exit, s' },
  verify_archive_entries_per_s: { measures: '`auditseal verify-archive`, entries/s' },
  segment_rehash_mib_per_s: { measures: 'segment re-hash against its manifest, MiB of segment object/s' },
  segment_rehash_segment_mib: { measures: 'size of the checked segment object, MiB' },
  segment_check_mib_per_s: { measures: 'segment verified whole (`checkSegment`: re-hash, inflate, parse, chain links, Merkle root, head), MiB of segment object/s' },
  segment_check_uncompressed_mib_per_s: { measures: 'the same, MiB of entry bytes before deflate/s' },
  segment_check_entries_per_s: { measures: 'the same, entries/s' },
  createhash_1mib_mib_per_s: { measures: "segment-rehash's baseline: createHash on 1 MiB buffers, MiB/s" },
  merkle_root_1M_leaves_per_s: { measures: 'Merkle root, leaves/s' },
  merkle_root_1M_seconds: { measures: 'Merkle root of 1M leaves, s' },
  createhash_1M_leaves_seconds: { measures: 'merkle-root baseline: createHash of 1M leaves, s' },
  seal_entry_ops_per_s_500B: { measures: "encode the body from its fields + seal, 500 B (the chainer's per-record cost)" },
  chain_link_portable_ops_per_s_500B: { measures: 'chain links/s with the portable @noble/hashes backend, 500 B' },
};

/** Figures whose names follow a pattern (one per body size). */
const FIGURE_PATTERNS: readonly [RegExp, (m: RegExpExecArray) => FigureInfo][] = [
  [/^chain_link_ops_per_s_(\w+)$/, (m) => ({ measures: `chain links/s (node:crypto), ${m[1]} bodies` })],
  [/^createhash_ops_per_s_(\w+)$/, (m) => ({ measures: `chain-hash baseline: createHash/s, ${m[1]} bodies` })],
];

export function ratioInfo(name: string): RatioInfo | undefined {
  return Object.hasOwn(RATIOS, name) ? RATIOS[name] : undefined;
}

export function figureInfo(name: string): FigureInfo | undefined {
  if (Object.hasOwn(FIGURES, name)) return FIGURES[name];
  for (const [pattern, info] of FIGURE_PATTERNS) {
    const m = pattern.exec(name);
    if (m) return info(m);
  }
  return undefined;
}

/** `pass` / `fail` against the target, `none` without one (or for a value that is not a finite number). */
export function judge(value: number, target: Target | undefined): 'pass' | 'fail' | 'none' {
  if (!target || !Number.isFinite(value)) return 'none';
  return (target.kind === 'min' ? value >= target.value : value <= target.value) ? 'pass' : 'fail';
}

export function formatTarget(target: Target | undefined): string {
  if (!target) return '—';
  return `${target.kind === 'min' ? '≥' : '≤'} ${target.value}`;
}
