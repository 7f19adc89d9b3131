import { encodeSealedEntry, type SealedEntry } from '@auditseal/codec';
import { sealEntry } from '@auditseal/core';
import { ChainCheck, SealedStreamCheck, checkSealedChain, toCoreEntry } from './check-chain';
import type { Finding } from './findings';
import { CHAIN, CHAIN_1, buildEntries, sealedOffsetOf, sinkInto } from './testing/fixtures';

const at = (seq: number) => ({ partition: 0, offset: sealedOffsetOf(seq) });

function run(entries: readonly SealedEntry[], options: { anchorOnFirst?: boolean } = {}) {
  const findings: Finding[] = [];
  const check = new ChainCheck({ chainId: CHAIN, sink: sinkInto(findings), ...options });
  const accepted = entries.map((e) => check.push(e, at(e.seq)));
  return { findings, check, accepted };
}

/** Entry `seq` resealed with other content, linked to its real predecessor (a consistent forgery of one entry). */
function forge(entries: readonly SealedEntry[], seq: number): SealedEntry {
  const original = entries[seq]!;
  const value = Buffer.from('forged');
  const link = sealEntry({ ...toCoreEntry(original), value }, { chainId: CHAIN, seq: seq - 1, hash: entries[seq - 1]!.hash });
  return { ...original, value, hash: link.hash };
}

describe('ChainCheck', () => {
  const { entries } = buildEntries(20);

  describe('when the entries form the chain', () => {
    it('accepts every entry and reports nothing', () => {
      const { findings, check, accepted } = run(entries);
      expect(findings).toEqual([]);
      expect(accepted.every(Boolean)).toBe(true);
      expect(check.head?.seq).toBe(19);
    });
  });

  describe('when one entry\'s content is changed but its stored hash kept', () => {
    it('reports one bad_hash with both hashes and goes on from the stored hash', () => {
      const tampered = entries.map((e) => (e.seq === 7 ? { ...e, value: Buffer.from('changed') } : e));
      const { findings, check } = run(tampered);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ kind: 'bad_hash', seqs: { first: 7, last: 7 }, actual: Buffer.from(entries[7]!.hash).toString('hex'), offsets: { topic: 'sealed', partition: 0, first: 15, last: 15 } });
      expect(findings[0]!.expected).not.toBe(findings[0]!.actual);
      expect(check.head?.seq).toBe(19);
    });
  });

  describe('when one entry is replaced by a consistent forgery', () => {
    it('reports one bad_prev_hash at the next entry', () => {
      const tampered = entries.map((e) => (e.seq === 7 ? forge(entries, 7) : e));
      const { findings } = run(tampered);
      expect(findings.map((f) => [f.kind, f.seqs?.first])).toEqual([['bad_prev_hash', 8]]);
    });
  });

  describe('when entries are missing', () => {
    it('reports one gap naming the missing seqs', () => {
      const { findings, check } = run(entries.filter((e) => e.seq < 5 || e.seq > 9));
      expect(findings).toEqual([expect.objectContaining({ kind: 'gap', seqs: { first: 5, last: 9 }, expected: '5', actual: '10' })]);
      expect(check.head?.seq).toBe(19);
    });
  });

  describe('when an entry repeats, arrives late, forks or belongs elsewhere', () => {
    it('reports a duplicate as a warning and skips it', () => {
      const { findings, accepted } = run([...entries.slice(0, 5), entries[4]!, ...entries.slice(5)]);
      expect(findings).toEqual([expect.objectContaining({ kind: 'duplicate', severity: 'warning', seqs: { first: 4, last: 4 } })]);
      expect(accepted[5]).toBe(false);
    });

    it('reports an old entry arriving again later as out_of_order', () => {
      const { findings } = run([...entries, entries[3]!]);
      expect(findings.map((f) => [f.kind, f.seqs?.first])).toEqual([['out_of_order', 3]]);
    });

    it('reports a second entry for the head seq as a fork', () => {
      const { findings } = run([...entries.slice(0, 8), forge(entries, 7)]);
      expect(findings.map((f) => [f.kind, f.seqs?.first])).toEqual([['fork', 7]]);
    });

    it('reports an entry of another chain', () => {
      const other = buildEntries(3, { chainId: CHAIN_1 }).entries;
      const { findings } = run([...entries.slice(0, 3), other[2]!]);
      expect(findings).toEqual([expect.objectContaining({ kind: 'wrong_chain', expected: CHAIN, actual: CHAIN_1 })]);
    });

    it('reports an entry naming another source partition (not hashed, FORMAT.md §9.2)', () => {
      const { findings } = run(entries.map((e) => (e.seq === 2 ? { ...e, sourcePartition: 1 } : e)));
      expect(findings).toEqual([expect.objectContaining({ kind: 'invalid_entry', seqs: { first: 2, last: 2 }, expected: '0', actual: '1' })]);
    });
  });

  describe('when an entry\'s fields cannot form an entry body (FORMAT.md §3 rules)', () => {
    it('reports one invalid_entry and goes on from its stored hash', () => {
      const { findings, check } = run(entries.map((e) => (e.seq === 6 ? { ...e, kind: 'EVENT' as const, rejectReason: null, rejectDetail: 'detail on an event' } : e)));
      expect(findings).toEqual([expect.objectContaining({ kind: 'invalid_entry', seqs: { first: 6, last: 6 } })]);
      expect(check.head?.seq).toBe(19);
    });
  });

  describe('when anchored on the first entry', () => {
    it('verifies a stream that starts in the middle of the chain', () => {
      const { findings, check } = run(entries.slice(10), { anchorOnFirst: true });
      expect(findings).toEqual([]);
      expect(check.accepted).toBe(10);
    });
  });
});

describe('SealedStreamCheck', () => {
  const { entries } = buildEntries(6);

  describe('when a record does not decode', () => {
    it('reports malformed_record with its offset and goes on', async () => {
      const findings: Finding[] = [];
      const records = entries.map((e) => ({ offset: sealedOffsetOf(e.seq), value: encodeSealedEntry(e) as Uint8Array | null }));
      records.splice(3, 0, { offset: 100, value: Buffer.from('not avro') }, { offset: 101, value: null });
      const result = await checkSealedChain(records, { chainId: CHAIN, sink: sinkInto(findings) });
      expect(findings).toEqual([
        expect.objectContaining({ kind: 'malformed_record', offsets: { topic: 'sealed', partition: 0, first: 100, last: 100 }, details: expect.objectContaining({ code: 'not_single_object' }) }),
        expect.objectContaining({ kind: 'malformed_record', offsets: { topic: 'sealed', partition: 0, first: 101, last: 101 }, details: expect.objectContaining({ code: 'null_value' }) }),
      ]);
      expect(result).toMatchObject({ accepted: 6, malformed: 2 });
      expect(result.head?.seq).toBe(5);
    });
  });

  describe('when every record decodes', () => {
    it('returns each entry it accepts', () => {
      const check = new SealedStreamCheck({ chainId: CHAIN, sink: () => undefined });
      expect(check.push({ offset: 1, value: encodeSealedEntry(entries[0]!) })?.seq).toBe(0);
    });
  });
});
