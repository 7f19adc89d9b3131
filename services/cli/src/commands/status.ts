import { parseManifest, type SegmentManifest } from '@auditseal/archive';
import { decodeSealedEntry } from '@auditseal/codec';
import { parseChainId } from '@auditseal/core';
import { fetchPartitionOffsets, readPartition, silentLogger, type PartitionRecord } from '@auditseal/kafka';
import { parseArchiveKey } from '@auditseal/verify';
import { ARCHIVE_OPTIONS, COMMON_OPTIONS, parseCommandArgs, stringOption } from '../args';
import { openArchive, type OpenedArchive } from '../archive-source';
import { EXIT_OK, usageError } from '../errors';
import type { CliIo } from '../io';
import { KAFKA_HELP, KAFKA_OPTIONS, connectKafka, type KafkaContext } from '../kafka';
import type { Command } from './command';

interface ChainStatus {
  partition: number;
  chainId: string | undefined;
  sealed: { logStartOffset: number; endOffset: number; headSeq: number | undefined; headSealedAt: string | undefined } | undefined;
  archived: { lastSeq: number; lastOffset: number | undefined; segmentKey: string; createdAt: string } | undefined;
  /** headSeq − archived lastSeq when both are known. */
  archiveLagEntries: number | undefined;
}

interface AlertSummary {
  topic: string;
  records: number;
  /** Of the most recent records read (up to 1000 per partition): counts by severity and kind. */
  bySeverity: Record<string, number>;
  byKind: Record<string, number>;
  latest: Array<Record<string, unknown>>;
  unreadable: number;
}

/** A verifier instance's last pass, from its /readyz (detail.lastPass, detail.shard). */
interface VerifierPass {
  url: string;
  ready?: boolean;
  /** Which share of the chains the instance verifies (VERIFIER_SHARDS). */
  shard?: { index: number; count: number };
  lastPass?: Record<string, unknown>;
  raisedFindings?: number;
  error?: string;
}

/** The last `count` committed records of each partition of `topic`, oldest first. */
async function readLast(k: KafkaContext, topic: string, count: number): Promise<{ ranges: Array<{ partition: number; low: number; high: number }>; records: Map<number, PartitionRecord[]> }> {
  const offsets = await fetchPartitionOffsets(k.admin, topic);
  const ranges = [...offsets].map(([partition, r]) => ({ partition, low: r.logStartOffset, high: r.endOffset })).sort((a, b) => a.partition - b.partition);
  const records = new Map<number, PartitionRecord[]>();
  await Promise.all(
    ranges.map(async (r) => {
      const list: PartitionRecord[] = [];
      for await (const record of readPartition({ kafka: k.kafka, topic, partition: r.partition, fromOffset: Math.max(r.low, r.high - count), endOffset: r.high, logger: silentLogger, groupIdPrefix: 'auditseal-cli', idleTimeoutMs: 10_000 })) list.push(record);
      records.set(r.partition, list);
    }),
  );
  return { ranges, records };
}

async function fetchVerifierPass(url: string): Promise<VerifierPass> {
  const base = url.replace(/\/+$/, '');
  try {
    const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3_000) });
    const doc = (await response.json()) as { ready?: unknown; detail?: { lastPass?: unknown; raisedFindings?: unknown; shard?: { index?: unknown; count?: unknown } } };
    const lastPass = doc.detail?.lastPass;
    const shard = doc.detail?.shard;
    return {
      url: base,
      ready: doc.ready === true,
      ...(shard && typeof shard.index === 'number' && typeof shard.count === 'number' ? { shard: { index: shard.index, count: shard.count } } : {}),
      ...(lastPass && typeof lastPass === 'object' ? { lastPass: lastPass as Record<string, unknown> } : {}),
      ...(typeof doc.detail?.raisedFindings === 'number' ? { raisedFindings: doc.detail.raisedFindings } : {}),
    };
  } catch (error) {
    return { url: base, error: error instanceof Error ? error.message : String(error) };
  }
}

const pick = (doc: Record<string, unknown>, names: string[]) => Object.fromEntries(names.filter((n) => doc[n] !== undefined).map((n) => [n, doc[n]]));

