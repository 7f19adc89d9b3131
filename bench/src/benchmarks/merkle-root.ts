import { createHash, randomBytes } from 'node:crypto';
import { merkleRoot } from '@auditseal/core';
import { measureInterleaved, median, pairedRatio, round, type Benchmark, type BenchResult } from '../harness';

/**
 * RFC 6962 root of a 1M-entry segment (FORMAT.md §5): leaves are 32-byte
 * entry hashes, so the tree costs ~2M SHA-256 (n leaf hashes + n-1 nodes).
 * Baseline: createHash over the same 1M leaves, one digest each.
 */
const LEAVES = 1_000_000;

export const merkleRootBenchmark: Benchmark = {
  name: 'merkle-root',
  description: 'Merkle root of 1M 32-byte leaves vs createHash of each leaf',
  ratios: ['merkle_root_vs_createhash'],
  run(ctx): BenchResult {
    const pool = randomBytes(LEAVES * 32);
    const leaves = Array.from({ length: LEAVES }, (_, i) => pool.subarray(i * 32, i * 32 + 32));
    const m = measureInterleaved(
      [
        { name: 'merkle', fixedIterations: 1, run: () => merkleRoot(leaves) },
        {
          name: 'createHash',
          fixedIterations: 1,
          run: () => {
            let d: Buffer | undefined;
            for (const leaf of leaves) d = createHash('sha256').update(leaf).digest();
            return d;
          },
        },
      ],
      { rounds: Math.max(3, Math.ceil(ctx.rounds / 2)) },
    );
    const merkle = m.get('merkle')!;
    const base = m.get('createHash')!;
    const seconds = 1 / median(merkle.opsPerSecond);
    const baseSeconds = 1 / median(base.opsPerSecond);
    const ratio = pairedRatio(merkle, base);
    ctx.log(
      `  1M leaves  merkleRoot ${seconds.toFixed(3)} s (${Math.round(LEAVES / seconds).toLocaleString('en-US')} leaves/s)   createHash ×1M ${baseSeconds.toFixed(3)} s   ratio ${ratio.toFixed(3)}  (merkle_root_vs_createhash)`,
    );
    return {
      ratios: { merkle_root_vs_createhash: round(ratio) },
      figures: {
        merkle_root_1M_seconds: round(seconds),
        merkle_root_1M_leaves_per_s: Math.round(LEAVES / seconds),
        createhash_1M_leaves_seconds: round(baseSeconds),
      },
    };
  },
};
