import { createS3ArchiveStore, parseCheckpoint, parseManifest, readSegment, type ArchiveStore } from '@auditseal/archive';
import { chainId as makeChainId, type PublicKeyring } from '@auditseal/core';
import { fetchPartitionOffsets, readPartition, type Logger, type PartitionOffsetRange, type PartitionRecord } from '@auditseal/kafka';
import { verifyArchive, type ArchiveReader, type ChainResume, type Finding, type ListedObject, type VerificationReport, type VerifyArchiveOptions } from '@auditseal/verify';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Admin, Kafka } from 'kafkajs';
import type { VerifierConfig } from './config';

/**
 * One chain's share of a verifier pass (the same in the main thread and in a
 * partition worker): chain p's archive objects, audit.sealed partition p and
 * audit.events partition p, cross-checked, plus liveness — @auditseal/verify's
 * `verifyArchive` over one chain, resumed from a ChainResume when given.
 */

const DAY_MS = 86_400_000;

export interface PassContext {
  config: VerifierConfig;
  kafka: Kafka;
  admin: Admin;
  store: ArchiveStore;
  logger: Logger;
  signal: AbortSignal;
  now: () => Date;
}

/** A Kafka topic as the verify engine's SealedSource / EventSource (read_committed, throwaway readers). */
export function kafkaPartitionSource(options: { kafka: Kafka; admin: Admin; topic: string; groupIdPrefix: string; logger: Logger; signal: AbortSignal }) {
  const seen = new Map<number, PartitionOffsetRange>();
  const offsets = async (partition: number): Promise<PartitionOffsetRange> => {
    const range = (await fetchPartitionOffsets(options.admin, options.topic)).get(partition) ?? { logStartOffset: 0, endOffset: 0 };
    seen.set(partition, range);
    return range;
  };
  return {
    offsets,
    read(partition: number, fromOffset: number): AsyncIterable<PartitionRecord> {
      return {
        [Symbol.asyncIterator](): AsyncIterator<PartitionRecord> {
          // The contract: end at the end offset seen when reading started — the one `offsets` just reported.
          const open = async () => {
            const endOffset = seen.get(partition)?.endOffset ?? (await offsets(partition)).endOffset;
            return readPartition({ kafka: options.kafka, topic: options.topic, partition, fromOffset, endOffset, logger: options.logger, groupIdPrefix: options.groupIdPrefix, signal: options.signal });
          };
          // The reader's own iterator, handed on without an async generator around it (`yield*` cost
          // a promise per record more: twice per archived entry, once for each topic).
          let reader: Promise<AsyncGenerator<PartitionRecord>> | undefined;
          let opened: AsyncGenerator<PartitionRecord> | undefined;
          return {
            next: () => (opened ? opened.next() : (reader ??= open()).then((r) => (opened = r).next())),
            return: async () => {
              const r = opened ?? (reader ? await reader.catch(() => undefined) : undefined);
              return r ? r.return(undefined) : { done: true, value: undefined };
            },
          };
        },
      };
    },
  };
}

/** The archive as one chain sees it: `verifyArchive` lists `<prefix>/`; this lists only the chain's keys (or, with `exclude`, everything else). */
export function scopedReader(store: ArchiveStore, root: string, scope: { only: string } | { exclude: readonly string[] }): ArchiveReader {
  return {
    get: (key) => store.get(key),
    head: (key) => store.head(key),
    listVersions: (key) => store.listVersions(key),
    list(prefix, listOptions) {
      if (prefix !== `${root}/`) return store.list(prefix, listOptions);
      if ('only' in scope) return store.list(scope.only, listOptions);
      const excluded = scope.exclude;
      return (async function* () {
        for await (const item of store.list(prefix, listOptions) as AsyncIterable<ListedObject>) if (!excluded.some((e) => item.key.startsWith(e))) yield item;
      })();
    },
  };
}

/** The verifyArchive options every part of a pass shares. */
export function commonOptions(ctx: Pick<PassContext, 'config' | 'now'>, keyring: PublicKeyring, onFinding: (f: Finding) => void): VerifyArchiveOptions {
  return {
    prefix: ctx.config.archivePrefix,
    formats: { parseSegment: readSegment, parseManifest, parseCheckpoint },
    keyring,
    retention: { retentionMs: ctx.config.retentionDays * DAY_MS },
    now: ctx.now,
    manifestGraceMs: ctx.config.manifestGraceMs,
    onFinding,
    maxReportedFindings: 0,
  };
}

export const chainRootOf = (config: VerifierConfig, partition: number) =>
  `${config.archivePrefix}/v1/${makeChainId({ cluster: config.cluster, topic: config.topics.events, partition })}/`;

export async function verifyPartition(ctx: PassContext, partition: number, keyring: PublicKeyring, resume: ChainResume | undefined, onFinding: (f: Finding) => void): Promise<VerificationReport> {
  const { config } = ctx;
  const chain = makeChainId({ cluster: config.cluster, topic: config.topics.events, partition });
  const source = (topic: string, name: string) => kafkaPartitionSource({ kafka: ctx.kafka, admin: ctx.admin, topic, groupIdPrefix: `${config.groupIdPrefix}-${name}`, logger: ctx.logger, signal: ctx.signal });
  return verifyArchive(scopedReader(ctx.store, config.archivePrefix, { only: chainRootOf(config, partition) }), {
    ...commonOptions(ctx, keyring, onFinding),
    chains: [chain],
    sealed: source(config.topics.sealed, 'sealed'),
    events: source(config.topics.events, 'events'),
    liveness: {
      maxArchiveDelayMs: config.maxArchiveDelayMs,
      maxCheckpointAgeMs: config.maxCheckpointAgeMs,
      ...(config.maxArchiveLagEntries !== undefined ? { maxArchiveLagEntries: config.maxArchiveLagEntries } : {}),
    },
    ...(resume ? { resume: new Map([[chain, resume]]) } : {}),
  });
}

export function createStore(client: S3Client, config: VerifierConfig): ArchiveStore {
  return createS3ArchiveStore({ client, bucket: config.s3.bucket });
}
