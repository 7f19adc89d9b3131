import { createHash, randomBytes } from 'node:crypto';
import { encodeSegment, readSegment, sealedEntryAvroBinary } from '@auditseal/archive';
import { chainId as makeChainId, genesisHead, merkleRoot, sealEntry, type ChainHead } from '@auditseal/core';
import type { SealedEntry } from '@auditseal/codec';
import { checkSegment, type Finding, type SegmentManifest } from '@auditseal/verify';
import { median, round, type Benchmark, type BenchResult } from '../harness';

/**
 * What the verifier does with every archived segment (packages/verify
 * `checkSegment`, FORMAT.md §10.2): SHA-256 and size of the object against
 * its manifest, inflate and parse every entry, recompute every chain link
 * (two SHA-256 per entry), the RFC 6962 root and the head — measured in MiB of
 * segment object per second. Baseline: `createHash('sha256')` over the same
 * number of bytes in 1 MiB buffers, interleaved round by round.
 * Target (issue 5): ≥ 0.5.
 */
const ENTRIES = 20_000;
const VALUE_BYTES = 600;
const MIB = 1024 * 1024;

function buildSegmentEntries(chainId: string): SealedEntry[] {
  let head: ChainHead = genesisHead(chainId);
  const entries: SealedEntry[] = [];
  const pool = randomBytes(VALUE_BYTES * 2);
  for (let i = 0; i < ENTRIES; i++) {
    const seq = head.seq + 1;
    // Values of varied, partly random bytes: audit events compress ~2-4× with deflate, random bytes not at all.
    const value = Buffer.concat([Buffer.from(`{"tenant":"t-${seq % 7}","action":"invoice.approve","seq":${seq},"pad":"`), pool.subarray(seq % VALUE_BYTES, (seq % VALUE_BYTES) + VALUE_BYTES / 2), Buffer.alloc(VALUE_BYTES / 2, 0x61)]);
    const fields = { kind: 'event' as const, sourceOffset: seq, sourceTimestampMs: 1_764_000_000_000 + seq, sealedAtMicros: 1_764_000_000_000_000 + seq * 1000, key: Buffer.from(`t-${seq % 7}`), value, rejectReason: 'none' as const, rejectDetail: null };
    const link = sealEntry(fields, head);
    entries.push({ chainId, seq, kind: 'EVENT', sourcePartition: 0, sourceOffset: seq, sourceTimestamp: fields.sourceTimestampMs, sealedAt: fields.sealedAtMicros, key: fields.key, value, rejectReason: null, rejectDetail: null, prevHash: link.prevHash, hash: link.hash });
    head = link.head;
  }
  return entries;
}

export const segmentRehashBenchmark: Benchmark = {
  name: 'segment-rehash',
  description: 'verifier segment check (SHA-256, parse, chain links, Merkle root) MiB/s vs createHash on 1 MiB buffers',
  ratios: ['rehash_vs_createhash'],
  async run(ctx): Promise<BenchResult> {
    const chainId = makeChainId({ cluster: 'bench', topic: 'audit.events', partition: 0 });
    const entries = buildSegmentEntries(chainId);
    const records = entries.map((e) => sealedEntryAvroBinary(e));
    const rawMib = records.reduce((n, r) => n + r.length, 0) / MIB;
    const bytes = await encodeSegment({ chainId, firstSeq: 0, lastSeq: ENTRIES - 1, firstHash: entries[0]!.hash, records });
    const segmentKey = 'bench/v1/segments/0-0.avro';
    const manifest: SegmentManifest = {
      chainId,
      firstSeq: 0,
      lastSeq: ENTRIES - 1,
      entryCount: ENTRIES,
      prevHash: genesisHead(chainId).hash,
      headHash: entries[ENTRIES - 1]!.hash,
      merkleRoot: merkleRoot(entries.map((e) => e.hash)),
      segmentKey,
      segmentSha256: createHash('sha256').update(bytes).digest(),
      segmentBytes: bytes.length,
      lockMode: 'COMPLIANCE',
      retainUntil: '2033-01-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      keyId: '0000000000000000',
      signature: new Uint8Array(64),
    };
    const findings: Finding[] = [];
    const ours = async () => {
      const result = await checkSegment({ chainId, segmentKey, firstSeq: 0, lastSeq: ENTRIES - 1, manifest, bytes, formats: { parseSegment: readSegment }, sink: (f) => findings.push(f) });
      if (!result.ok || findings.length > 0) throw new Error(`the benchmark segment does not verify: ${JSON.stringify(findings[0])}`);
    };
    const buffers = Array.from({ length: Math.max(1, Math.round(bytes.length / MIB)) }, () => randomBytes(MIB));
    const baseline = () => {
      for (const b of buffers) createHash('sha256').update(b).digest();
    };
    await ours();
    baseline();
    const ourRates: number[] = [];
    const baseRates: number[] = [];
    const ratios: number[] = [];
    const rounds = Math.max(3, ctx.rounds);
    for (let r = 0; r < rounds; r++) {
      const timeOurs = async () => {
        const t = process.hrtime.bigint();
        await ours();
        return bytes.length / MIB / (Number(process.hrtime.bigint() - t) / 1e9);
      };
      const timeBase = () => {
        const t = process.hrtime.bigint();
        baseline();
        return (buffers.length * MIB) / MIB / (Number(process.hrtime.bigint() - t) / 1e9);
      };
      let o: number;
      let b: number;
      if (r % 2 === 0) {
        o = await timeOurs();
        b = timeBase();
      } else {
        b = timeBase();
        o = await timeOurs();
      }
      ourRates.push(o);
      baseRates.push(b);
      ratios.push(o / b);
    }
    const ratio = median(ratios);
    const entriesPerSecond = (ENTRIES * median(ourRates)) / (bytes.length / MIB);
    ctx.log(
      `  segment of ${ENTRIES.toLocaleString('en-US')} entries, ${(bytes.length / MIB).toFixed(1)} MiB: checkSegment ${median(ourRates).toFixed(0)} MiB/s (${Math.round(entriesPerSecond).toLocaleString('en-US')} entries/s)   createHash 1 MiB ${median(baseRates).toFixed(0)} MiB/s   ratio ${ratio.toFixed(3)}  (rehash_vs_createhash)`,
    );
    return {
      ratios: { rehash_vs_createhash: round(ratio) },
      figures: {
        segment_rehash_mib_per_s: round(median(ourRates), 1),
        segment_rehash_entries_per_s: Math.round(entriesPerSecond),
        createhash_1mib_mib_per_s: round(median(baseRates), 1),
        segment_rehash_segment_mib: round(bytes.length / MIB, 2),
        // The same speed counted in uncompressed entry bytes (deflate shrinks these entries ~10×).
        segment_rehash_uncompressed_mib_per_s: round((rawMib * median(ourRates)) / (bytes.length / MIB), 1),
      },
    };
  },
};
