import { FINDING_KINDS, SEVERITY, finding, findingId } from './findings';
import { CHAIN } from './testing/fixtures';

describe('findingId', () => {
  const base = finding({ kind: 'segment_sha256_mismatch', chainId: CHAIN, seqs: { first: 0, last: 9 }, object: { key: 'k' }, expected: 'a', actual: 'b', message: 'm' });

  describe('when the same problem is found again', () => {
    it('gives the same 32-hex id whatever the message, values or severity', () => {
      const again = { ...base, message: 'other words', actual: 'c', severity: 'high' as const };
      expect(findingId(base)).toMatch(/^[0-9a-f]{32}$/);
      expect(findingId(again)).toBe(findingId(base));
    });
  });

  describe('when the problem is elsewhere', () => {
    it('gives another id for another kind, chain, seq range, object, version or offsets', () => {
      const ids = new Set([
        findingId(base),
        findingId({ ...base, kind: 'segment_size_mismatch' }),
        findingId({ ...base, chainId: `${CHAIN}1` }),
        findingId({ ...base, seqs: { first: 10, last: 19 } }),
        findingId({ ...base, object: { key: 'k2' } }),
        findingId({ ...base, object: { key: 'k', versionId: 'v2' } }),
        findingId({ ...base, offsets: { topic: 'sealed', partition: 0, first: 1, last: 1 } }),
      ]);
      expect(ids.size).toBe(7);
    });
  });
});

describe('finding', () => {
  describe('when no severity is given', () => {
    it('takes the kind\'s default and drops undefined fields', () => {
      expect(finding({ kind: 'duplicate', chainId: CHAIN, message: 'm', object: undefined })).toEqual({ kind: 'duplicate', chainId: CHAIN, message: 'm', severity: 'warning' });
      expect(FINDING_KINDS.every((k) => SEVERITY[k] !== undefined)).toBe(true);
    });
  });
});
