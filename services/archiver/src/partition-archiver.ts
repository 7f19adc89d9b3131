import {
  ArchiveError,
  describeSegment,
  encodeSegment,
  isArchiveError,
  listAll,
  padSeq,
  parseCheckpoint,
  parseManifest,
  readSegment,
  serializeCheckpoint,
  serializeManifest,
  signCheckpoint,
  signManifest,
  toCoreEntry,
  verifyManifestSignature,
  type ArchiveLayout,
  type ArchiveStore,
  type ParsedSegmentKey,
  type PutOnceResult,
} from '@auditseal/archive';
import { decodeSealedEntry } from '@auditseal/codec';
import { ChainVerifier, equalBytes, genesisHead, toHex, type ChainHead, type LockMode, type PublicKeyring, type SigningKey } from '@auditseal/core';
import { retry, type Logger } from '@auditseal/kafka';
import type { CrashPoint } from './config';
import type { ArchiverMetrics } from './metrics';

/**
 * Archives one chain: the entries of one partition of audit.sealed
 * (DESIGN.md "Archive layout"). It is the unit the consumer drives:
 *
 *   recover()  — reads what S3 holds and says where to resume (S3 is the truth,
 *                not the group's committed offsets, which may lag after a crash);
 *   accept()   — verifies each entry against the chain (continuity with the last
 *                archived head included) and cuts a segment at max entries / bytes;
 *   tick()     — cuts at max age and writes periodic signed checkpoints;
 *   flush()    — cuts whatever is pending (graceful shutdown).
 *
 * A segment is archived as: segment put-once → manifest put-once → offset
 * commit. Every put is create-only under COMPLIANCE retention; an existing
 * identical object is a no-op, a different one an alert that stops the
 * partition. Calls are serialized by an internal queue.
 */

export type PartitionState = 'recovering' | 'active' | 'stopped';

export type AlertKind = 'broken_chain' | 'conflict' | 'undecodable' | 'bad_manifest' | 'unexpected_objects' | 'weak_lock';

export interface StopInfo {
  kind: AlertKind;
  message: string;
  evidence: Record<string, unknown>;
}

export interface PartitionArchiverDeps {
  partition: number;
  chainId: string;
  sealedTopic: string;
  store: ArchiveStore;
  layout: ArchiveLayout;
  signingKey: SigningKey;
  /** Public keys that may have signed this archive's manifests (ours and earlier ones). */
  keyring: () => Promise<PublicKeyring>;
  limits: { maxEntries: number; maxBytes: number; maxAgeMs: number };
  retentionDays: number;
  checkpointIntervalMs: number;
  /** Commits `nextOffset` for this partition to the consumer group, with the key of the manifest just written as metadata (a listing hint for recovery). */
  commit: (nextOffset: number, manifestKey: string) => Promise<void>;
  /** Called when the partition stops (pause its consumption). */
  onStop: (info: StopInfo) => void;
  logger: Logger;
  metrics: ArchiverMetrics;
  /** FAULT INJECTION ONLY: called after each step; the test hook SIGKILLs the process there. */
  afterStep?: (point: CrashPoint) => void;
  now?: () => number;
  /** How long a failing S3 or Kafka call is retried before the partition re-recovers from S3. */
  retryDeadlineMs?: number;
}

export interface ResumePoint {
  /** First offset of audit.sealed to read; 'earliest' when nothing is archived or the manifest has no offset hint. */
  startOffset: number | 'earliest';
  head: ChainHead;
  /** Orphan segments (no manifest) that must be re-created with exactly these ranges. */
  forced: Array<{ firstSeq: number; lastSeq: number }>;
}

export interface SealedMessage {
  offset: number;
  value: Buffer | null;
}

interface Pending {
  firstSeq: number;
  prevHash: Uint8Array;
  records: Buffer[];
  hashes: Uint8Array[];
  sealedAtMicros: number[];
  offsets: number[];
  bytes: number;
  firstOffset: number;
  lastOffset: number;
  openedAt: number;
}

const DAY_MS = 86_400_000;

