import { SINGLE_OBJECT_HEADER_BYTES, type SealedEntry } from '@auditseal/codec';
import { nodeCrypto, parseChainId, parseKeyring, toHex, type CryptoBackend, type PublicKeyring } from '@auditseal/core';
import { AgreementCheck, type SealedSide } from './check-agreement';
import { SealedStreamCheck, decodeSealedRecord, type EntryLocation } from './check-chain';
import { CompletenessCheck, type CompletenessResult } from './check-completeness';
import { checkEventValue, type EventValueOptions } from './check-values';
import { checkLiveness, type LivenessResult, type LivenessThresholds } from './check-liveness';
import { canCheckRetention, checkObjectRetention, reportUnexpectedKey, type RetentionPolicy } from './check-retention';
import { CheckpointMatcher, ContinuityCheck, checkCheckpoint, checkManifest, checkSegment, checkSegmentBytes } from './check-segments';
import { finding, type Finding, type FindingKind, type FindingSink, type Severity } from './findings';
import { assertArchivePrefix, manifestKeyFor, parseArchiveKey, segmentKeyOf } from './layout';
import type { ArchiveFormats, ArchiveReader, Checkpoint, EventSource, SealedRecord, SealedSource, SegmentManifest } from './sources';

/**
 * A full verification pass (DESIGN.md "Verifier"; the CLI's verify-archive):
 * lists the archive once, and per chain, in seq order:
 *
 *   1. checkpoints: parse, signature, key (check-segments)
 *   2. each segment with its manifest: manifest, bytes, entries, Merkle root, head (check-segments);
 *      continuity with the previous segment; Object Lock and versions (check-retention)
 *   3. with a SealedSource: audit.sealed links and seqs (check-chain), read alongside the segments
 *      so each archived range is compared with Kafka (check-agreement)
 *   4. with an EventSource: audit.events accounting over the chain (check-completeness)
 *   5. with a clock and thresholds: archive lag and checkpoint age (check-liveness)
 *
 * Memory is bounded by one segment (its entries' hashes, and the sealed
 * entries of its seq range), never by the archive or the topics.
 *
 * Incremental passes (the verifier service): a chain whose pass raised no
 * finding (liveness aside) returns a `ChainResume` in its summary. Given back
 * in `options.resume`, the next pass only re-hashes the segments verified
 * before (SHA-256 against the signed manifest: the bytes are still the ones
 * verified whole) and reads audit.sealed and audit.events only after that
 * point. A moved log start offset on either topic, or a known segment that
 * no longer hashes to what was verified, falls back to verifying from scratch.
 */

export interface VerifyArchiveOptions {
  /** The archive prefix in the bucket (e.g. `auditseal-archive`). */
  prefix: string;
  formats: ArchiveFormats;
  keyring: PublicKeyring;
  /** Minimum Object Lock retention. Without it only the lock mode and the manifest's stated date are checked. */
  retention?: RetentionPolicy;
  sealed?: SealedSource;
  events?: EventSource;
  /** Chains to verify even if the archive holds nothing for them yet (e.g. every partition of audit.sealed). */
  chains?: readonly string[];
  liveness?: LivenessThresholds;
  /** The clock for liveness (injected; required for liveness findings). */
  now?: () => Date;
  /**
   * Decode the value of every EVENT entry (FORMAT.md §9.3 step 5), once per
   * entry: archived entries from their segment, the rest from audit.sealed.
   * Default on; `false` turns it off.
   */
  eventValues?: EventValueOptions | false;
  /**
   * The archiver writes a segment, then its manifest. The newest segment of a
   * chain without a manifest, listed with a lastModified younger than this
   * (by `now`), is being written: it is counted as pending and checked next
   * pass instead of raising segment_without_manifest. Default 5 minutes.
   */
  manifestGraceMs?: number;
  /** Called with every finding as it is found (the report keeps at most maxReportedFindings). */
  onFinding?: FindingSink;
  maxReportedFindings?: number;
  /** Hashing and signature backend: core's nodeCrypto (default) or portableCrypto (@noble), which give identical results. */
  backend?: CryptoBackend;
  /** Where earlier clean passes ended, by chain id (ChainSummary.resume); needs `sealed` and `events`. */
  resume?: ReadonlyMap<string, ChainResume>;
}

/** A segment a pass verified whole: what a later pass needs to trust it after re-hashing it. */
export interface VerifiedSegment {
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** SHA-256 of the object, as its signed manifest states. */
  readonly sha256: Uint8Array;
  readonly entries: number;
  /** sealedAt (µs) of its first and last entries. */
  readonly firstSealedAt: number | undefined;
  readonly lastSealedAt: number | undefined;
}

/** Where a clean pass of a chain ended: its archive head, verified in the archive and in audit.sealed. */
export interface ChainResume {
  readonly seq: number;
  readonly hash: Uint8Array;
  /** The head entry's audit.events offset (completeness resumes after it). */
  readonly sourceOffset: number;
  /** The head entry's audit.sealed offset (the chain check resumes after it). */
  readonly sealedOffset: number;
  /** audit.sealed records read up to and including sealedOffset, and the first seq the topic held. */
  readonly sealedRecords: number;
  readonly sealedFirstSeq: number | undefined;
  /** Entries matched with their audit.events record up to the head. */
  readonly matched: number;
  /** Log start offsets of both topics then: if either moves, the next pass verifies from scratch. */
  readonly sealedLogStart: number;
  readonly eventsLogStart: number;
  /** Every segment up to the head, by key. */
  readonly segments: ReadonlyMap<string, VerifiedSegment>;
  /** sealedAt of the first entry after the latest checkpoint, when that entry is at or before the head. */
  readonly uncheckpointed?: { readonly afterSeq: number; readonly sealedAt: number };
}

