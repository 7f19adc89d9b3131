import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveLayout, createS3ArchiveStore, createS3Client, describeSegment, encodeSegment, sealedEntryAvroBinary, serializeCheckpoint, serializeManifest, signCheckpoint, signManifest } from '@auditseal/archive';
import type { SealedEntry } from '@auditseal/codec';
import { chainId as makeChainId, createKeyring, generateSigningKey, genesisHead, publicKeyEntry, sealEntry, serializeKeyring, type ChainHead } from '@auditseal/core';
import { BenchSkipped, round, type Benchmark, type BenchResult } from '../harness';
import { CLUSTER, PARTITIONS, ROOT, sampleEvent } from '../pipeline';

/*
 * `auditseal verify-archive` (the compliance CLI, as an auditor runs it) over
 * an archive of EVENTS events in S3: PARTITIONS chains, segments of
 * SEGMENT_ENTRIES entries (the archiver's default), a checkpoint per segment,
 * written once under COMPLIANCE retention with the archive package's writers
 * as the archiver writes them. Timed: the CLI process from start to exit
 * (listing, GETs, every check of FORMAT.md §10, retention and versions).
 * No target (issue 5 asks for the figure).
 */

const EVENTS = Number(process.env.BENCH_VERIFY_ARCHIVE_EVENTS ?? 1_000_000);
const SEGMENT_ENTRIES = 50_000;
const CLI_JS = join(ROOT, 'services', 'cli', 'dist', 'main.js');

async function writeArchive(store: ReturnType<typeof createS3ArchiveStore>, prefix: string, key: ReturnType<typeof generateSigningKey>, perChain: number): Promise<number> {
  const layout = archiveLayout(prefix);
  const retainUntil = new Date(Date.now() + 2 * 86_400_000);
  const put = (k: string, bytes: Uint8Array) => store.putOnce(k, bytes, { lockMode: 'COMPLIANCE', retainUntil });
  let bytesWritten = 0;
  await put(layout.keyFileKey(key.keyId), Buffer.from(serializeKeyring(createKeyring([publicKeyEntry(key, new Date('2026-01-01T00:00:00Z'))]))));
  const values = Array.from({ length: 1000 }, (_, i) => sampleEvent(i));
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      const chainId = makeChainId({ cluster: CLUSTER, topic: 'audit.events', partition });
      let head: ChainHead = genesisHead(chainId);
      for (let start = 0; start < perChain; start += SEGMENT_ENTRIES) {
        const entries: SealedEntry[] = [];
        for (let seq = start; seq < Math.min(perChain, start + SEGMENT_ENTRIES); seq++) {
          const sealedAtMicros = (Date.now() - 3_600_000) * 1000 + seq;
          const value = values[seq % values.length]!;
          const fields = { kind: 'event' as const, sourceOffset: seq, sourceTimestampMs: Math.floor(sealedAtMicros / 1000), sealedAtMicros, key: Buffer.from(`tenant-${seq % 7}`), value, rejectReason: 'none' as const, rejectDetail: null };
          const link = sealEntry(fields, head);
          entries.push({ chainId, seq, kind: 'EVENT', sourcePartition: partition, sourceOffset: seq, sourceTimestamp: fields.sourceTimestampMs, sealedAt: sealedAtMicros, key: fields.key, value, rejectReason: null, rejectDetail: null, prevHash: link.prevHash, hash: link.hash });
          head = link.head;
        }
        const first = entries[0]!;
        const last = entries.at(-1)!;
        const segmentKey = layout.segmentKey(chainId, first.seq, last.seq);
        const bytes = await encodeSegment({ chainId, firstSeq: first.seq, lastSeq: last.seq, firstHash: first.hash, records: entries.map(sealedEntryAvroBinary) });
        const createdAt = new Date();
        const manifest = signManifest({ chainId, firstSeq: first.seq, lastSeq: last.seq, prevHash: first.prevHash, headHash: last.hash, ...describeSegment(bytes, entries.map((e) => e.hash)), segmentKey, lockMode: 'COMPLIANCE', retainUntil, createdAt }, key);
        await put(segmentKey, bytes);
        await put(layout.manifestKeyFor(segmentKey), serializeManifest(manifest));
        await put(layout.checkpointKey(chainId, last.seq), serializeCheckpoint(signCheckpoint({ chainId, headSeq: last.seq, headHash: last.hash, time: createdAt }, key)));
        bytesWritten += bytes.length;
      }
    }),
  );
  return bytesWritten;
}

export const verifyArchiveBenchmark: Benchmark = {
  name: 'verify-archive',
  description: `auditseal verify-archive over an S3 archive of ${EVENTS.toLocaleString('en-US')} events (${PARTITIONS} chains), wall time`,
  ratios: [],
  async run(ctx): Promise<BenchResult> {
    const { S3_ENDPOINT: endpoint, S3_BUCKET: bucket } = process.env;
    if (!endpoint || !bucket) throw new BenchSkipped('S3_ENDPOINT / S3_BUCKET are not set (npm run infra:up, then eval "$(npm run -s infra:env)")');
    const client = createS3Client({ endpoint, region: process.env.S3_REGION ?? 'us-east-1', accessKeyId: process.env.S3_ACCESS_KEY_ID, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY });
    try {
      const prefix = `bench-verify-archive/${Date.now().toString(36)}`;
      const key = generateSigningKey();
      const keyring = join(mkdtempSync(join(tmpdir(), 'bench-verify-archive-')), 'keyring.json');
      writeFileSync(keyring, serializeKeyring(createKeyring([publicKeyEntry(key, new Date('2026-01-01T00:00:00Z'))])));
      const perChain = Math.ceil(EVENTS / PARTITIONS);
      const written = Date.now();
      const segmentBytes = await writeArchive(createS3ArchiveStore({ client, bucket }), prefix, key, perChain);
      ctx.log(`  wrote ${(perChain * PARTITIONS).toLocaleString('en-US')} entries, ${(segmentBytes / 1048576).toFixed(0)} MiB of segments in ${((Date.now() - written) / 1000).toFixed(1)} s`);
      const started = process.hrtime.bigint();
      const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
        execFile(process.execPath, [CLI_JS, 'verify-archive', '--bucket', bucket, '--prefix', prefix, '--keyring', keyring, '--retention-days', '1', '--json'], { env: process.env, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) =>
          error ? reject(new Error(`verify-archive failed (${error.message}): ${err.slice(-2000)}`)) : resolve({ stdout: out }),
        ),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const { report } = JSON.parse(stdout) as { report: { counts: { entries: number; findings: number } } };
      const entries = report.counts.entries;
      if (entries !== perChain * PARTITIONS || report.counts.findings !== 0) throw new Error(`verify-archive saw ${entries} entries and ${report.counts.findings} findings (expected ${perChain * PARTITIONS} and 0)`);
      ctx.log(`  verify-archive: ${entries.toLocaleString('en-US')} entries in ${seconds.toFixed(1)} s (${Math.round(entries / seconds).toLocaleString('en-US')} entries/s, ${(segmentBytes / 1048576 / seconds).toFixed(1)} MiB/s of segments)`);
      return { ratios: {}, figures: { verify_archive_events: entries, verify_archive_seconds: round(seconds, 1), verify_archive_entries_per_s: Math.round(entries / seconds) } };
    } finally {
      client.destroy();
    }
  },
};
