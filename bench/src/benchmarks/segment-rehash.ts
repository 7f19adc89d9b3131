import { createHash, randomBytes } from 'node:crypto';
import { encodeSegment, readSegment, sealedEntryAvroBinary } from '@auditseal/archive';
import { chainId as makeChainId, genesisHead, merkleRoot, sealEntry, type ChainHead } from '@auditseal/core';
import type { SealedEntry } from '@auditseal/codec';
import { checkSegment, checkSegmentBytes, type Finding, type SegmentManifest } from '@auditseal/verify';
import { median, round, type Benchmark, type BenchResult } from '../harness';

/**
 * Segment re-hashing: what every verifier pass after the first does with each
 * archived segment a previous pass verified whole (packages/verify
 * `checkSegmentBytes`, the incremental passes of OPERATIONS.md "Verifier"):
 * size and SHA-256 of the object against the digest its signed manifest
 * states — measured in MiB of segment object per second.
 * Baseline: `createHash('sha256')` over the same number of bytes in 1 MiB
 * buffers, interleaved round by round. rehash_vs_createhash, target (issue 5) ≥ 0.5.
 *
 * Also measured (figures, no target): verifying a segment whole, as the first
 * pass does and as every pass does for a new segment (`checkSegment`): the
 * above, then inflate and parse every entry, recompute every chain link (two
 * SHA-256 per entry), the RFC 6962 root and the head.
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
  description: 'segment re-hash (incremental verifier passes) MiB/s vs createHash on 1 MiB buffers; whole segment check figures',
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
    const seqs = { first: 0, last: ENTRIES - 1 };
    const rehash = () => {
      if (!checkSegmentBytes({ chainId, segmentKey, seqs, manifest, bytes, sink: (f) => findings.push(f) })) throw new Error(`the benchmark segment does not re-hash: ${JSON.stringify(findings[0])}`);
    };
    const whole = async () => {
      const result = await checkSegment({ chainId, segmentKey, firstSeq: 0, lastSeq: ENTRIES - 1, manifest, bytes, formats: { parseSegment: readSegment }, sink: (f) => findings.push(f) });
      if (!result.ok || findings.length > 0) throw new Error(`the benchmark segment does not verify: ${JSON.stringify(findings[0])}`);
    };
    // Each timed run hashes ~64 MiB (one segment is ~1 ms of SHA-256: too short to time alone).
    const buffers = Array.from({ length: 8 }, () => randomBytes(MIB));
    const TIMED_MIB = 64;
    const baseline = () => {
      for (let i = 0; i < TIMED_MIB / buffers.length; i++) for (const b of buffers) createHash('sha256').update(b).digest();
    };
    await whole();
    rehash();
    baseline();
    const ourRates: number[] = [];
    const wholeRates: number[] = [];
    const baseRates: number[] = [];
    const ratios: number[] = [];
    const rounds = Math.max(3, ctx.rounds);
    const mibPerSecond = async (run: () => unknown, repeat: number) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < repeat; i++) await run();
      return (repeat * bytes.length) / MIB / (Number(process.hrtime.bigint() - t) / 1e9);
    };
    for (let r = 0; r < rounds; r++) {
      wholeRates.push(await mibPerSecond(whole, 1));
      // Re-hashing is ~100× faster than a whole check: repeat it over as many bytes as the baseline hashes.
      const repeat = Math.max(1, Math.round((TIMED_MIB * MIB) / bytes.length));
      const timeOurs = () => mibPerSecond(rehash, repeat);
      const timeBase = () => {
        const t = process.hrtime.bigint();
        baseline();
        return TIMED_MIB / (Number(process.hrtime.bigint() - t) / 1e9);
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
    const wholeRate = median(wholeRates);
    const wholeEntriesPerSecond = (ENTRIES * wholeRate) / (bytes.length / MIB);
    ctx.log(
      `  segment of ${ENTRIES.toLocaleString('en-US')} entries, ${(bytes.length / MIB).toFixed(1)} MiB: re-hash ${median(ourRates).toFixed(0)} MiB/s   createHash 1 MiB ${median(baseRates).toFixed(0)} MiB/s   ratio ${ratio.toFixed(3)}  (rehash_vs_createhash)`,
    );
    ctx.log(`  verified whole (checkSegment): ${wholeRate.toFixed(1)} MiB/s of segment, ${((rawMib * wholeRate) / (bytes.length / MIB)).toFixed(0)} MiB/s of entries, ${Math.round(wholeEntriesPerSecond).toLocaleString('en-US')} entries/s`);
    return {
      ratios: { rehash_vs_createhash: round(ratio) },
      figures: {
        segment_rehash_mib_per_s: round(median(ourRates), 1),
        createhash_1mib_mib_per_s: round(median(baseRates), 1),
        segment_rehash_segment_mib: round(bytes.length / MIB, 2),
        segment_check_mib_per_s: round(wholeRate, 1),
        segment_check_entries_per_s: Math.round(wholeEntriesPerSecond),
        // The whole check's speed counted in uncompressed entry bytes (deflate shrinks these entries ~10×).
        segment_check_uncompressed_mib_per_s: round((rawMib * wholeRate) / (bytes.length / MIB), 1),
      },
    };
  },
};