export interface VerifyProgress {
  chainId: string;
  phase: 'archive' | 'sealed' | 'done';
  segments: number;
  entries: number;
  bytes: number;
}

export interface SegmentCounts {
  valid: number;
  invalid: number;
  missing: number;
  /** Newest segments still awaiting their manifest (within manifestGraceMs), not checked this pass. */
  pending: number;
}

export interface ChainSummary {
  chainId: string;
  archive: {
    /** First and last archived seq (from the segment keys), undefined when nothing is archived. */
    firstSeq: number | undefined;
    lastSeq: number | undefined;
    entries: number;
    bytes: number;
    segments: SegmentCounts;
    checkpoints: { valid: number; invalid: number; latestSeq: number | undefined };
    /** Sealing times of the first and last archived entries (RFC 3339). */
    timeRange: { first: string; last: string } | undefined;
    /** Of those, segments (and their entries) verified by re-hashing only, as a previous pass verified them whole. */
    rehashed: { segments: number; entries: number };
  };
  sealed?: { firstSeq: number | undefined; lastSeq: number | undefined; records: number; malformed: number; logStartOffset: number };
  events?: CompletenessResult & { logStartOffset: number };
  liveness?: Omit<LivenessResult, 'findings'>;
  findings: number;
  /** Set when this chain's pass was clean (liveness aside) and read both topics: give it back in `options.resume`. */
  resume?: ChainResume;
  /** The resume this pass started from, when it could use the one given (else it verified from scratch). */
  resumedFrom?: ChainResume;
}

export interface VerificationReport {
  chains: ChainSummary[];
  findings: Finding[];
  /** True when more findings were raised than the report keeps (counts stay exact). */
  findingsTruncated: boolean;
  counts: {
    findings: number;
    bySeverity: Record<Severity, number>;
    byKind: Partial<Record<FindingKind, number>>;
    segments: SegmentCounts;
    entries: number;
    objects: number;
  };
  /** False when the reader could not report Object Lock metadata (a local copy): retention was not verified. */
  retentionChecked: boolean;
}

export async function verifyArchive(reader: ArchiveReader, options: VerifyArchiveOptions, onProgress?: (p: VerifyProgress) => void): Promise<VerificationReport> {
  const prefix = assertArchivePrefix(options.prefix);
  const max = options.maxReportedFindings ?? 10_000;
  const report: VerificationReport = {
    chains: [],
    findings: [],
    findingsTruncated: false,
    counts: { findings: 0, bySeverity: { critical: 0, high: 0, warning: 0, info: 0 }, byKind: {}, segments: { valid: 0, invalid: 0, missing: 0, pending: 0 }, entries: 0, objects: 0 },
    retentionChecked: canCheckRetention(reader),
  };
  const sink: FindingSink = (f) => {
    report.counts.findings++;
    report.counts.bySeverity[f.severity]++;
    report.counts.byKind[f.kind] = (report.counts.byKind[f.kind] ?? 0) + 1;
    if (report.findings.length < max) report.findings.push(f);
    else report.findingsTruncated = true;
    options.onFinding?.(f);
  };
  const wanted = new Set(options.chains ?? []);
  let run: ChainRun | undefined;
  const finishRun = async () => {
    if (!run) return;
    const summary = await run.finish();
    report.chains.push(summary);
    wanted.delete(summary.chainId);
    onProgress?.({ chainId: summary.chainId, phase: 'done', segments: run.segmentsDone, entries: summary.archive.entries, bytes: summary.archive.bytes });
    run = undefined;
  };
  for await (const listed of reader.list(`${prefix}/`)) {
    const key = listed.key;
    report.counts.objects++;
    const parsed = parseArchiveKey(prefix, key);
    if (!parsed) {
      reportUnexpectedKey(sink, key);
      continue;
    }
    if (parsed.type === 'keyfile') {
      await checkKeyFile(reader, parsed.key, parsed.keyId, options, sink);
      continue;
    }
    if (run?.chainId !== parsed.chainId) {
      await finishRun();
      run = new ChainRun(parsed.chainId, prefix, reader, options, sink, onProgress);
      await run.start();
    }
    await run.add(parsed, listed.lastModified);
  }
  await finishRun();
  // Chains the caller named that the archive knows nothing of (nothing archived yet): Kafka-side checks only.
  for (const chainId of [...wanted].sort()) {
    run = new ChainRun(chainId, prefix, reader, options, sink, onProgress);
    await run.start();
    await finishRun();
  }
  report.chains.sort((a, b) => (a.chainId < b.chainId ? -1 : a.chainId > b.chainId ? 1 : 0));
  for (const c of report.chains) {
    report.counts.segments.valid += c.archive.segments.valid;
    report.counts.segments.invalid += c.archive.segments.invalid;
    report.counts.segments.missing += c.archive.segments.missing;
    report.counts.segments.pending += c.archive.segments.pending;
    report.counts.entries += c.archive.entries;
  }
  return report;
}

