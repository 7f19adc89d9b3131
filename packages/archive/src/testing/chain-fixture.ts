import { encodeSealedEntry, type SealedEntry } from '@auditseal/codec';
import { chainId as makeChainId, genesisHead, sealEntry, type ChainHead } from '@auditseal/core';

export const TEST_CHAIN_ID = makeChainId({ cluster: 'test-cluster', topic: 'audit.events', partition: 0 });

/** Seals `count` entries onto `head` (default: genesis), with varied kinds and sizes. */
export function buildEntries(count: number, options: { chainId?: string; head?: ChainHead; valueBytes?: number } = {}): { entries: SealedEntry[]; head: ChainHead } {
  const chainId = options.chainId ?? TEST_CHAIN_ID;
  let head = options.head ?? genesisHead(chainId);
  const entries: SealedEntry[] = [];
  for (let i = 0; i < count; i++) {
    const seq = head.seq + 1;
    const rejected = seq % 7 === 3;
    const value = Buffer.alloc((options.valueBytes ?? 40) + (seq % 13), seq % 251);
    const key = seq % 5 === 0 ? null : Buffer.from(`tenant-${seq % 3}`);
    const fields = {
      kind: rejected ? ('rejected' as const) : ('event' as const),
      sourceOffset: seq * 2,
      sourceTimestampMs: 1_764_000_000_000 + seq,
      sealedAtMicros: 1_764_000_000_000_000 + seq * 1000,
      key,
      value,
      rejectReason: rejected ? ('malformed' as const) : ('none' as const),
      rejectDetail: rejected ? `bad record ${seq}` : null,
    };
    const link = sealEntry(fields, head);
    entries.push({
      chainId,
      seq,
      kind: rejected ? 'REJECTED' : 'EVENT',
      sourcePartition: 0,
      sourceOffset: fields.sourceOffset,
      sourceTimestamp: fields.sourceTimestampMs,
      sealedAt: fields.sealedAtMicros,
      key,
      value,
      rejectReason: rejected ? 'MALFORMED' : null,
      rejectDetail: fields.rejectDetail,
      prevHash: link.prevHash,
      hash: link.hash,
    });
    head = link.head;
  }
  return { entries, head };
}

/** Single-object values as the chainer writes them to audit.sealed. */
export function sealedValues(entries: readonly SealedEntry[]): Buffer[] {
  return entries.map((e) => encodeSealedEntry(e));
}
