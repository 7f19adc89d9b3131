import { sourceTimestampOf, type SealedEntry } from '@auditseal/codec';
import { nodeCrypto, parseChainId, toHex, type CryptoBackend } from '@auditseal/core';
import { locationEvidence, type EntryLocation } from './check-chain';
import { finding, type FindingSink } from './findings';
import type { EventRecord } from './sources';

/**
 * Check 2 (DESIGN.md "Completeness", FORMAT.md §9.3 step 6): every committed
 * record of `audit.events` partition p appears exactly once in chain p, in
 * offset order. A merge of two ascending streams — the committed input
 * records (offsets are not contiguous: transaction markers and aborted
 * records take offsets) and the chain's entries by `sourceOffset` — in
 * constant memory:
 *
 * - an input offset that the chain skips over             → missing_entry (one finding per run)
 * - an entry whose source offset is no committed record   → unexpected_entry
 * - an entry repeating the previous entry's source offset  → duplicate_entry
 * - an entry whose source offset goes backwards            → source_out_of_order
 * - an entry whose key, value or timestamp differ          → value_mismatch (SHA-256 of both as evidence)
 * - entries whose source records are below the log start
 *   offset (deleted from audit.events)                     → input_truncated (one finding per run)
 *
 * Inputs after the chain's last entry are not findings: they are not sealed
 * yet (chainer lag), reported as `unsealedInputs`.
 */

export interface CompletenessOptions {
  chainId: string;
  /** The input partition's committed records from `afterSourceOffset + 1` (EventSource.read). */
  inputs: AsyncIterable<EventRecord>;
  /** EventSource.offsets(p) taken after the sealed entries were read. */
  logStartOffset: number;
  endOffset: number;
  /** Source offset of the entry before the first one pushed (-1 from the chain's start). */
  afterSourceOffset?: number;
  sink: FindingSink;
  backend?: CryptoBackend;
}

export interface CompletenessResult {
  /** Entries whose source record was found and matched. */
  matched: number;
  /** Committed input records after the chain's last entry (not sealed yet). */
  unsealedInputs: number;
}

interface Run {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  count: number;
}

const EMPTY = new Uint8Array(0);

export class CompletenessCheck {
  private readonly chainId: string;
  private readonly partition: number;
  private readonly iterator: AsyncIterator<EventRecord>;
  private readonly sink: FindingSink;
  private readonly backend: CryptoBackend;
  private readonly logStartOffset: number;
  private readonly endOffset: number;
  private next: EventRecord | undefined;
  private started = false;
  private exhausted = false;
  private lastEntryOffset: number;
  private truncated: Run | undefined;
  private matchedCount = 0;

  constructor(options: CompletenessOptions) {
    this.chainId = options.chainId;
    this.partition = parseChainId(options.chainId).partition;
    this.iterator = options.inputs[Symbol.asyncIterator]();
    this.sink = options.sink;
    this.backend = options.backend ?? nodeCrypto;
    this.logStartOffset = options.logStartOffset;
    this.endOffset = options.endOffset;
    this.lastEntryOffset = options.afterSourceOffset ?? -1;
  }

  /** Entries matched so far. */
  get matched(): number {
    return this.matchedCount;
  }

  private async peek(): Promise<EventRecord | undefined> {
    if (!this.started || (this.next === undefined && !this.exhausted)) {
      this.started = true;
      const r = await this.iterator.next();
      if (r.done) this.exhausted = true;
      else this.next = r.value;
    }
    return this.next;
  }

  private take(): void {
    this.next = undefined;
  }