/**
 * FORMAT.md §10.5: `keys/<key id>.json` publishes one public key. The keyring
 * the verifier was given must hold the same key under that id (a key file
 * the keyring lacks, or that differs, means signatures in this archive are
 * checked against another trust root than the archive claims). Key files are
 * written once under Object Lock like everything else.
 */
async function checkKeyFile(reader: ArchiveReader, key: string, keyId: string, options: VerifyArchiveOptions, sink: FindingSink): Promise<void> {
  const bytes = await reader.get(key);
  if (!bytes) return;
  const mismatch = (expected: string, actual: string, message: string) =>
    sink(finding({ kind: 'key_file_mismatch', chainId: '', object: { key }, expected, actual, message, details: { keyId } }));
  let published;
  try {
    published = parseKeyring(new TextDecoder('utf-8', { fatal: true }).decode(bytes), options.backend ?? nodeCrypto);
  } catch (error) {
    mismatch('a keyring document with key ' + keyId, String((error as { code?: unknown })?.code ?? 'unreadable'), `key file ${key} does not parse: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
    return;
  }
  const entry = published.keys.length === 1 ? published.keys[0] : undefined;
  if (!entry || entry.keyId !== keyId) {
    mismatch(`exactly key ${keyId}`, published.keys.map((k) => k.keyId).join(',') || 'none', `key file ${key} does not hold exactly the key it is named after`);
  } else {
    const ours = options.keyring.keys.find((k) => k.keyId === keyId);
    if (!ours) mismatch('a key of the keyring', 'unknown key', `key file ${key} publishes key ${keyId}, which the verifier's keyring does not hold`);
    else if (!(options.backend ?? nodeCrypto).equalBytes(ours.publicKey, entry.publicKey)) mismatch(toHex(ours.publicKey), toHex(entry.publicKey), `key file ${key} publishes another public key than the keyring under id ${keyId}`);
  }
  await checkObjectRetention({ reader, chainId: '', key, createdAt: undefined, policy: options.retention, sink });
}

type ParsedChainKey = Exclude<ReturnType<typeof parseArchiveKey>, undefined | { type: 'keyfile' }>;

interface WindowEntry {
  entry: SealedEntry;
  offset: number;
  /** audit.sealed records read up to and including this one. */
  records: number;
  /** The record's value when the chain check verified the entry's hash against its contents (ChainCheck.lastLinkVerified). */
  verifiedValue: Uint8Array | undefined;
}

const microsToIso = (micros: number) => new Date(Math.floor(micros / 1000)).toISOString();

/** One chain's pass. Keys arrive in byte order: checkpoints, then each segment before its manifest. */
class ChainRun {
  private readonly partition: number;
  private readonly findingsBefore: () => number;
  private findingCount = 0;
  private readonly sink: FindingSink;
  private readonly backend: CryptoBackend;
  segmentsDone = 0;
  // archive
  private readonly checkpoints: Array<{ cp: Checkpoint; key: string }> = [];
  private checkpointsInvalid = 0;
  private latestCheckpoint: { cp: Checkpoint; key: string } | undefined;
  /** Last seq of the newest segment left pending (awaiting its manifest). */
  private pendingHead: number | undefined;
  private matcher: CheckpointMatcher | undefined;
  private pendingSegment: { key: string; firstSeq: number; lastSeq: number; lastModified?: Date } | undefined;
  private readonly continuity: ContinuityCheck;
  private readonly counts: SegmentCounts = { valid: 0, invalid: 0, missing: 0, pending: 0 };
  private archivedFirst: number | undefined;
  private archivedEntries = 0;
  private archivedBytes = 0;
  private firstSealedAt: number | undefined;
  private lastSealedAt: number | undefined;
  private lastSegmentCreatedAt: Date | undefined;
  private firstUncheckpointedSealedAt: number | undefined;
  // audit.sealed
  private sealedCheck: SealedStreamCheck | undefined;
  private sealedIterator: AsyncIterator<SealedRecord> | undefined;
  private readonly window = new Map<number, WindowEntry>();
  private sealedLogStart = 0;
  private sealedFirstSeq: number | undefined;
  private sealedLastSeq: number | undefined;
  private sealedEnded = true;
  private sealedRecords = 0;
  private overshoot: { seq: number; sealedAt: number } | undefined;
  private firstUnarchivedSealedAt: number | undefined;
  private readonly agreement: AgreementCheck;
  private peeked: SealedRecord | undefined;
  private sealedFirstSeqPeek: number | undefined;
  // audit.events
  private completeness: CompletenessCheck | undefined;
  private eventsLogStart = 0;
  // incremental passes
  private resume: ChainResume | undefined;
  private resumeHead: Omit<ChainResume, 'segments' | 'sealedLogStart' | 'eventsLogStart' | 'sealedFirstSeq' | 'uncheckpointed'> | undefined;
  private readonly verified = new Map<string, VerifiedSegment>();
  private readonly seenSegments = new Set<string>();
  private readonly rehashed = { segments: 0, entries: 0 };

  constructor(
    readonly chainId: string,
    private readonly prefix: string,
    private readonly reader: ArchiveReader,
    private readonly options: VerifyArchiveOptions,
    outer: FindingSink,
    private readonly onProgress: ((p: VerifyProgress) => void) | undefined,
  ) {
    this.partition = parseChainId(chainId).partition;
    this.sink = (f) => {
      this.findingCount++;
      outer(f);
    };
    this.findingsBefore = () => this.findingCount;
    this.backend = options.backend ?? nodeCrypto;
    this.continuity = new ContinuityCheck(chainId, this.sink, this.backend);
    this.agreement = new AgreementCheck(chainId, this.sink, this.backend);
    this.resume = options.resume?.get(chainId);
  }

  private get archivedHead(): number | undefined {
    return this.continuity.last?.lastSeq;
  }

  private sealedSide(): SealedSide {
    return {
      firstSeq: this.sealedFirstSeq,
      lastSeq: this.sealedLastSeq,
      ended: this.sealedEnded,
      logStartOffset: this.sealedLogStart,
      get: (seq) => {
        const w = this.window.get(seq);
        return w ? { hash: w.entry.hash, offset: w.offset } : undefined;
      },
    };
  }

  async start(): Promise<void> {
    const { sealed, events } = this.options;
    if (this.resume && (!sealed || !events || (await events.offsets(this.partition)).logStartOffset !== this.resume.eventsLogStart)) this.resume = undefined;
    if (sealed) {
      const offsets = await sealed.offsets(this.partition);
      this.sealedLogStart = offsets.logStartOffset;
      const r = this.resume && offsets.logStartOffset === this.resume.sealedLogStart && offsets.endOffset > this.resume.sealedOffset ? this.resume : undefined;
      this.resume = r;
      if (r) {
        // Resumed: the chain check goes on from the verified head, after its record.
        this.sealedCheck = new SealedStreamCheck({ chainId: this.chainId, from: { chainId: this.chainId, seq: r.seq, hash: r.hash }, sink: this.sink, backend: this.backend });
        this.sealedFirstSeq = r.sealedFirstSeq;
        this.sealedLastSeq = r.seq;
        this.sealedRecords = r.sealedRecords;
        this.resumeHead = r;
      } else {
        // Records deleted from the topic's start: verify from what the first remaining entry links to, and
        // hold that link against the archive below.
        this.sealedCheck = new SealedStreamCheck({ chainId: this.chainId, anchorOnFirst: offsets.logStartOffset > 0, sink: this.sink, backend: this.backend });
      }
      this.sealedIterator = sealed.read(this.partition, r ? r.sealedOffset + 1 : offsets.logStartOffset)[Symbol.asyncIterator]();
      this.sealedEnded = false;
      // The first record tells where Kafka's copy of the chain begins, which decides who feeds completeness.
      const first = await this.sealedIterator.next();
      if (first.done) this.sealedEnded = true;
      else {
        this.peeked = first.value;
        const decoded = decodeSealedRecord(first.value.value);
        if (decoded.ok) this.sealedFirstSeqPeek = decoded.entry.seq;
      }
    }
    if (events) {
      // Taken after the sealed topic was opened: every input a sealed entry references is below endOffset.
      const offsets = await events.offsets(this.partition);
      this.eventsLogStart = offsets.logStartOffset;
      const r = this.resume;
      this.completeness = new CompletenessCheck({
        chainId: this.chainId,
        inputs: events.read(this.partition, r ? r.sourceOffset + 1 : offsets.logStartOffset),
        logStartOffset: offsets.logStartOffset,
        endOffset: offsets.endOffset,
        ...(r ? { afterSourceOffset: r.sourceOffset } : {}),
        sink: this.sink,
        backend: this.backend,
      });
    }
  }

  /**
   * Seq from which audit.sealed feeds completeness; archived entries before
   * it feed it instead (the topic lost them, or starts late). Without a
   * sealed source, or with an empty topic, the archive feeds everything.
   */
  private get sealedFeedsFrom(): number {
    if (!this.sealedCheck) return Infinity;
    return this.sealedFirstSeqPeek ?? (this.sealedEnded && this.sealedFirstSeq === undefined ? Infinity : 0);
  }

  async add(key: ParsedChainKey, lastModified?: Date): Promise<void> {
    if (key.type === 'checkpoint') {
      await this.addCheckpoint(key.key, key.headSeq);
      return;
    }
    if (key.type === 'segment') {
      if (this.pendingSegment) await this.processSegment(this.pendingSegment, undefined);
      this.pendingSegment = { key: key.key, firstSeq: key.firstSeq, lastSeq: key.lastSeq, ...(lastModified ? { lastModified } : {}) };
      return;
    }
    // A manifest: with the segment listed just before it, or alone.
    const pending = this.pendingSegment;
    if (pending && manifestKeyFor(pending.key) === key.key) {
      this.pendingSegment = undefined;
      await this.processSegment(pending, key.key);
      return;
    }
    if (pending) {
      this.pendingSegment = undefined;
      await this.processSegment(pending, undefined);
    }
    await this.processSegment({ key: undefined, firstSeq: key.firstSeq, lastSeq: key.lastSeq }, key.key);
  }

  private async addCheckpoint(key: string, headSeq: number): Promise<void> {
    const bytes = await this.reader.get(key);
    if (!bytes) return; // deleted since listed: nothing to verify
    const cp = checkCheckpoint({ chainId: this.chainId, key, headSeq, bytes, formats: this.options.formats, keyring: this.options.keyring, sink: this.sink, backend: this.backend });
    if (cp) {
      this.checkpoints.push({ cp, key });
      if (!this.latestCheckpoint || cp.headSeq > this.latestCheckpoint.cp.headSeq) this.latestCheckpoint = { cp, key };
    } else this.checkpointsInvalid++;
    await checkObjectRetention({
      reader: this.reader,
      chainId: this.chainId,
      key,
      seqs: { first: headSeq, last: headSeq },
      createdAt: cp ? new Date(cp.time) : undefined,
      policy: this.options.retention,
      sink: this.sink,
    });
  }


  private checkpointMatcher(): CheckpointMatcher {
    this.matcher ??= new CheckpointMatcher(this.chainId, this.checkpoints, this.sink, this.backend);
    return this.matcher;
  }

  /** Reads audit.sealed up to seq `last` (one entry beyond it at most), keeping entries from `first` on for comparison. */
  private async pumpSealed(first: number, last: number): Promise<void> {
    if (!this.sealedCheck || !this.sealedIterator) return;
    // Entries before this range are not compared with anything any more: account for them and let them go.
    for (const [seq, w] of this.window) {
      if (seq >= first) continue;
      this.window.delete(seq);
      await this.release(w);
    }
    while (!this.sealedEnded && (this.sealedLastSeq === undefined || this.sealedLastSeq < last)) {
      let record: SealedRecord;
      if (this.peeked) {
        record = this.peeked;
        this.peeked = undefined;
      } else {
        const next = await this.sealedIterator.next();
        if (next.done) {
          this.sealedEnded = true;
          break;
        }
        record = next.value;
      }
      this.sealedRecords++;
      const entry = this.sealedCheck.push(record);
      if (!entry) continue;
      if (this.sealedFirstSeq === undefined) this.sealedFirstSeq = entry.seq;
      this.sealedLastSeq = this.sealedLastSeq === undefined ? entry.seq : Math.max(this.sealedLastSeq, entry.seq);
      this.checkpointMatcher().observe(entry.seq, entry.hash, { partition: this.partition, offset: record.offset });
      const head = this.archivedHead ?? -1;
      if (last === Infinity && entry.seq === head + 1 && this.firstUnarchivedSealedAt === undefined) {
        this.firstUnarchivedSealedAt = entry.sealedAt;
      }
      if (entry.seq > last) this.overshoot = { seq: entry.seq, sealedAt: entry.sealedAt };
      const w: WindowEntry = { entry, offset: record.offset, records: this.sealedRecords, verifiedValue: this.sealedCheck.chain.lastLinkVerified ? (record.value ?? undefined) : undefined };
      if (entry.seq >= first) this.window.set(entry.seq, w);
      else await this.release(w);
      if (this.sealedRecords % 10_000 === 0) {
        this.onProgress?.({ chainId: this.chainId, phase: 'sealed', segments: this.segmentsDone, entries: this.sealedRecords, bytes: this.archivedBytes });
      }
    }
  }

  /**
   * A sealed entry leaves the comparison window: completeness takes it,
   * liveness notes it, and its value is checked unless an archived segment
   * already held it (the agreement check compared their hashes, which cover the value).
   */
  private async release(w: WindowEntry): Promise<void> {
    this.noteUncheckpointed(w.entry);
    if (w.entry.seq > (this.archivedHead ?? -1)) this.checkValue(w.entry, { partition: this.partition, offset: w.offset });
    await this.completeness?.pushEntry(w.entry, { partition: this.partition, offset: w.offset });
  }

  private checkValue(entry: SealedEntry, where: EntryLocation): void {
    if (this.options.eventValues === false) return;
    checkEventValue(entry, where, this.options.eventValues ?? {}, this.sink);
  }

  private noteUncheckpointed(entry: SealedEntry): void {
    const cpSeq = this.latestCheckpoint?.cp.headSeq ?? -1;
    if (entry.seq === cpSeq + 1 && this.firstUncheckpointedSealedAt === undefined) this.firstUncheckpointedSealedAt = entry.sealedAt;
  }

  private async processSegment(seg: { key: string | undefined; firstSeq: number; lastSeq: number }, manifestKey: string | undefined): Promise<void> {
    const before = this.findingsBefore();
    const segmentKey = seg.key ?? segmentKeyOf(this.prefix, this.chainId, seg.firstSeq, seg.lastSeq);
    const seqs = { first: seg.firstSeq, last: seg.lastSeq };
    const { formats, keyring } = this.options;
    this.seenSegments.add(segmentKey);
    // Up to a resumed pass's head, entries were verified and compared by an earlier pass.
    const resumed = this.resume !== undefined && seg.lastSeq <= this.resume.seq;
    const known = resumed && seg.key && manifestKey ? this.resume!.segments.get(segmentKey) : undefined;
    await this.pumpSealed(seg.firstSeq, seg.lastSeq);
    // Manifest.
    let manifest: SegmentManifest | undefined;
    let signedManifest: SegmentManifest | undefined;
    if (manifestKey) {
      const bytes = await this.reader.get(manifestKey);
      if (bytes) {
        const checked = checkManifest({ chainId: this.chainId, manifestKey, segmentKey, firstSeq: seg.firstSeq, lastSeq: seg.lastSeq, bytes, formats, keyring, sink: this.sink, backend: this.backend });
        if (checked.describesSegment) manifest = checked.manifest;
        if (checked.ok) signedManifest = checked.manifest;
      }
    }
    if (signedManifest) this.lastSegmentCreatedAt = new Date(signedManifest.createdAt);
    // Continuity uses the ranges of the keys and the hashes of the signed manifest.
    const previous = this.continuity.last;
    const from =
      !manifest && previous?.headHash && previous.lastSeq + 1 === seg.firstSeq ? { chainId: this.chainId, seq: previous.lastSeq, hash: previous.headHash } : undefined;
    this.continuity.push({ key: segmentKey, firstSeq: seg.firstSeq, lastSeq: seg.lastSeq, ...(manifest ? { prevHash: manifest.prevHash, headHash: manifest.headHash } : {}) });
    this.archivedFirst ??= seg.firstSeq;
    // Segment.
    const bytes = seg.key ? await this.reader.get(seg.key) : undefined;
    let missing = false;
    let segmentLastSealedAt: number | undefined;
    let wholeCheck: { entries: number; firstSealedAt: number | undefined; lastSealedAt: number | undefined } | undefined;
    if (bytes && known && signedManifest && this.rehash(segmentKey, seqs, known, signedManifest, bytes)) {
      this.archivedBytes += bytes.length;
      this.archivedEntries += known.entries;
      this.rehashed.segments++;
      this.rehashed.entries += known.entries;
      segmentLastSealedAt = known.lastSealedAt;
      if (known.firstSealedAt !== undefined) this.firstSealedAt ??= known.firstSealedAt;
      if (known.lastSealedAt !== undefined) this.lastSealedAt = known.lastSealedAt;
      this.checkpointMatcher().observe(seg.lastSeq, signedManifest.headHash, { object: { key: segmentKey } });
      this.noteUncheckpointedIn(seg, known);
      this.verified.set(segmentKey, known);
    } else if (!bytes) {
      missing = true;
      this.sink(
        finding({
          kind: 'segment_missing',
          chainId: this.chainId,
          seqs,
          object: { key: segmentKey },
          expected: manifest ? `${manifest.segmentBytes} bytes, SHA-256 ${toHex(manifest.segmentSha256)}` : 'a segment object',
          actual: 'no object',
          message: `segment ${segmentKey} is missing (its manifest ${manifestKey ?? ''} is there)`,
          ...(manifestKey ? { details: { manifestKey } } : {}),
        }),
      );
    } else {
      if (!manifestKey) {
        // The archiver writes the segment first: the newest segment may be awaiting its manifest.
        this.sink(
          finding({
            kind: 'segment_without_manifest',
            chainId: this.chainId,
            seqs,
            object: { key: segmentKey },
            expected: manifestKeyFor(segmentKey),
            actual: 'no object',
            message: `segment ${segmentKey} has no signed manifest`,
          }),
        );
      }
      this.archivedBytes += bytes.length;
      const firstSealedSeq = this.sealedFeedsFrom;
      const sealedSide = this.sealedSide();
      const result = await checkSegment({
        chainId: this.chainId,
        segmentKey,
        firstSeq: seg.firstSeq,
        lastSeq: seg.lastSeq,
        manifest,
        ...(from ? { from } : {}),
        bytes,
        formats,
        sink: this.sink,
        backend: this.backend,
        // An archived entry with the same bytes as the audit.sealed record of its seq, whose link the chain
        // check of audit.sealed verified, is not hashed again; the agreement check still compares the two.
        verifiedCopy: (seq) => this.window.get(seq)?.verifiedValue?.subarray(SINGLE_OBJECT_HEADER_BYTES),
        // Not async: most entries need no await (completeness takes them from audit.sealed), and a promise per entry costs.
        onEntry: (entry, where, inChain, signed) => {
          this.archivedEntries++;
          // Entries of a segment that is not the signed object are evidence of that finding only; entries
          // up to a resumed head were compared with Kafka by an earlier pass.
          if ((!signed && manifest) || resumed) return;
          this.checkpointMatcher().observe(entry.seq, entry.hash, where);
          if (inChain) this.checkValue(entry, where);
          if (this.sealedCheck) {
            this.agreement.archived(entry.seq, entry.hash, segmentKey, sealedSide);
            this.checkSealedAnchor(entry, where);
          }
          if (inChain && entry.seq < firstSealedSeq) {
            this.noteUncheckpointed(entry);
            return this.completeness?.pushEntry(entry, where);
          }
          return undefined;
        },
      });
      segmentLastSealedAt = result.lastSealedAt;
      wholeCheck = result;
      if (result.firstSealedAt !== undefined) this.firstSealedAt ??= result.firstSealedAt;
      if (result.lastSealedAt !== undefined) this.lastSealedAt = result.lastSealedAt;
    }
    // Object Lock and versions of both objects. When was each written (FORMAT.md §10.3)? The manifest
    // just before its signed createdAt; the segment at some point after its last entry was sealed and
    // before that (after a crash the archiver keeps an existing segment and its retention, and signs
    // the manifest later), so its policy floor starts from the last entry's sealedAt — a lower bound,
    // never a false alarm — and the retain-until the manifest states is the segment's own. Dates come
    // only from a manifest whose signature holds: a forged one must not move a floor.
    if (seg.key) {
      await checkObjectRetention({
        reader: this.reader,
        chainId: this.chainId,
        key: seg.key,
        seqs,
        createdAt: signedManifest && segmentLastSealedAt !== undefined ? new Date(Math.floor(segmentLastSealedAt / 1000)) : undefined,
        ...(signedManifest ? { statedRetainUntil: new Date(signedManifest.retainUntil) } : {}),
        policy: this.options.retention,
        sink: this.sink,
      });
    }
    if (manifestKey) {
      await checkObjectRetention({
        reader: this.reader,
        chainId: this.chainId,
        key: manifestKey,
        seqs,
        createdAt: signedManifest ? new Date(signedManifest.createdAt) : undefined,
        policy: this.options.retention,
        sink: this.sink,
      });
    }
    // Sealed entries of this range have been compared: completeness takes them now, in seq order.
    let last: WindowEntry | undefined;
    for (const [seq, w] of this.window) {
      if (seq > seg.lastSeq) continue;
      this.window.delete(seq);
      if (seq === seg.lastSeq) last = w;
      await this.release(w);
    }
    this.segmentsDone++;
    if (missing) this.counts.missing++;
    else if (this.findingsBefore() === before) {
      this.counts.valid++;
      // Verified whole and compared with audit.sealed up to its last entry: a later pass may resume here.
      if (wholeCheck && signedManifest && last && this.completeness && !resumed) {
        this.verified.set(segmentKey, { firstSeq: seg.firstSeq, lastSeq: seg.lastSeq, sha256: signedManifest.segmentSha256, entries: wholeCheck.entries, firstSealedAt: wholeCheck.firstSealedAt, lastSealedAt: wholeCheck.lastSealedAt });
        this.resumeHead = {
          seq: seg.lastSeq,
          hash: last.entry.hash,
          sourceOffset: last.entry.sourceOffset,
          sealedOffset: last.offset,
          sealedRecords: last.records,
          matched: (this.resume?.matched ?? 0) + this.completeness.matched,
        };
      }
    } else this.counts.invalid++;
    this.onProgress?.({ chainId: this.chainId, phase: 'archive', segments: this.segmentsDone, entries: this.archivedEntries, bytes: this.archivedBytes });
  }

  /**
   * A segment an earlier pass verified whole, up to a resumed head: it is
   * still that segment when its bytes hash to the digest its (re-verified)
   * signed manifest states, and that digest is the one verified then. Anything
   * else and it is verified whole again (findings come from that check).
   */
  private rehash(segmentKey: string, seqs: { first: number; last: number }, known: VerifiedSegment, manifest: SegmentManifest, bytes: Uint8Array): boolean {
    if (!this.backend.equalBytes(manifest.segmentSha256, known.sha256)) return false;
    return checkSegmentBytes({ chainId: this.chainId, segmentKey, seqs, manifest, bytes, backend: this.backend, sink: () => undefined });
  }

  /** noteUncheckpointed for a re-hashed segment, whose entries are not read. */
  private noteUncheckpointedIn(seg: { firstSeq: number; lastSeq: number }, known: VerifiedSegment): void {
    const after = (this.latestCheckpoint?.cp.headSeq ?? -1) + 1;
    if (this.firstUncheckpointedSealedAt !== undefined || after < seg.firstSeq || after > seg.lastSeq) return;
    const carried = this.resume?.uncheckpointed;
    // Exact when the entry opens the segment or the earlier pass noted it; else the segment's last (a later time: never a false alarm).
    const sealedAt = after === seg.firstSeq ? known.firstSealedAt : carried && carried.afterSeq === after - 1 ? carried.sealedAt : known.lastSealedAt;
    if (sealedAt !== undefined) this.firstUncheckpointedSealedAt = sealedAt;
  }

  /** With a truncated audit.sealed, its first entry's prevHash must be the archived entry before it. */
  private checkSealedAnchor(entry: SealedEntry, where: EntryLocation): void {
    if (this.sealedLogStart === 0 || this.sealedFirstSeq === undefined || entry.seq !== this.sealedFirstSeq - 1) return;
    const first = this.window.get(this.sealedFirstSeq);
    if (!first || this.backend.equalBytes(first.entry.prevHash, entry.hash)) return;
    this.sink(
      finding({
        kind: 'bad_prev_hash',
        chainId: this.chainId,
        seqs: { first: first.entry.seq, last: first.entry.seq },
        offsets: { topic: 'sealed', partition: this.partition, first: first.offset, last: first.offset },
        expected: toHex(entry.hash),
        actual: toHex(first.entry.prevHash),
        message: `the first entry left in audit.sealed (seq ${first.entry.seq}) does not link to archived entry ${entry.seq}`,
        details: { archivedIn: 'object' in where ? where.object.key : '' },
      }),
    );
  }

  async finish(): Promise<ChainSummary> {
    if (this.pendingSegment) {
      const pending = this.pendingSegment;
      this.pendingSegment = undefined;
      const now = this.options.now?.().getTime();
      const grace = this.options.manifestGraceMs ?? 5 * 60_000;
      if (now !== undefined && pending.lastModified && now - pending.lastModified.getTime() < grace) {
        this.counts.pending++;
        this.pendingHead = pending.lastSeq;
        // Its content waits for its manifest; its lock does not (the archiver writes every object locked).
        await checkObjectRetention({ reader: this.reader, chainId: this.chainId, key: pending.key, seqs: { first: pending.firstSeq, last: pending.lastSeq }, createdAt: undefined, policy: this.options.retention, sink: this.sink });
      }
      else await this.processSegment(pending, undefined);
    }
    const archivedHead = this.archivedHead;
    if (this.overshoot && this.overshoot.seq === (archivedHead ?? -1) + 1) this.firstUnarchivedSealedAt = this.overshoot.sealedAt;
    // The rest of audit.sealed, beyond the archive.
    await this.pumpSealed(Infinity, Infinity);
    for (const [seq, w] of this.window) {
      this.window.delete(seq);
      await this.release(w);
    }
    if (this.sealedCheck) this.agreement.finish(this.sealedSide(), archivedHead);
    const completed = this.completeness ? await this.completeness.finish() : undefined;
    const events = completed ? { ...completed, matched: completed.matched + (this.resume?.matched ?? 0), logStartOffset: this.eventsLogStart } : undefined;
    // The newest segments an earlier pass verified, no longer listed at all (object and manifest gone): the
    // archive lost its tail. (Gone segments before the head leave a gap that the continuity check reports.)
    for (const [key, known] of this.resume?.segments ?? []) {
      if (this.seenSegments.has(key) || known.lastSeq <= (archivedHead ?? -1)) continue;
      this.sink(
        finding({
          kind: 'segment_missing',
          chainId: this.chainId,
          seqs: { first: known.firstSeq, last: known.lastSeq },
          object: { key },
          expected: `the segment and its manifest, verified by an earlier pass (${known.entries} entries, SHA-256 ${toHex(known.sha256)})`,
          actual: 'no object',
          message: `segment ${key} and its manifest, verified by an earlier pass, are gone from the archive`,
        }),
      );
    }
    // FORMAT.md §10.4: a checkpoint says the archive held the chain up to its headSeq. An archive whose
    // segments end before that has lost its tail (deleting the newest segments leaves no gap behind).
    const latest = this.latestCheckpoint;
    const heldHead = Math.max(archivedHead ?? -1, this.pendingHead ?? -1);
    if (latest && latest.cp.headSeq > heldHead) {
      this.sink(
        finding({
          kind: 'archive_truncated',
          chainId: this.chainId,
          seqs: { first: heldHead + 1, last: latest.cp.headSeq },
          object: { key: latest.key },
          expected: `segments up to seq ${latest.cp.headSeq}`,
          actual: heldHead < 0 ? 'no segment' : `segments up to seq ${heldHead}`,
          message: `checkpoint ${latest.key} (signed ${latest.cp.time}) vouches that the archive held seqs up to ${latest.cp.headSeq}; it now ends at ${heldHead < 0 ? 'nothing' : heldHead}`,
          details: { checkpointTime: latest.cp.time },
        }),
      );
    }
    const clean = this.findingCount === 0;
    let liveness: ChainSummary['liveness'];
    if (this.options.now && this.options.liveness) {
      const result = checkLiveness({
        chainId: this.chainId,
        now: this.options.now(),
        headSeq: this.sealedLastSeq ?? archivedHead,
        archivedHead,
        ...(this.firstUnarchivedSealedAt !== undefined ? { firstUnarchivedSealedAt: this.firstUnarchivedSealedAt } : {}),
        ...(this.lastSegmentCreatedAt ? { lastSegmentCreatedAt: this.lastSegmentCreatedAt } : {}),
        ...(latest ? { latestCheckpoint: { headSeq: latest.cp.headSeq, time: new Date(latest.cp.time), key: latest.key } } : {}),
        ...(this.firstUncheckpointedSealedAt !== undefined ? { firstUncheckpointedSealedAt: this.firstUncheckpointedSealedAt } : {}),
        thresholds: this.options.liveness,
      });
      for (const f of result.findings) this.sink(f);
      const { findings: _findings, ...figures } = result;
      liveness = figures;
    }
    const summary: ChainSummary = {
      chainId: this.chainId,
      archive: {
        firstSeq: this.archivedFirst,
        lastSeq: archivedHead,
        entries: this.archivedEntries,
        bytes: this.archivedBytes,
        segments: { ...this.counts },
        checkpoints: { valid: this.checkpoints.length, invalid: this.checkpointsInvalid, latestSeq: this.latestCheckpoint?.cp.headSeq },
        timeRange: this.firstSealedAt !== undefined && this.lastSealedAt !== undefined ? { first: microsToIso(this.firstSealedAt), last: microsToIso(this.lastSealedAt) } : undefined,
        rehashed: { ...this.rehashed },
      },
      findings: this.findingCount,
      ...(this.resume ? { resumedFrom: this.resume } : {}),
    };
    const head = this.resumeHead;
    if (clean && head && head.seq === archivedHead && this.sealedCheck && this.completeness) {
      const cpSeq = this.latestCheckpoint?.cp.headSeq ?? -1;
      summary.resume = {
        ...head,
        sealedFirstSeq: this.sealedFirstSeq,
        sealedLogStart: this.sealedLogStart,
        eventsLogStart: this.eventsLogStart,
        segments: new Map(this.verified),
        ...(this.firstUncheckpointedSealedAt !== undefined && cpSeq + 1 <= head.seq ? { uncheckpointed: { afterSeq: cpSeq, sealedAt: this.firstUncheckpointedSealedAt } } : {}),
      };
    }
    if (this.sealedCheck) {
      summary.sealed = {
        firstSeq: this.sealedFirstSeq,
        lastSeq: this.sealedLastSeq,
        records: this.sealedRecords,
        malformed: this.sealedCheck.malformed,
        logStartOffset: this.sealedLogStart,
      };
    }
    if (events) summary.events = events;
    if (liveness) summary.liveness = liveness;
    return summary;
  }
}
