import { archiveLayout } from './keys';
import { TEST_CHAIN_ID } from './testing/chain-fixture';

describe('archiveLayout', () => {
  const layout = archiveLayout('auditseal-archive');

  describe('segment keys', () => {
    it('match the layout of FORMAT.md §10.1 and parse back', () => {
      const key = layout.segmentKey(TEST_CHAIN_ID, 0, 6);
      expect(key).toBe('auditseal-archive/v1/auditseal/v1/test-cluster/audit.events/0/segments/00000000000000000000-00000000000000000006.avro');
      expect(layout.manifestKeyFor(key)).toBe(key.replace(/\.avro$/, '.manifest.json'));
      expect(layout.parseSegmentKey(TEST_CHAIN_ID, key)).toEqual({ chainId: TEST_CHAIN_ID, firstSeq: 0, lastSeq: 6, kind: 'segment' });
      expect(layout.parseSegmentKey(TEST_CHAIN_ID, layout.manifestKeyFor(key))).toMatchObject({ kind: 'manifest' });
    });

    it('sort in seq order', () => {
      const keys = [[0, 9], [10, 99], [100, 1000], [1001, 123456789012]].map(([a, b]) => layout.segmentKey(TEST_CHAIN_ID, a!, b!));
      expect([...keys].sort()).toEqual(keys);
    });

    it('do not parse foreign names', () => {
      expect(layout.parseSegmentKey(TEST_CHAIN_ID, `${layout.segmentsPrefix(TEST_CHAIN_ID)}junk.avro`)).toBeUndefined();
      expect(layout.parseSegmentKey(TEST_CHAIN_ID, 'other/key')).toBeUndefined();
    });
  });

  describe('when the prefix or chain id is unusable', () => {
    it.each(['', '/x', 'x/', 'a//b', 'a/../b', 'a b'])('refuses prefix %j', (prefix) => {
      expect(() => archiveLayout(prefix)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    });

    it('refuses a chain id that is not one', () => {
      expect(() => layout.segmentKey('auditseal/v1/../x/0', 0, 1)).toThrow();
    });
  });

  it('names checkpoints and key files', () => {
    expect(layout.checkpointKey(TEST_CHAIN_ID, 41)).toBe('auditseal-archive/v1/auditseal/v1/test-cluster/audit.events/0/checkpoints/00000000000000000041.json');
    expect(layout.keyFileKey('0622781dfc9f891c')).toBe('auditseal-archive/v1/keys/0622781dfc9f891c.json');
    expect(layout.parseCheckpointKey(TEST_CHAIN_ID, layout.checkpointKey(TEST_CHAIN_ID, 41))).toBe(41);
  });
});
