import { parseManifest, type SegmentManifest } from '@auditseal/archive';
import { parseChainId } from '@auditseal/core';
import { parseArchiveKey } from '@auditseal/verify';
import { ARCHIVE_OPTIONS, COMMON_OPTIONS, parseCommandArgs } from '../args';
import { openArchive } from '../archive-source';
import { EXIT_OK } from '../errors';
import type { CliIo } from '../io';
import { KAFKA_HELP, KAFKA_OPTIONS, connectKafka } from '../kafka';
import type { Command } from './command';

interface ChainStatus {
  partition: number;
  chainId: string | undefined;
  sealed: { logStartOffset: number; endOffset: number } | undefined;
  archived: { lastSeq: number; lastOffset: number | undefined; segmentKey: string; createdAt: string } | undefined;
  /** Offsets of audit.sealed after the last archived entry (includes transaction markers: an upper bound on entries). */
  archiveLagOffsets: number | undefined;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'chain heads on Kafka, archived heads in S3, archive lag, alerts',
  help: `Usage: auditseal status [--bucket B] [--prefix P] [--brokers …] [--topic-prefix P] [--json]

Per partition: the end of audit.sealed (Kafka offsets), the archived head (the last
manifest of the chain: last seq, its audit.sealed offset, when it was signed) and
the archive lag in offsets (an upper bound on unarchived entries: transaction
markers take offsets too); and how many records audit.alerts holds.

Options (S3: --bucket, --prefix, --endpoint, --region as for verify-archive):
${KAFKA_HELP}
  --json                      the status as JSON
  -h, --help                  this help

Exit codes: 0 printed, 2 usage error or Kafka/S3 unreachable.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('status', argv, { ...COMMON_OPTIONS, ...KAFKA_OPTIONS, ...ARCHIVE_OPTIONS });
    const k = await connectKafka(values, io.env);
    try {
      const archive = await openArchive(values, io.env);
      try {
        const topics = new Set(await k.admin.listTopics());
        const sealedOffsets = topics.has(k.names.sealed) ? await k.admin.fetchTopicOffsets(k.names.sealed) : [];
        const chains = new Map<number, ChainStatus>();
        for (const p of sealedOffsets) {
          chains.set(p.partition, { partition: p.partition, chainId: undefined, sealed: { logStartOffset: Number(p.low), endOffset: Number(p.high) }, archived: undefined, archiveLagOffsets: undefined });
        }
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
          const c = chains.get(partition) ?? { partition, chainId, sealed: undefined, archived: undefined, archiveLagOffsets: undefined };
          c.chainId = chainId;
          if (m) c.archived = { lastSeq: m.lastSeq, lastOffset: m.source?.lastOffset, segmentKey: m.segmentKey, createdAt: m.createdAt };
          chains.set(partition, c);
        }
        for (const c of chains.values()) {
          if (c.sealed) c.archiveLagOffsets = Math.max(0, c.sealed.endOffset - ((c.archived?.lastOffset ?? c.sealed.logStartOffset - 1) + 1));
        }
        let alerts: { topic: string; records: number } | undefined;
        if (topics.has(k.names.alerts)) {
          const offsets = await k.admin.fetchTopicOffsets(k.names.alerts);
          alerts = { topic: k.names.alerts, records: offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0) };
        }
        const list = [...chains.values()].sort((a, b) => a.partition - b.partition);
        const status = { brokers: k.brokers, topics: k.names, archive: archive.location, chains: list, alerts: alerts ?? null, lastVerifierPass: null };
        if (values.json === true) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
        else {
          const out = [`Kafka ${k.brokers.join(',')}  topics ${k.names.events} → ${k.names.sealed}`, `Archive ${archive.location}`, ''];
          out.push('partition  sealed offsets       archived head (seq)   archived at               lag (offsets)');
          for (const c of list) {
            out.push(
              `${String(c.partition).padEnd(9)}  ${(c.sealed ? `${c.sealed.logStartOffset}–${c.sealed.endOffset}` : 'no topic').padEnd(19)}  ${(c.archived ? String(c.archived.lastSeq) : 'nothing archived').padEnd(20)}  ${(c.archived?.createdAt ?? '').padEnd(24)}  ${c.archiveLagOffsets ?? ''}`,
            );
          }
          out.push('');
          out.push(alerts ? `alerts: ${alerts.records} record(s) on ${alerts.topic} (details: the verifier's /metrics and logs)` : `alerts: topic ${k.names.alerts} does not exist`);
          out.push('last verifier pass: not reported here yet (see the verifier service)');
          io.stdout(`${out.join('\n')}\n`);
        }
        return EXIT_OK;
      } finally {
        archive.close();
      }
    } finally {
      await k.close();
    }
  },
};