  /** Checks the next entry of the chain (in seq order). */
  async pushEntry(entry: SealedEntry, where: EntryLocation): Promise<void> {
    const offset = entry.sourceOffset;
    const evidence = locationEvidence(where);
    if (offset <= this.lastEntryOffset) {
      const duplicate = offset === this.lastEntryOffset;
      this.sink(
        finding({
          kind: duplicate ? 'duplicate_entry' : 'source_out_of_order',
          chainId: this.chainId,
          seqs: { first: entry.seq, last: entry.seq },
          expected: `> ${this.lastEntryOffset}`,
          actual: String(offset),
          message: duplicate
            ? `entry ${entry.seq} accounts again for audit.events offset ${offset}`
            : `entry ${entry.seq} accounts for audit.events offset ${offset}, before the previous entry's ${this.lastEntryOffset}`,
          ...evidence,
        }),
      );
      return;
    }
    this.lastEntryOffset = offset;
    if (offset < this.logStartOffset) {
      // The input record was deleted from audit.events: nothing to compare with.
      if (this.truncated) {
        this.truncated.lastSeq = entry.seq;
        this.truncated.lastOffset = offset;
        this.truncated.count++;
      } else {
        this.truncated = { firstSeq: entry.seq, lastSeq: entry.seq, firstOffset: offset, lastOffset: offset, count: 1 };
      }
      // Skip inputs the source may still yield below the log start (a racing deletion).
      while ((await this.peek()) !== undefined && this.next!.offset <= offset) this.take();
      return;
    }
    this.flushTruncated();
    // Committed inputs the chain skipped over.
    let missing: Run | undefined;
    while ((await this.peek()) !== undefined && this.next!.offset < offset) {
      const o = this.next!.offset;
      if (missing) {
        missing.lastOffset = o;
        missing.count++;
      } else missing = { firstSeq: entry.seq, lastSeq: entry.seq, firstOffset: o, lastOffset: o, count: 1 };
      this.take();
    }
    if (missing) {
      this.sink(
        finding({
          kind: 'missing_entry',
          chainId: this.chainId,
          offsets: { topic: 'events', partition: this.partition, first: missing.firstOffset, last: missing.lastOffset },
          expected: `${missing.count} entr${missing.count === 1 ? 'y' : 'ies'} before seq ${entry.seq}`,
          actual: 'none',
          message: `${missing.count} committed audit.events record(s) at offsets ${missing.firstOffset}..${missing.lastOffset} have no entry (the chain goes on at seq ${entry.seq}, offset ${offset})`,
          details: { count: missing.count, nextSeq: entry.seq },
        }),
      );
    }
    const input = await this.peek();
    if (input === undefined || input.offset > offset) {
      if (input === undefined && offset >= this.endOffset) return; // sealed after the inputs were read: checked next pass
      this.sink(
        finding({
          kind: 'unexpected_entry',
          chainId: this.chainId,
          seqs: { first: entry.seq, last: entry.seq },
          expected: 'a committed audit.events record',
          actual: `offset ${offset}`,
          message: `entry ${entry.seq} accounts for audit.events offset ${offset}, which holds no committed record`,
          ...evidence,
          details: { sourceOffset: offset },
        }),
      );
      return;
    }
    this.take();
    const mismatches: Array<{ field: string; expected: string; actual: string }> = [];
    const equalBytes = (a: Uint8Array, b: Uint8Array) => this.backend.equalBytes(a, b);
    const sha256Hex = (bytes: Uint8Array) => toHex(this.backend.sha256(bytes));
    const inputValue = input.value ?? EMPTY; // FORMAT.md §3 rule 4: a null value is sealed empty
    // Constant-time comparison of the bytes themselves (FORMAT.md §1); SHA-256s are computed only as evidence.
    if (!equalBytes(inputValue, entry.value)) {
      mismatches.push({ field: 'value', expected: sha256Hex(inputValue), actual: sha256Hex(entry.value) });
    }
    if ((input.key === null) !== (entry.key === null) || (input.key && entry.key && !equalBytes(input.key, entry.key))) {
      mismatches.push({
        field: 'key',
        expected: input.key === null ? 'null' : sha256Hex(input.key),
        actual: entry.key === null ? 'null' : sha256Hex(entry.key),
      });
    }
    // A timestamp an entry cannot hold is recorded as -1 (the chainer rejects the record then).
    if (sourceTimestampOf(input.timestamp) !== entry.sourceTimestamp) mismatches.push({ field: 'timestamp', expected: String(sourceTimestampOf(input.timestamp)), actual: String(entry.sourceTimestamp) });
    if (mismatches.length > 0) {
      const first = mismatches[0]!;
      this.sink(
        finding({
          kind: 'value_mismatch',
          chainId: this.chainId,
          seqs: { first: entry.seq, last: entry.seq },
          expected: first.expected,
          actual: first.actual,
          message: `entry ${entry.seq} does not carry audit.events offset ${offset} verbatim (${mismatches.map((m) => m.field).join(', ')} differ)`,
          ...evidence,
          details: {
            sourceOffset: offset,
            fields: mismatches.map((m) => m.field),
            ...Object.fromEntries(mismatches.flatMap((m) => [[`${m.field}Expected`, m.expected], [`${m.field}Actual`, m.actual]])),
          },
        }),
      );
      return;
    }
    this.matchedCount++;
  }

  private flushTruncated(): void {
    const run = this.truncated;
    if (!run) return;
    this.truncated = undefined;
    this.sink(
      finding({
        kind: 'input_truncated',
        chainId: this.chainId,
        seqs: { first: run.firstSeq, last: run.lastSeq },
        offsets: { topic: 'events', partition: this.partition, first: run.firstOffset, last: run.lastOffset },
        expected: `log start offset ≤ ${run.firstOffset}`,
        actual: String(this.logStartOffset),
        message: `audit.events partition ${this.partition} no longer holds offsets ${run.firstOffset}..${run.lastOffset} that entries ${run.firstSeq}..${run.lastSeq} account for (records deleted from an infinite-retention topic)`,
        details: { entries: run.count, logStartOffset: this.logStartOffset },
      }),
    );
  }

  /** Ends the merge: reports a pending truncation and counts the inputs not sealed yet. Closes the input stream. */
  async finish(): Promise<CompletenessResult> {
    this.flushTruncated();
    let unsealed = 0;
    while ((await this.peek()) !== undefined) {
      unsealed++;
      this.take();
    }
    return { matched: this.matchedCount, unsealedInputs: unsealed };
  }

  /** Stops reading inputs without counting the rest (for a caller that stops early). */
  async close(): Promise<void> {
    this.flushTruncated();
    await this.iterator.return?.();
  }
}

/** Runs the completeness check over a whole chain stream. */
export async function checkCompleteness(
  entries: AsyncIterable<{ entry: SealedEntry; where: EntryLocation }> | Iterable<{ entry: SealedEntry; where: EntryLocation }>,
  options: CompletenessOptions,
): Promise<CompletenessResult> {
  const check = new CompletenessCheck(options);
  for await (const { entry, where } of entries) await check.pushEntry(entry, where);
  return check.finish();
}