export const statusCommand: Command = {
  name: 'status',
  summary: 'chain heads on Kafka, archived heads in S3, archive lag, recent alerts',
  help: `Usage: auditseal status [--brokers …] [--topic-prefix P] [--bucket B] [--prefix P] [--verifier URL …] [--json]

Per partition of audit.sealed: the chain head (the last committed entry's seq and
sealing time, read from Kafka), the archived head (the chain's last manifest in S3:
last seq, when it was signed) and the archive lag in entries; then the alerts on
audit.alerts (the verifier's findings: counts by severity and kind of the most
recent 1000 per partition, and the latest five); then the verifier's last pass
(from its /readyz: when, how long, open findings, entries verified), one line per
instance when the verifier runs sharded (VERIFIER_SHARDS). Without a bucket
(--bucket or S3_BUCKET) the archive columns are left out; without a verifier
URL, its last pass.

${KAFKA_HELP}
S3 (optional): --bucket, --prefix, --endpoint, --region as for verify-archive.
  --verifier <url>            the verifier's HTTP address, e.g. http://127.0.0.1:9466;
                              repeat it for each instance of a sharded verifier (env
                              AUDITSEAL_VERIFIER_URL, comma-separated); unreachable is
                              shown, not fatal
  --json                      the status as JSON
  -h, --help                  this help

Exit codes: 0 printed, 2 usage error or Kafka/S3 unreachable.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('status', argv, { ...COMMON_OPTIONS, ...KAFKA_OPTIONS, ...ARCHIVE_OPTIONS, verifier: { type: 'string', multiple: true } });
    const given = values.verifier;
    const verifierUrls = Array.isArray(given) ? given : (io.env.AUDITSEAL_VERIFIER_URL ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
    for (const url of verifierUrls) if (!/^https?:\/\/[^\s,]+$/.test(url)) throw usageError(`--verifier must be an http(s) URL, got ${JSON.stringify(url)}`);
    const k = await connectKafka(values, io.env, io.stderr);
    let archive: OpenedArchive | undefined;
    try {
      if (stringOption(values, 'bucket') ?? stringOption(values, 'dir') ?? io.env.S3_BUCKET) archive = await openArchive(values, io.env);
      const topics = new Set(await k.admin.listTopics());
      const chains = new Map<number, ChainStatus>();
      if (topics.has(k.names.sealed)) {
        const { ranges, records: tails } = await readLast(k, k.names.sealed, 16);
        for (const r of ranges) {
          let head: { seq: number; sealedAt: string; chainId: string } | undefined;
          for (const record of tails.get(r.partition) ?? []) {
            try {
              const e = decodeSealedEntry(record.value ?? new Uint8Array(0));
              if (!head || e.seq > head.seq) head = { seq: e.seq, sealedAt: new Date(Math.floor(e.sealedAt / 1000)).toISOString(), chainId: e.chainId };
            } catch {
              // a malformed record: the verifier reports it (malformed_record)
            }
          }
          chains.set(r.partition, {
            partition: r.partition,
            chainId: head?.chainId,
            sealed: { logStartOffset: r.low, endOffset: r.high, headSeq: head?.seq, headSealedAt: head?.sealedAt },
            archived: undefined,
            archiveLagEntries: undefined,
          });
        }
      }
      if (archive) {
        // The last manifest of each chain of this events topic.
        const last = new Map<string, string>();
        for await (const item of archive.reader.list(`${archive.prefix}/v1/`)) {
          const key = parseArchiveKey(archive.prefix, item.key);
          if (key?.type === 'manifest' && parseChainId(key.chainId).topic === k.names.events) last.set(key.chainId, item.key);
        }
        for (const [chainId, manifestKey] of last) {
          const partition = parseChainId(chainId).partition;
          const bytes = await archive.reader.get(manifestKey);
          let m: SegmentManifest | undefined;
          try {
            m = bytes ? parseManifest(bytes) : undefined;
          } catch {
            m = undefined; // verify-archive reports it
          }
          const c = chains.get(partition) ?? { partition, chainId, sealed: undefined, archived: undefined, archiveLagEntries: undefined };
          c.chainId ??= chainId;
          if (m) c.archived = { lastSeq: m.lastSeq, lastOffset: m.source?.lastOffset, segmentKey: m.segmentKey, createdAt: m.createdAt };
          chains.set(partition, c);
        }
        for (const c of chains.values()) {
          if (c.sealed?.headSeq !== undefined) c.archiveLagEntries = c.sealed.headSeq - (c.archived?.lastSeq ?? -1);
        }
      }
      let alerts: AlertSummary | undefined;
      if (topics.has(k.names.alerts)) {
        const { ranges, records: tails } = await readLast(k, k.names.alerts, 1000);
        alerts = { topic: k.names.alerts, records: ranges.reduce((n, r) => n + r.high - r.low, 0), bySeverity: {}, byKind: {}, latest: [], unreadable: 0 };
        const all = [...tails.values()].flat().sort((a, b) => a.timestamp - b.timestamp);
        for (const record of all) {
          let doc: Record<string, unknown>;
          try {
            doc = JSON.parse(record.value?.toString('utf8') ?? '') as Record<string, unknown>;
            if (typeof doc !== 'object' || doc === null) throw new Error('not an object');
          } catch {
            alerts.unreadable++;
            continue;
          }
          const severity = String(doc.severity ?? 'unknown');
          const kind = String(doc.kind ?? 'unknown');
          alerts.bySeverity[severity] = (alerts.bySeverity[severity] ?? 0) + 1;
          alerts.byKind[kind] = (alerts.byKind[kind] ?? 0) + 1;
          alerts.latest.push({ time: new Date(record.timestamp).toISOString(), ...pick(doc, ['kind', 'severity', 'chainId', 'seqs', 'message']) });
        }
        alerts.latest = alerts.latest.slice(-5).reverse();
      }
      const list = [...chains.values()].sort((a, b) => a.partition - b.partition);
      const verifiers = await Promise.all(verifierUrls.map(fetchVerifierPass));
      const status = { brokers: k.brokers, topics: k.names, archive: archive?.location ?? null, chains: list, alerts: alerts ?? null, verifiers };
      if (values.json === true) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
      else io.stdout(renderStatus(status, archive !== undefined));
      return EXIT_OK;
    } finally {
      archive?.close();
      await k.close();
    }
  },
};

function renderStatus(s: { brokers: string[]; topics: { events: string; sealed: string; alerts: string }; archive: string | null; chains: ChainStatus[]; alerts: AlertSummary | null; verifiers: VerifierPass[] }, withArchive: boolean): string {
  const out = [`Kafka    ${s.brokers.join(',')}  (${s.topics.events} → ${s.topics.sealed})`, `Archive  ${s.archive ?? 'not given (--bucket / S3_BUCKET)'}`, ''];
  const row = (cols: string[]) => cols.map((c, i) => c.padEnd([9, 14, 10, 24, 14, 24, 8][i] ?? 0)).join('  ').trimEnd();
  out.push(row(['partition', 'sealed offsets', 'head seq', 'head sealed at', ...(withArchive ? ['archived seq', 'archived at', 'lag'] : [])]));
  for (const c of s.chains) {
    out.push(
      row([
        String(c.partition),
        c.sealed ? `${c.sealed.logStartOffset}–${c.sealed.endOffset}` : '-',
        c.sealed?.headSeq !== undefined ? String(c.sealed.headSeq) : 'empty',
        c.sealed?.headSealedAt ?? '',
        ...(withArchive ? [c.archived ? String(c.archived.lastSeq) : 'none', c.archived?.createdAt ?? '', c.archiveLagEntries !== undefined ? String(c.archiveLagEntries) : ''] : []),
      ]),
    );
  }
  if (s.chains.length === 0) out.push(`(topic ${s.topics.sealed} does not exist or is empty)`);
  out.push('');
  const a = s.alerts;
  if (!a) out.push(`Alerts   topic ${s.topics.alerts} does not exist`);
  else {
    const sev = Object.entries(a.bySeverity).map(([k, n]) => `${k} ${n}`).join(', ');
    out.push(`Alerts   ${a.records} on ${a.topic}${sev ? ` (${sev})` : ''}${a.unreadable ? `, ${a.unreadable} not JSON` : ''}`);
    for (const l of a.latest) out.push(`  ${String(l.time)}  ${String(l.severity ?? '')}  ${String(l.kind ?? '')}  ${String(l.chainId ?? '')}  ${String(l.message ?? '').slice(0, 100)}`);
  }
  if (s.verifiers.length === 0) out.push('Verifier not given (--verifier URL or AUDITSEAL_VERIFIER_URL, e.g. http://127.0.0.1:9466)');
  for (const v of s.verifiers) out.push(renderVerifier(v));
  return `${out.join('\n')}\n`;
}

function renderVerifier(v: VerifierPass): string {
  if (v.error) return `Verifier ${v.url} unreachable: ${v.error}`;
  const name = v.shard && v.shard.count > 1 ? `Verifier ${v.url} (shard ${v.shard.index} of ${v.shard.count})` : `Verifier ${v.url}`;
  const p = v.lastPass;
  if (!p) return `${name}: no pass finished yet`;
  const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US') : '?');
  const kind = p.full === true ? 'full' : p.full === false ? 'incremental' : 'pass';
  return `${name}: last ${kind} pass at ${String(p.at)} (${n(p.durationMs)} ms): ${n(p.findings)} open finding(s), ${n(p.entries)} archived entries verified (${n(p.newEntries)} new), ${n(p.segments)} segments`;
}
