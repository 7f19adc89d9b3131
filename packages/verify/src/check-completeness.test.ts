import type { SealedEntry } from '@auditseal/codec';
import { checkCompleteness, type CompletenessOptions } from './check-completeness';
import type { Finding } from './findings';
import type { EventRecord } from './sources';
import { CHAIN, buildEntries, sealedOffsetOf, sinkInto } from './testing/fixtures';

const { entries } = buildEntries(10); // source offsets 0, 2, 4, … 18

const inputsOf = (list: readonly SealedEntry[]): EventRecord[] => list.map((e) => ({ offset: e.sourceOffset, key: e.key, value: e.value, timestamp: e.sourceTimestamp }));

async function* stream<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

async function run(chain: readonly SealedEntry[], inputs: readonly EventRecord[], extra: Partial<CompletenessOptions> = {}) {
  const findings: Finding[] = [];
  const result = await checkCompleteness(
    chain.map((entry) => ({ entry, where: { partition: 0, offset: sealedOffsetOf(entry.seq) } })),
    { chainId: CHAIN, inputs: stream(inputs), logStartOffset: 0, endOffset: (inputs.at(-1)?.offset ?? -1) + 1, sink: sinkInto(findings), ...extra },
  );
  return { findings, result };
}

describe('checkCompleteness', () => {
  describe('when every committed input has exactly one entry, in order', () => {
    it('reports nothing, though offsets are not contiguous', async () => {
      const { findings, result } = await run(entries, inputsOf(entries));
      expect(findings).toEqual([]);
      expect(result).toEqual({ matched: 10, unsealedInputs: 0 });
    });

    it('counts inputs after the last entry as not sealed yet, not as missing', async () => {
      const { findings, result } = await run(entries.slice(0, 6), inputsOf(entries));
      expect(findings).toEqual([]);
      expect(result).toEqual({ matched: 6, unsealedInputs: 4 });
    });
  });

  describe('when the chain skips committed inputs', () => {
    it('reports one missing_entry per run of skipped offsets', async () => {
      const inputs = [...inputsOf(entries), { offset: 5, key: null, value: Buffer.from('x'), timestamp: 1 }, { offset: 7, key: null, value: null, timestamp: 1 }].sort((a, b) => a.offset - b.offset);
      const { findings } = await run(entries, inputs);
      expect(findings).toEqual([
        expect.objectContaining({ kind: 'missing_entry', offsets: { topic: 'events', partition: 0, first: 5, last: 5 }, details: { count: 1, nextSeq: 3 } }),
        expect.objectContaining({ kind: 'missing_entry', offsets: { topic: 'events', partition: 0, first: 7, last: 7 }, details: { count: 1, nextSeq: 4 } }),
      ]);
    });
  });

  describe('when an entry names an offset that holds no committed record', () => {
    it('reports unexpected_entry (a transaction marker or aborted record)', async () => {
      const { findings } = await run(entries, inputsOf(entries).filter((r) => r.offset !== 8));
      expect(findings).toEqual([expect.objectContaining({ kind: 'unexpected_entry', seqs: { first: 4, last: 4 }, details: { sourceOffset: 8 }, offsets: { topic: 'sealed', partition: 0, first: 9, last: 9 } })]);
    });

    it('does not report entries sealed after the inputs were read', async () => {
      const { findings } = await run(entries, inputsOf(entries.slice(0, 8)), { endOffset: 15 });
      expect(findings).toEqual([]);
    });
  });

  describe('when two entries account for one input, or go backwards', () => {
    it('reports duplicate_entry and source_out_of_order', async () => {
      const again = { ...entries[4]!, seq: 5 };
      const back = { ...entries[2]!, seq: 6 };
      const { findings } = await run([...entries.slice(0, 5), again, back], inputsOf(entries.slice(0, 5)));
      expect(findings.map((f) => [f.kind, f.seqs?.first, f.actual])).toEqual([
        ['duplicate_entry', 5, '8'],
        ['source_out_of_order', 6, '4'],
      ]);
    });
  });

  describe('when an entry does not carry its input verbatim', () => {
    it('reports value_mismatch with the SHA-256 of both values', async () => {
      const inputs = inputsOf(entries).map((r) => (r.offset === 6 ? { ...r, value: Buffer.from('other') } : r));
      const { findings } = await run(entries, inputs);
      expect(findings).toEqual([expect.objectContaining({ kind: 'value_mismatch', seqs: { first: 3, last: 3 }, details: expect.objectContaining({ fields: ['value'], sourceOffset: 6 }) })]);
      expect(findings[0]!.expected).toMatch(/^[0-9a-f]{64}$/);
    });

    it('reports a different key', async () => {
      const inputs = inputsOf(entries).map((r) => (r.offset === 2 ? { ...r, key: Buffer.from('tenant-x') } : r));
      const { findings } = await run(entries, inputs);
      expect(findings).toEqual([expect.objectContaining({ kind: 'value_mismatch', details: expect.objectContaining({ fields: ['key'] }) })]);
    });
  });

  describe('when an input has a Kafka timestamp an entry cannot hold', () => {
    it('expects the entry to carry −1 (as the chainer records it), and reports any other timestamp', async () => {
      const far = -(2 ** 60);
      const honest = entries.map((e) => (e.sourceOffset === 4 ? { ...e, sourceTimestamp: -1 } : e));
      const inputs = inputsOf(entries).map((r) => (r.offset === 4 ? { ...r, timestamp: far } : r));
      expect((await run(honest, inputs)).findings).toEqual([]);
      const verbatim = entries.map((e) => (e.sourceOffset === 4 ? { ...e, sourceTimestamp: far } : e));
      expect((await run(verbatim, inputs)).findings).toEqual([expect.objectContaining({ kind: 'value_mismatch', expected: expect.stringContaining('-1'), details: expect.objectContaining({ fields: ['timestamp'] }) })]);
    });
  });

  describe('when audit.events lost its first records', () => {
    it('reports one input_truncated for the entries whose inputs are gone', async () => {
      const { findings, result } = await run(entries, inputsOf(entries).filter((r) => r.offset >= 7), { logStartOffset: 7 });
      expect(findings).toEqual([
        expect.objectContaining({ kind: 'input_truncated', seqs: { first: 0, last: 3 }, offsets: { topic: 'events', partition: 0, first: 0, last: 6 }, actual: '7', details: { entries: 4, logStartOffset: 7 } }),
      ]);
      expect(result.matched).toBe(6);
    });
  });
});
