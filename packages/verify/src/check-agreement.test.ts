import { AgreementCheck, type SealedSide } from './check-agreement';
import type { Finding } from './findings';
import { CHAIN, buildEntries, sinkInto } from './testing/fixtures';

const { entries } = buildEntries(20);
const other = buildEntries(20, { chainId: CHAIN }).entries.map((e) => ({ ...e, hash: new Uint8Array(32).fill(e.seq) }));

function side(held: typeof entries, extra: Partial<SealedSide> = {}): SealedSide {
  const map = new Map(held.map((e) => [e.seq, { hash: e.hash, offset: 100 + e.seq }]));
  return { firstSeq: held[0]?.seq, lastSeq: held.at(-1)?.seq, ended: true, logStartOffset: 0, get: (seq) => map.get(seq), ...extra };
}

function run(archived: typeof entries, sealed: SealedSide) {
  const findings: Finding[] = [];
  const check = new AgreementCheck(CHAIN, sinkInto(findings));
  for (const e of archived) check.archived(e.seq, e.hash, 'seg', sealed);
  check.finish(sealed, archived.at(-1)?.seq);
  return { findings, check };
}

describe('AgreementCheck', () => {
  describe('when Kafka holds the archived entries, and more', () => {
    it('reports nothing', () => {
      const { findings, check } = run(entries.slice(0, 10), side(entries));
      expect(findings).toEqual([]);
      expect(check.compared).toBe(10);
    });
  });

  describe('when an archived entry differs from Kafka\'s', () => {
    it('reports archive_mismatch with the object, the offset and both hashes', () => {
      const sealed = side(entries.map((e) => (e.seq === 4 ? other[4]! : e)));
      const { findings } = run(entries.slice(0, 10), sealed);
      expect(findings).toEqual([
        expect.objectContaining({
          kind: 'archive_mismatch',
          seqs: { first: 4, last: 4 },
          object: { key: 'seg' },
          offsets: { topic: 'sealed', partition: 0, first: 104, last: 104 },
          expected: Buffer.from(entries[4]!.hash).toString('hex'),
          actual: '04'.repeat(32),
        }),
      ]);
    });
  });

  describe('when Kafka lost entries', () => {
    it('reports archived entries below the log start as sealed_truncated (high)', () => {
      const { findings } = run(entries.slice(0, 10), side(entries.slice(6), { logStartOffset: 106 }));
      expect(findings).toEqual([expect.objectContaining({ kind: 'sealed_truncated', severity: 'high', seqs: { first: 0, last: 5 }, actual: '106' })]);
    });

    it('reports archived entries beyond the end of the topic as sealed_behind_archive', () => {
      const { findings } = run(entries.slice(0, 10), side(entries.slice(0, 7)));
      expect(findings).toEqual([expect.objectContaining({ kind: 'sealed_behind_archive', seqs: { first: 7, last: 9 }, actual: 'ends at seq 6' })]);
    });

    it('does not report a seq missing inside the topic (the chain check reports that gap)', () => {
      const { findings } = run(entries.slice(0, 10), side(entries.filter((e) => e.seq !== 5)));
      expect(findings).toEqual([]);
    });
  });
});