export class PartitionArchiver {
  readonly partition: number;
  readonly chainId: string;
  state: PartitionState = 'recovering';
  stopInfo: StopInfo | undefined;
  /** Head of what S3 holds (segment + manifest written). */
  archivedHead: ChainHead;
  /** Next offset this archiver expects to read (messages below it are stale). */
  nextOffset = 0;
  /** Offset after the last archived entry; what the group commit says. */
  archivedNextOffset = 0;
  private verifier: ChainVerifier;
  private pending: Pending | undefined;
  /** sealedAt (µs) of the oldest entry dropped from memory by a recovery and not archived yet (lag while recovering). */
  private unarchivedSinceMicros: number | undefined;
  /** The tick waiting behind the serialized work, if any (tick). */
  private queuedTick: Promise<void> | undefined;
  private forced: Array<{ firstSeq: number; lastSeq: number }> = [];
  private queue: Promise<unknown> = Promise.resolve();
  private lastCheckpointAt: number;
  private lastCheckpointSeq = -1;
  private highWatermark = 0;
  private readonly now: () => number;
  private readonly label: { partition: string };

  constructor(private readonly deps: PartitionArchiverDeps) {
    this.partition = deps.partition;
    this.chainId = deps.chainId;
    this.now = deps.now ?? Date.now;
    this.archivedHead = genesisHead(deps.chainId);
    this.verifier = new ChainVerifier({ chainId: deps.chainId, from: this.archivedHead });
    this.lastCheckpointAt = this.now();
    this.label = { partition: String(deps.partition) };
  }

  get pendingEntries(): number {
    return this.pending?.records.length ?? 0;
  }

  /** Runs `task` after every earlier call of this partition has finished. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private get log(): Logger {
    return this.deps.logger;
  }

  /** Raises an alert (log + metric) and stops the partition. The evidence goes to the log. */
  private alert(kind: AlertKind, message: string, evidence: Record<string, unknown>): void {
    this.state = 'stopped';
    this.stopInfo = { kind, message, evidence };
    this.pending = undefined;
    this.deps.metrics.alerts.inc({ kind });
    this.deps.metrics.partitionStopped.set(this.label, 1);
    this.log.error(`ALERT ${kind}: ${message}. Archiving of partition ${this.partition} is STOPPED until an operator acts (docs/OPERATIONS.md, Archiver alerts).`, {
      alert: kind,
      partition: this.partition,
      chainId: this.chainId,
      evidence,
    });
    this.deps.onStop(this.stopInfo);
  }

  private retryOptions(what: string) {
    return {
      deadlineMs: this.deps.retryDeadlineMs ?? 120_000,
      initialBackoffMs: 200,
      maxBackoffMs: 10_000,
      onRetry: (error: unknown, attempt: number, waitMs: number) => this.log.warn(`${what} failed; retrying`, { partition: this.partition, attempt, waitMs, error }),
    };
  }

