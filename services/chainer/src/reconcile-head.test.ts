import { encodeSealedEntry, encodeEvent } from '@auditseal/codec';
import { ChainLinker, chainId, toHex } from '@auditseal/core';
import { formatCommitMetadata, parseCommitMetadata, reconcileHead, type ReconcileInput, type TailRecord } from './reconcile-head';
import { sealBatch } from './seal-batch';
import { validEvent } from './testing/fixtures';

const id = chainId({ cluster: 'test', topic: 'audit.events', partition: 1 });
const linker = new ChainLinker(id);

/** A chain of `n` entries for source offsets 10, 11, …, laid on audit.sealed at offsets 0, 1, … (markers skipped). */
function chain(n: number) {
  const { entries, head } = sealBatch({
    linker,
    partition: 1,
    head: linker.genesisHead(),
    records: Array.from({ length: n }, (_, i) => ({ offset: 10 + i, timestampMs: 1, key: null, value: encodeEvent(validEvent(i)) })),
    classify: () => ({ kind: 'event', service: 'billing', signed: false }),
    nowMicros: () => 1,
  });
  const tail: TailRecord[] = entries.map((e, i) => ({ offset: 2 * i, value: e.bytes }));
  return { entries, head, tail };
}

function input(overrides: Partial<ReconcileInput>): ReconcileInput {
  return { chainId: id, partition: 1, delivery: 'exactly-once', tail: [], committedOffset: null, committedMetadata: null, eventsLowOffset: 0, ...overrides };
}

describe('reconcileHead', () => {
  describe('when both the chain and the committed offset are empty', () => {
    it('starts at the earliest events offset with the genesis head', () => {
      const result = reconcileHead(input({ eventsLowOffset: 4 }));
      expect(result).toEqual({ ok: true, head: linker.genesisHead(), nextOffset: 4, lastSealedOffset: -1 });
    });
  });

  describe('when the committed offset is one past the last entry', () => {
    it('continues after the last entry with its seq and hash', () => {
      const { head, tail } = chain(3);
      const result = reconcileHead(input({ tail, committedOffset: 13 }));
      expect(result).toEqual({ ok: true, head, nextOffset: 13, lastSealedOffset: 4 });
    });

    it('accepts matching commit metadata', () => {
      const { head, tail } = chain(3);
      const metadata = formatCommitMetadata({ seq: 2, hashHex: toHex(head.hash), sealedOffset: 4 });
      expect(reconcileHead(input({ tail, committedOffset: 13, committedMetadata: metadata }))).toEqual(expect.objectContaining({ ok: true, nextOffset: 13 }));
    });

    it('continues from a tail that does not start at seq 0', () => {
      const { head, tail } = chain(5);
      expect(reconcileHead(input({ tail: tail.slice(3), committedOffset: 15 }))).toEqual(expect.objectContaining({ ok: true, head, nextOffset: 15 }));
    });

    it('ignores metadata that is not ours', () => {
      const { tail } = chain(1);
      expect(reconcileHead(input({ tail, committedOffset: 11, committedMetadata: 'something else' })).ok).toBe(true);
    });
  });

  describe('when the chain and the committed offset disagree', () => {
    it.each([
      ['the offset is behind the chain', 12, 'offset_mismatch'],
      ['the offset is ahead of the chain', 14, 'offset_mismatch'],
      ['there is no committed offset', null, 'entry_without_offset'],
    ])('stops when %s', (_what, committedOffset, reason) => {
      const { tail } = chain(3);
      const result = reconcileHead(input({ tail, committedOffset }));
      expect(result).toEqual(expect.objectContaining({ ok: false, reason }));
      if (!result.ok) expect(result.evidence).toEqual(expect.objectContaining({ committedOffset, lastEntry: expect.objectContaining({ seq: 2, sourceOffset: 12, sealedOffset: 4 }) }));
    });

    it('stops when an offset is committed but the chain is empty', () => {
      expect(reconcileHead(input({ committedOffset: 7 }))).toEqual(expect.objectContaining({ ok: false, reason: 'offset_without_entry' }));
    });

    it('stops when the commit metadata names another entry', () => {
      const { head, tail } = chain(3);
      const metadata = formatCommitMetadata({ seq: 1, hashHex: toHex(head.hash), sealedOffset: 2 });
      expect(reconcileHead(input({ tail, committedOffset: 13, committedMetadata: metadata }))).toEqual(expect.objectContaining({ ok: false, reason: 'metadata_mismatch' }));
    });
  });

  describe('when delivery is at-least-once (benchmark baseline)', () => {
    it('continues after the chain when the crash came between send and commit', () => {
      const { tail } = chain(3);
      expect(reconcileHead(input({ delivery: 'at-least-once', tail, committedOffset: 11 }))).toEqual(expect.objectContaining({ ok: true, nextOffset: 13 }));
      expect(reconcileHead(input({ delivery: 'at-least-once', tail, committedOffset: null }))).toEqual(expect.objectContaining({ ok: true, nextOffset: 13 }));
    });

    it('still stops when the offset is ahead of the chain', () => {
      const { tail } = chain(3);
      expect(reconcileHead(input({ delivery: 'at-least-once', tail, committedOffset: 20 })).ok).toBe(false);
    });
  });

  describe('when the tail is not a valid piece of this chain', () => {
    it('stops on bytes that are not a sealed entry', () => {
      expect(reconcileHead(input({ tail: [{ offset: 0, value: Buffer.from('junk') }], committedOffset: 1 }))).toEqual(
        expect.objectContaining({ ok: false, reason: 'head_undecodable' }),
      );
    });

    it('stops on an entry of another chain', () => {
      const other = chainId({ cluster: 'test', topic: 'audit.events', partition: 2 });
      const { entries } = chain(1);
      const moved = encodeSealedEntry({ ...entries[0]!.entry, chainId: other });
      expect(reconcileHead(input({ tail: [{ offset: 0, value: moved }], committedOffset: 11 }))).toEqual(expect.objectContaining({ ok: false, reason: 'head_wrong_chain' }));
    });

    it('stops on an entry whose hash does not recompute', () => {
      const { entries } = chain(2);
      const tampered = encodeSealedEntry({ ...entries[1]!.entry, sourceTimestamp: 999 });
      const result = reconcileHead(input({ tail: [{ offset: 0, value: entries[0]!.bytes }, { offset: 2, value: tampered }], committedOffset: 12 }));
      expect(result).toEqual(expect.objectContaining({ ok: false, reason: 'head_bad_link' }));
    });

    it('stops when seq 0 does not link to genesis', () => {
      const { entries } = chain(1);
      const relinked = encodeSealedEntry({ ...entries[0]!.entry, prevHash: new Uint8Array(32) });
      expect(reconcileHead(input({ tail: [{ offset: 0, value: relinked }], committedOffset: 11 }))).toEqual(expect.objectContaining({ ok: false, reason: 'head_bad_link' }));
    });
  });
});

describe('commit metadata', () => {
  it('round-trips', () => {
    const m = { seq: 41, hashHex: 'ab'.repeat(32), sealedOffset: 99 };
    expect(parseCommitMetadata(formatCommitMetadata(m))).toEqual(m);
  });

  it.each([null, '', 'auditseal:v1:1:zz:2', `auditseal:v1:01:${'a'.repeat(64)}:2`, `auditseal:v2:1:${'a'.repeat(64)}:2`])('is absent for %p', (text) => {
    expect(parseCommitMetadata(text)).toBeUndefined();
  });
});
