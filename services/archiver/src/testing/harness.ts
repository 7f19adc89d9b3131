import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { archiveLayout, createS3ArchiveStore, listAll, parseManifest, readSegment, type ArchiveStore, type SegmentManifest } from '@auditseal/archive';
import { encodeSealedEntry, type SealedEntry } from '@auditseal/codec';
import { chainId, generateSigningKey, genesisHead, sealEntry, type ChainHead, type SigningKey } from '@auditseal/core';
import { ensureTopics, silentLogger, topicNames, type Logger, type TopicNames } from '@auditseal/kafka';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Admin, Kafka } from 'kafkajs';
import { serializeSigningKey } from '../signing-key';

/** Helpers of the archiver's integration tests: topics, a small chain builder writing audit.sealed transactionally, S3 inspection. */

export const silent: Logger = silentLogger;
export const mainJs = resolve(__dirname, '..', '..', 'dist', 'main.js');
export const CLUSTER = 'it-cluster';
export const PREFIX = 'archive-it';

export async function createAuditTopics(admin: Admin, prefix: string, partitions: number): Promise<TopicNames> {
  const names = topicNames(prefix);
  await ensureTopics(admin, names, { partitions, replicationFactor: 1, minInsyncReplicas: 1, maxEventMessageBytes: 1024 * 1024 });
  return names;
}

export async function deleteAuditTopics(admin: Admin, names: TopicNames): Promise<void> {
  await admin.deleteTopics({ topics: [names.events, names.sealed, names.alerts] }).catch(() => undefined);
}

/**
 * Seals entries of the chain of `partition` the way the chainer does (core
 * links, codec single-object values) and writes them to audit.sealed
 * partition p in Kafka transactions. Keeps the head between calls.
 */