  /**
   * Reads the chain's objects in S3 and decides where to resume. Alerts (and
   * returns undefined) on anything it must not archive past.
   *
   * `hintKey` (the manifest key committed with the group offset) lets it list
   * only from that segment on, instead of the chain's whole history; with no
   * manifest at or after the hint it lists everything. The hint can only be
   * behind S3 (a crash before the commit), never ahead: what it names exists.
   */
  recover(hintKey?: string): Promise<ResumePoint | undefined> {
    return this.serial(async () => {
      this.state = 'recovering';
      // What was pending is read again after recovery; until then it is still not archived.
      this.unarchivedSinceMicros = this.pending?.sealedAtMicros[0] ?? this.unarchivedSinceMicros;
      this.pending = undefined;
      const { store, layout } = this.deps;
      const prefix = layout.segmentsPrefix(this.chainId);
      const hinted = hintKey === undefined ? undefined : layout.parseSegmentKey(this.chainId, hintKey);
      let listed = hinted
        ? await retry(() => listAll(store, prefix, { startAfter: `${prefix}${padSeq(hinted.firstSeq)}` }), this.retryOptions('listing the archive'))
        : [];
      if (!listed.some(({ key }) => layout.parseSegmentKey(this.chainId, key)?.kind === 'manifest')) {
        listed = await retry(() => listAll(store, prefix), this.retryOptions('listing the archive'));
      }
      const segments: ParsedSegmentKey[] = [];
      const manifests = new Map<string, ParsedSegmentKey>();
      const unexpected: string[] = [];
      for (const { key } of listed) {
        const parsed = layout.parseSegmentKey(this.chainId, key);
        if (!parsed) unexpected.push(key);
        else if (parsed.kind === 'segment') segments.push(parsed);
        else manifests.set(`${parsed.firstSeq}-${parsed.lastSeq}`, parsed);
      }
      if (unexpected.length > 0) this.log.warn('unexpected keys under the segments prefix (ignored; the verifier reports them)', { partition: this.partition, keys: unexpected.slice(0, 20) });

      let head = genesisHead(this.chainId);
      let startOffset: number | 'earliest' = 'earliest';
      const last = [...manifests.values()].sort((a, b) => a.lastSeq - b.lastSeq).at(-1);
      if (last) {
        const key = layout.manifestKey(this.chainId, last.firstSeq, last.lastSeq);
        const bytes = await retry(() => store.get(key), this.retryOptions('reading the last manifest'));
        if (!bytes) throw new ArchiveError('storage_error', `manifest ${key} was listed but cannot be read`, { retriable: true });
        let manifest;
        try {
          manifest = parseManifest(bytes);
        } catch (error) {
          this.alert('bad_manifest', `the last manifest ${key} does not parse`, { key, error: (error as Error).message });
          return undefined;
        }
        const verification = verifyManifestSignature(manifest, await this.deps.keyring());
        const segmentKey = layout.segmentKey(this.chainId, last.firstSeq, last.lastSeq);
        if (!verification.ok || manifest.chainId !== this.chainId || manifest.firstSeq !== last.firstSeq || manifest.lastSeq !== last.lastSeq || manifest.segmentKey !== segmentKey) {
          this.alert('bad_manifest', `the last manifest ${key} does not verify or does not describe its segment`, {
            key,
            signature: verification.ok ? 'ok' : verification.message,
            chainId: manifest.chainId,
            firstSeq: manifest.firstSeq,
            lastSeq: manifest.lastSeq,
          });
          return undefined;
        }
        head = { chainId: this.chainId, seq: manifest.lastSeq, hash: manifest.headHash };
        const src = manifest.source;
        if (src && src.topic === this.deps.sealedTopic && src.partition === this.partition) startOffset = src.lastOffset + 1;
        else this.log.warn('last manifest has no offset hint for this topic; reading the partition from the start', { partition: this.partition, key });
      }
      const orphans = segments.filter((s) => !manifests.has(`${s.firstSeq}-${s.lastSeq}`) && s.lastSeq > head.seq).sort((a, b) => a.firstSeq - b.firstSeq);
      const forced: Array<{ firstSeq: number; lastSeq: number }> = [];
      let expect = head.seq + 1;
      for (const o of orphans) {
        if (o.firstSeq !== expect) {
          this.alert('unexpected_objects', `segment objects in S3 do not continue the archived chain at seq ${expect}`, {
            archivedHeadSeq: head.seq,
            orphans: orphans.map((s) => layout.segmentKey(this.chainId, s.firstSeq, s.lastSeq)).slice(0, 20),
          });
          return undefined;
        }
        forced.push({ firstSeq: o.firstSeq, lastSeq: o.lastSeq });
        expect = o.lastSeq + 1;
      }
      if (forced.length > 0) {
        this.log.warn('segment objects without a manifest (a crash between the two puts): re-creating them from Kafka and writing their manifests', {
          partition: this.partition,
          orphans: forced,
        });
      }
      this.archivedHead = head;
      this.verifier = new ChainVerifier({ chainId: this.chainId, from: head });
      this.forced = forced;
      this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, -1);
      this.nextOffset = startOffset === 'earliest' ? 0 : startOffset;
      this.archivedNextOffset = this.nextOffset;
      this.state = 'active';
      this.unarchivedSinceMicros = undefined; // recovered: the consumer reads those entries again at once
      this.stopInfo = undefined;
      this.deps.metrics.partitionStopped.set(this.label, 0);
      this.deps.metrics.archivedHeadSeq.set(this.label, head.seq);
      return { startOffset, head, forced };
    });
  }

  /** Where reading actually started (after seeking to `earliest`, the low watermark). */
  setStartOffset(offset: number): void {
    this.nextOffset = offset;
    this.archivedNextOffset = offset;
  }

  /** Takes the messages of one fetched batch, in offset order. */
  accept(messages: readonly SealedMessage[], highWatermark: number, heartbeat?: () => Promise<void>): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'active') return;
      this.highWatermark = highWatermark;
      for (const message of messages) {
        if (message.offset < this.nextOffset) continue;
        this.nextOffset = message.offset + 1;
        if (message.value === null) {
          this.alert('undecodable', `offset ${message.offset} of ${this.deps.sealedTopic} has no value`, { offset: message.offset });
          return;
        }
        let entry;
        try {
          entry = decodeSealedEntry(message.value);
        } catch (error) {
          this.alert('undecodable', `offset ${message.offset} of ${this.deps.sealedTopic} is not a sealed entry`, { offset: message.offset, error: (error as Error).message });
          return;
        }
        if (entry.seq <= this.verifier.head.seq && entry.chainId === this.chainId) continue; // before the resume point: archived already
        const failure = this.verifier.push(toCoreEntry(entry));
        if (failure) {
          this.alert('broken_chain', `the chain breaks at seq ${failure.seq}: ${failure.message}`, { offset: message.offset, ...failure });
          return;
        }
        if (!this.pending) {
          this.unarchivedSinceMicros = undefined;
          this.pending = {
            firstSeq: entry.seq,
            prevHash: entry.prevHash,
            records: [],
            hashes: [],
            sealedAtMicros: [],
            offsets: [],
            bytes: 0,
            firstOffset: message.offset,
            lastOffset: message.offset,
            openedAt: this.now(),
          };
        }
        const p = this.pending;
        // The Avro binary of the entry is the record value without its 10-byte single-object header (FORMAT.md §9, §10.2).
        const record = Buffer.from(message.value.subarray(10));
        p.records.push(record);
        p.hashes.push(entry.hash);
        p.sealedAtMicros.push(entry.sealedAt);
        p.offsets.push(message.offset);
        p.bytes += record.length;
        p.lastOffset = message.offset;
        if (this.cutDue(entry.seq)) {
          await this.cut(heartbeat);
          if (this.state !== 'active') return;
        }
      }
      this.refreshLag();
    });
  }

  private cutDue(seq: number): boolean {
    const p = this.pending!;
    const forced = this.forced[0];
    if (forced && forced.firstSeq === p.firstSeq) return seq === forced.lastSeq;
    return p.records.length >= this.deps.limits.maxEntries || p.bytes >= this.deps.limits.maxBytes;
  }

  /**
   * Max-age cuts and periodic checkpoints. The lag gauges are updated at once:
   * the serialized work waits behind a put that may be retrying for as long
   * as S3 is down, and the lag must grow meanwhile (AuditSealArchiverLag).
   * One tick at most waits in that queue.
   */
  tick(): Promise<void> {
    if (this.state === 'active') this.refreshLag();
    if (this.queuedTick) return this.queuedTick;
    const tick = this.serial(async () => {
      this.queuedTick = undefined;
      if (this.state !== 'active') return;
      const p = this.pending;
      const forced = this.forced[0];
      if (p && this.now() - p.openedAt >= this.deps.limits.maxAgeMs && !(forced && forced.firstSeq === p.firstSeq)) await this.cut();
      if (this.state === 'active') await this.checkpointIfDue();
      this.refreshLag();
    });
    this.queuedTick = tick;
    return tick;
  }

  /** Archives whatever is pending (graceful shutdown). A pending forced range that is incomplete stays for the next run. */
  flush(): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'active' || !this.pending) return;
      const forced = this.forced[0];
      if (forced && forced.firstSeq === this.pending.firstSeq) return;
      await this.cut();
    });
  }

  /**
   * Sets the lag gauges. Callable in any state: while the partition recovers
   * from S3 (e.g. S3 is down), the entries it held pending are still not
   * archived and their age keeps growing.
   */
  refreshLag(): void {
    this.deps.metrics.lagEntries.set(this.label, Math.max(0, this.highWatermark - this.archivedNextOffset));
    const oldest = this.pending?.sealedAtMicros[0] ?? this.unarchivedSinceMicros;
    this.deps.metrics.lagSeconds.set(this.label, oldest !== undefined ? Math.max(0, (this.now() * 1000 - oldest) / 1e6) : 0);
  }

  private async putOnce(kind: 'segment' | 'manifest' | 'checkpoint', key: string, bytes: Uint8Array, retainUntil: Date, heartbeat?: () => Promise<void>): Promise<PutOnceResult> {
    const end = this.deps.metrics.putSeconds.startTimer({ kind });
    try {
      const result = await retry(
        async () => {
          await heartbeat?.();
          return this.deps.store.putOnce(key, bytes, { lockMode: 'COMPLIANCE', retainUntil, contentType: kind === 'segment' ? 'application/avro' : 'application/json' });
        },
        this.retryOptions(`S3 put of ${key}`),
      );
      this.deps.metrics.objectsWritten.inc({ kind, result });
      return result;
    } catch (error) {
      this.deps.metrics.objectsWritten.inc({ kind, result: isArchiveError(error) && error.code === 'conflict' ? 'conflict' : 'error' });
      throw error;
    } finally {
      end();
    }
  }

  /**
   * Cuts the pending segment — unless S3 already holds a segment starting at
   * the same seq with another range. That happens when another instance
   * (the previous owner of the partition during a rebalance) cut by age at a
   * different point: its range wins, so the archive never holds overlapping
   * segments. A longer existing range becomes a forced cut (wait for its last
   * entry); a shorter one is archived first and the rest stays pending.
   */
  private async cut(heartbeat?: () => Promise<void>): Promise<void> {
    const p = this.pending!;
    const lastSeq = p.firstSeq + p.records.length - 1;
    const existing = await this.existingSegmentAt(p.firstSeq);
    if (existing === undefined || existing === lastSeq) return this.archivePending(heartbeat);
    this.log.warn('S3 already holds a segment starting here with another range (written by another instance); using its range', {
      partition: this.partition,
      firstSeq: p.firstSeq,
      ours: lastSeq,
      theirs: existing,
    });
    if (this.forced[0]?.firstSeq !== p.firstSeq) this.forced.unshift({ firstSeq: p.firstSeq, lastSeq: existing });
    if (existing > lastSeq) return; // wait for the entries up to its last seq
    const n = existing - p.firstSeq + 1;
    const rest: Pending = {
      firstSeq: existing + 1,
      prevHash: p.hashes[n - 1]!,
      records: p.records.slice(n),
      hashes: p.hashes.slice(n),
      sealedAtMicros: p.sealedAtMicros.slice(n),
      offsets: p.offsets.slice(n),
      bytes: p.records.slice(n).reduce((sum, r) => sum + r.length, 0),
      firstOffset: p.offsets[n]!,
      lastOffset: p.lastOffset,
      openedAt: p.openedAt,
    };
    this.pending = { ...p, records: p.records.slice(0, n), hashes: p.hashes.slice(0, n), sealedAtMicros: p.sealedAtMicros.slice(0, n), offsets: p.offsets.slice(0, n), lastOffset: p.offsets[n - 1]!, bytes: p.bytes - rest.bytes };
    await this.archivePending(heartbeat);
    if (this.state === 'active' && this.pending === undefined) this.pending = rest;
  }

  /** lastSeq of a segment object in S3 that starts at `firstSeq` (the first such key), if any. */
  private async existingSegmentAt(firstSeq: number): Promise<number | undefined> {
    const { layout, store } = this.deps;
    const prefix = layout.segmentsPrefix(this.chainId);
    const startAfter = `${prefix}${padSeq(firstSeq)}`; // sorts before every key of a segment starting at firstSeq
    for await (const { key } of store.list(prefix, { startAfter })) {
      const parsed = layout.parseSegmentKey(this.chainId, key);
      if (!parsed) continue;
      return parsed.firstSeq === firstSeq ? parsed.lastSeq : undefined;
    }
    return undefined;
  }

  /** segment put → manifest put → offset commit (DESIGN.md "Archive layout"). */
  private async archivePending(heartbeat?: () => Promise<void>): Promise<void> {
    const p = this.pending!;
    const { layout, store } = this.deps;
    const lastSeq = p.firstSeq + p.records.length - 1;
    const headHash = p.hashes[p.hashes.length - 1]!;
    const segment = await encodeSegment({ chainId: this.chainId, firstSeq: p.firstSeq, lastSeq, firstHash: p.hashes[0]!, records: p.records });
    const segmentKey = layout.segmentKey(this.chainId, p.firstSeq, lastSeq);
    const retainUntil = new Date(this.now() + this.deps.retentionDays * DAY_MS);
    let described = describeSegment(segment, p.hashes);
    let result: PutOnceResult | 'adopted';
    try {
      result = await this.putOnce('segment', segmentKey, segment, retainUntil, heartbeat);
    } catch (error) {
      if (!(isArchiveError(error) && error.code === 'conflict')) throw error;
      const existing = await retry(() => store.get(segmentKey), this.retryOptions(`reading ${segmentKey}`));
      const same = existing !== undefined && this.holdsSameEntries(existing, p.hashes, p.firstSeq);
      if (!same) {
        this.alert('conflict', `a different object already exists at the next segment key ${segmentKey}; refusing to overwrite or continue`, {
          key: segmentKey,
          ...error.details,
          firstSeq: p.firstSeq,
          lastSeq,
        });
        return;
      }
      // Same entries, other bytes (e.g. another zlib build compressed them): the existing object is the archive.
      this.log.warn('existing segment holds the same entries in different bytes; adopting it', { key: segmentKey, ...error.details });
      described = describeSegment(existing!, p.hashes);
      result = 'adopted';
    }
    let lockMode: LockMode = 'COMPLIANCE';
    let segmentRetainUntil = new Date(Math.ceil(retainUntil.getTime() / 1000) * 1000);
    if (result !== 'created') {
      const info = await retry(() => store.head(segmentKey), this.retryOptions(`HEAD ${segmentKey}`));
      if (!info || info.lockMode !== 'COMPLIANCE' || !info.retainUntil) {
        this.alert('weak_lock', `existing segment ${segmentKey} is not under COMPLIANCE retention`, { key: segmentKey, lockMode: info?.lockMode, retainUntil: info?.retainUntil });
        return;
      }
      lockMode = info.lockMode;
      segmentRetainUntil = info.retainUntil;
    }
    this.deps.afterStep?.('segment-put');
    const manifest = signManifest(
      {
        chainId: this.chainId,
        firstSeq: p.firstSeq,
        lastSeq,
        prevHash: p.prevHash,
        headHash,
        merkleRoot: described.merkleRoot,
        segmentKey,
        segmentSha256: described.segmentSha256,
        segmentBytes: described.segmentBytes,
        lockMode,
        retainUntil: segmentRetainUntil,
        createdAt: new Date(this.now()),
        source: { topic: this.deps.sealedTopic, partition: this.partition, firstOffset: p.firstOffset, lastOffset: p.lastOffset },
      },
      this.deps.signingKey,
    );
    const manifestKey = layout.manifestKeyFor(segmentKey);
    try {
      await this.putOnce('manifest', manifestKey, serializeManifest(manifest), retainUntil, heartbeat);
    } catch (error) {
      if (!(isArchiveError(error) && error.code === 'conflict')) throw error;
      const existing = await retry(() => store.get(manifestKey), this.retryOptions(`reading ${manifestKey}`));
      if (!(existing && (await this.describesSame(existing, manifest)))) {
        this.alert('conflict', `a different manifest already exists at ${manifestKey}`, { key: manifestKey, ...error.details });
        return;
      }
    }
    this.deps.afterStep?.('manifest-put');
    await retry(() => this.deps.commit(p.lastOffset + 1, manifestKey), this.retryOptions('committing the offset')).catch((error: unknown) =>
      // S3 holds the segment: a lost commit only means re-reading it after a restart, where S3 decides.
      this.log.warn('offset commit failed after the segment was archived; S3 stays authoritative', { partition: this.partition, error }),
    );
    const forced = this.forced[0];
    if (forced && forced.firstSeq === p.firstSeq) this.forced.shift();
    this.archivedHead = { chainId: this.chainId, seq: lastSeq, hash: headHash };
    this.archivedNextOffset = p.lastOffset + 1;
    this.pending = undefined;
    const m = this.deps.metrics;
    m.segmentsWritten.inc({ result });
    m.bytesWritten.inc(described.segmentBytes);
    m.entriesArchived.inc(p.records.length);
    m.archivedHeadSeq.set(this.label, lastSeq);
    const nowMicros = this.now() * 1000;
    for (const sealedAt of p.sealedAtMicros) m.archivedLatencySeconds.observe(Math.max(0, (nowMicros - sealedAt) / 1e6));
    this.log.info('segment archived', {
      partition: this.partition,
      key: segmentKey,
      firstSeq: p.firstSeq,
      lastSeq,
      entries: p.records.length,
      bytes: described.segmentBytes,
      result,
      offsets: [p.firstOffset, p.lastOffset],
    });
  }

  private holdsSameEntries(bytes: Uint8Array, hashes: readonly Uint8Array[], firstSeq: number): boolean {
    try {
      const { entries } = readSegment(bytes);
      return entries.length === hashes.length && entries.every((e, i) => e.chainId === this.chainId && e.seq === firstSeq + i && equalBytes(e.hash, hashes[i]!));
    } catch {
      return false;
    }
  }

  private async describesSame(bytes: Uint8Array, ours: ReturnType<typeof signManifest>): Promise<boolean> {
    try {
      const theirs = parseManifest(bytes);
      return (
        verifyManifestSignature(theirs, await this.deps.keyring()).ok &&
        theirs.chainId === ours.chainId &&
        theirs.firstSeq === ours.firstSeq &&
        theirs.lastSeq === ours.lastSeq &&
        equalBytes(theirs.headHash, ours.headHash) &&
        equalBytes(theirs.segmentSha256, ours.segmentSha256)
      );
    } catch {
      return false;
    }
  }

  private async checkpointIfDue(): Promise<void> {
    const head = this.archivedHead;
    if (head.seq < 0 || head.seq === this.lastCheckpointSeq || this.now() - this.lastCheckpointAt < this.deps.checkpointIntervalMs) return;
    const checkpoint = signCheckpoint({ chainId: this.chainId, headSeq: head.seq, headHash: head.hash, time: new Date(this.now()) }, this.deps.signingKey);
    const key = this.deps.layout.checkpointKey(this.chainId, head.seq);
    const retainUntil = new Date(this.now() + this.deps.retentionDays * DAY_MS);
    try {
      await this.putOnce('checkpoint', key, serializeCheckpoint(checkpoint), retainUntil);
    } catch (error) {
      if (!(isArchiveError(error) && error.code === 'conflict')) throw error;
      // One checkpoint per head seq: an earlier run already signed this head. Same hash is fine; another hash is a fork.
      const existing = await this.deps.store.get(key);
      let same = false;
      try {
        same = existing !== undefined && equalBytes(parseCheckpoint(existing).headHash, head.hash);
      } catch {
        same = false;
      }
      if (!same) {
        this.alert('conflict', `checkpoint ${key} names another head hash for seq ${head.seq}`, { key, headHash: toHex(head.hash) });
        return;
      }
    }
    this.lastCheckpointAt = this.now();
    this.lastCheckpointSeq = head.seq;
    this.deps.metrics.checkpointsWritten.inc();
  }
}
