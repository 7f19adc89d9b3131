import { createHash, randomBytes } from 'node:crypto';
import { chainId, createChainLinker, portableCrypto, type ChainHead, type EntryBodyFields } from '@auditseal/core';
import { formatRate, measureInterleaved, median, pairedRatio, round, type Benchmark, type BenchResult } from '../harness';

/**
 * Chain-link throughput (FORMAT.md §4): sealing one entry whose body bytes
 * are given costs SHA-256(body) + SHA-256(link input). Baseline: one
 * `createHash('sha256').update(body).digest()` of the same body, the
 * cheapest thing a service hashing each record with node:crypto would do.
 */
const SIZES = [
  { bytes: 100, label: '100B', ratio: 'chain_hash_vs_createhash_100B' },
  { bytes: 500, label: '500B', ratio: 'chain_hash_vs_createhash' },
  { bytes: 2048, label: '2KiB', ratio: 'chain_hash_vs_createhash_2KiB' },
] as const;

const CHAIN = chainId({ cluster: 'bench-cluster', topic: 'audit.events', partition: 7 });

function createHashVariant(body: Uint8Array) {
  return {
    name: 'createHash',
    run(n: number) {
      let digest: Buffer | undefined;
      for (let i = 0; i < n; i++) digest = createHash('sha256').update(body).digest();
      return digest;
    },
  };
}

function linkVariant(name: string, body: Uint8Array, backend = createChainLinker(CHAIN)) {
  let head: ChainHead = backend.genesisHead();
  return {
    name,
    run(n: number) {
      for (let i = 0; i < n; i++) head = backend.sealBody(head, body).head;
      return head;
    },
  };
}

export const chainHashBenchmark: Benchmark = {
  name: 'chain-hash',
  description: 'chain link (body hash + link hash) vs createHash(body), at 100 B, 500 B and 2 KiB',
  ratios: SIZES.map((s) => s.ratio),
  run(ctx): BenchResult {
    const result: BenchResult = { ratios: {}, figures: {} };
    for (const size of SIZES) {
      const body = randomBytes(size.bytes);
      const m = measureInterleaved([linkVariant('link', body), createHashVariant(body)], { rounds: ctx.rounds });
      const link = m.get('link')!;
      const raw = m.get('createHash')!;
      const ratio = pairedRatio(link, raw);
      result.ratios[size.ratio] = round(ratio);
      result.figures[`chain_link_ops_per_s_${size.label}`] = Math.round(median(link.opsPerSecond));
      result.figures[`createhash_ops_per_s_${size.label}`] = Math.round(median(raw.opsPerSecond));
      ctx.log(
        `  ${size.label.padEnd(5)} chain link ${formatRate(median(link.opsPerSecond)).padStart(12)}   createHash ${formatRate(median(raw.opsPerSecond)).padStart(12)}   ratio ${ratio.toFixed(3)}  (${size.ratio})`,
      );
    }

    // Informative figures at 500 B: encoding the body from its fields as well (what the
    // chainer does per record), and the portable backend (what a browser verifier gets).
    const value = randomBytes(500);
    const fields: EntryBodyFields = {
      kind: 'event',
      sourceOffset: 123_456_789,
      sourceTimestampMs: 1_795_723_200_000,
      sealedAtMicros: 1_795_723_200_000_123,
      key: Buffer.from('tenant-0042'),
      value,
      rejectReason: 'none',
    };
    const linker = createChainLinker(CHAIN);
    let head = linker.genesisHead();
    const seal = {
      name: 'seal',
      run(n: number) {
        for (let i = 0; i < n; i++) head = linker.seal(head, fields).head;
        return head;
      },
    };
    const portable = linkVariant('portable', value, createChainLinker(CHAIN, portableCrypto));
    const m = measureInterleaved([seal, portable, createHashVariant(value)], { rounds: Math.max(3, Math.ceil(ctx.rounds / 2)) });
    const sealRate = median(m.get('seal')!.opsPerSecond);
    const portableRate = median(m.get('portable')!.opsPerSecond);
    result.figures.seal_entry_ops_per_s_500B = Math.round(sealRate);
    result.figures.chain_link_portable_ops_per_s_500B = Math.round(portableRate);
    ctx.log(`  500B  encode + seal from fields ${formatRate(sealRate)} (ratio ${pairedRatio(m.get('seal')!, m.get('createHash')!).toFixed(3)} vs createHash of the value)`);
    ctx.log(`  500B  chain link, portable backend ${formatRate(portableRate)}`);
    return result;
  },
};