export class SealedWriter {
  readonly heads = new Map<number, ChainHead>();
  readonly values = new Map<number, Buffer[]>();
  private sourceOffsets = new Map<number, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly cluster = CLUSTER,
  ) {}

  chainIdOf(partition: number): string {
    return chainId({ cluster: this.cluster, topic: this.names.events, partition });
  }

  entries(partition: number, count: number): Buffer[] {
    const id = this.chainIdOf(partition);
    let head = this.heads.get(partition) ?? genesisHead(id);
    let offset = this.sourceOffsets.get(partition) ?? 0;
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const seq = head.seq + 1;
      // Every 7th entry is REJECTED and every 5th has no key, so segments carry every union branch.
      const rejected = seq % 7 === 6;
      const value = Buffer.from(`{"event":${seq},"partition":${partition},"pad":"${'x'.repeat(seq % 50)}"}`);
      const key = seq % 5 === 4 ? null : Buffer.from(`tenant-${seq % 5}`);
      const fields = {
        kind: rejected ? ('rejected' as const) : ('event' as const),
        sourceOffset: offset,
        sourceTimestampMs: Date.now(),
        sealedAtMicros: Date.now() * 1000,
        key,
        value,
        rejectReason: rejected ? ('malformed' as const) : ('none' as const),
        rejectDetail: rejected ? `not a single-object encoding (entry ${seq})` : null,
      };
      const link = sealEntry(fields, head);
      const entry: SealedEntry = {
        chainId: id,
        seq,
        kind: rejected ? 'REJECTED' : 'EVENT',
        sourcePartition: partition,
        sourceOffset: offset,
        sourceTimestamp: fields.sourceTimestampMs,
        sealedAt: fields.sealedAtMicros,
        key,
        value,
        rejectReason: rejected ? 'MALFORMED' : null,
        rejectDetail: fields.rejectDetail,
        prevHash: link.prevHash,
        hash: link.hash,
      };
      out.push(encodeSealedEntry(entry));
      head = link.head;
      offset++;
    }
    this.heads.set(partition, head);
    this.sourceOffsets.set(partition, offset);
    const all = this.values.get(partition) ?? [];
    all.push(...out);
    this.values.set(partition, all);
    return out;
  }

  /** Writes `count` new entries to each of `partitions`, `perTransaction` per Kafka transaction. */
  async write(partitions: readonly number[], count: number, perTransaction = 1000): Promise<void> {
    const producer = this.kafka.producer({ transactionalId: `${this.names.sealed}-writer-${Math.random().toString(36).slice(2)}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (const partition of partitions) {
        const values = this.entries(partition, count);
        for (let i = 0; i < values.length; i += perTransaction) {
          const tx = await producer.transaction();
          await tx.send({ topic: this.names.sealed, acks: -1, messages: values.slice(i, i + perTransaction).map((value) => ({ partition, value })) });
          await tx.commit();
        }
      }
    } finally {
      await producer.disconnect();
    }
  }
}

export interface ArchivedChain {
  manifests: SegmentManifest[];
  segmentKeys: string[];
  manifestKeys: string[];
  /** Avro binary of every archived entry, in key order. */
  records: Buffer[];
}

export async function readArchivedChain(store: ArchiveStore, chain: string, prefix = PREFIX): Promise<ArchivedChain> {
  const layout = archiveLayout(prefix);
  const listed = await listAll(store, layout.segmentsPrefix(chain));
  const segmentKeys = listed.map((o) => o.key).filter((k) => k.endsWith('.avro'));
  const manifestKeys = listed.map((o) => o.key).filter((k) => k.endsWith('.manifest.json'));
  const manifests: SegmentManifest[] = [];
  for (const key of manifestKeys) manifests.push(parseManifest((await store.get(key))!));
  const records: Buffer[] = [];
  const { sealedEntryAvroBinary } = await import('@auditseal/archive');
  for (const key of segmentKeys) for (const e of readSegment((await store.get(key))!).entries) records.push(sealedEntryAvroBinary(e));
  return { manifests, segmentKeys, manifestKeys, records };
}

export function storeFor(client: S3Client, bucket: string): ArchiveStore {
  return createS3ArchiveStore({ client, bucket });
}

export function writeKeyFile(key: SigningKey = generateSigningKey()): { path: string; key: SigningKey } {
  const dir = mkdtempSync(join(tmpdir(), 'archiver-key-'));
  const path = join(dir, 'key.json');
  writeFileSync(path, serializeSigningKey(key, new Date(Date.now() - 60_000)));
  return { path, key };
}

export interface ChildArchiver {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

/** Runs the archiver as in production: `node services/archiver/dist/main.js` (build first). */
export function spawnArchiver(env: Record<string, string>): ChildArchiver {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npx turbo run build)`);
  const child = spawn(process.execPath, [mainJs], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { process: child, exited, output: () => text };
}

export function archiverEnv(options: { brokers: string[]; s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }; bucket: string; topicPrefix: string; keyPath: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    KAFKA_BROKERS: options.brokers.join(','),
    AUDITSEAL_CLUSTER: CLUSTER,
    AUDITSEAL_TOPIC_PREFIX: options.topicPrefix,
    AUDITSEAL_MIN_INSYNC_REPLICAS: '1',
    S3_ENDPOINT: options.s3.endpoint,
    S3_REGION: options.s3.region,
    S3_ACCESS_KEY_ID: options.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: options.s3.secretAccessKey,
    S3_BUCKET: options.bucket,
    ARCHIVE_PREFIX: PREFIX,
    ARCHIVER_SIGNING_KEY: options.keyPath,
    ARCHIVER_DELETE_PROBE: 'warn',
    ARCHIVER_RETENTION_DAYS: '1',
    ARCHIVER_SEGMENT_MAX_AGE_MS: '1000',
    ARCHIVER_CHECKPOINT_INTERVAL_MS: '1000',
    ARCHIVER_SESSION_TIMEOUT_MS: '6000',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ...options.extra,
  };
}
