import { archiveLayout } from '@auditseal/archive';
import { manifestKeyFor, parseArchiveKey, segmentKeyOf } from './layout';
import { CHAIN, PREFIX } from './testing/fixtures';

describe('parseArchiveKey', () => {
  const writer = archiveLayout(PREFIX);

  describe('when given the keys @auditseal/archive writes', () => {
    it('classifies segments, manifests, checkpoints and key files the same way', () => {
      expect(segmentKeyOf(PREFIX, CHAIN, 10, 19)).toBe(writer.segmentKey(CHAIN, 10, 19));
      expect(manifestKeyFor(writer.segmentKey(CHAIN, 10, 19))).toBe(writer.manifestKey(CHAIN, 10, 19));
      expect(parseArchiveKey(PREFIX, writer.segmentKey(CHAIN, 10, 19))).toEqual({ type: 'segment', chainId: CHAIN, firstSeq: 10, lastSeq: 19, key: writer.segmentKey(CHAIN, 10, 19) });
      expect(parseArchiveKey(PREFIX, writer.manifestKey(CHAIN, 10, 19))).toMatchObject({ type: 'manifest', firstSeq: 10, lastSeq: 19 });
      expect(parseArchiveKey(PREFIX, writer.checkpointKey(CHAIN, 42))).toMatchObject({ type: 'checkpoint', chainId: CHAIN, headSeq: 42 });
      expect(parseArchiveKey(PREFIX, writer.keyFileKey('0622781dfc9f891c'))).toMatchObject({ type: 'keyfile', keyId: '0622781dfc9f891c' });
    });
  });

  describe('when given anything else', () => {
    it('returns undefined', () => {
      const seg = writer.segmentKey(CHAIN, 10, 19);
      for (const key of [
        `${seg}.bak`,
        seg.replace('/segments/', '/segment/'),
        seg.replace('00000000000000000019', '00000000000000000009'),
        seg.replace(PREFIX, 'other'),
        `${PREFIX}/v1/auditseal/v1/c/t/01/segments/${seg.slice(seg.lastIndexOf('/') + 1)}`,
        `${PREFIX}/v1/keys/NOTHEX.json`,
        `${PREFIX}/notes.txt`,
      ]) {
        expect(parseArchiveKey(PREFIX, key)).toBeUndefined();
      }
    });
  });
});
