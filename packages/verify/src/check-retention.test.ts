import { checkObjectRetention, type ObjectRetentionInput } from './check-retention';
import type { Finding } from './findings';
import { CHAIN, MemoryArchive, NOW, SEVEN_YEARS_MS, sinkInto, withoutMetadata } from './testing/fixtures';

const KEY = 'p/v1/x';
const run = async (archive: MemoryArchive, extra: Partial<ObjectRetentionInput> = {}) => {
  const findings: Finding[] = [];
  const ok = await checkObjectRetention({ reader: archive, chainId: CHAIN, key: KEY, createdAt: NOW, policy: { retentionMs: SEVEN_YEARS_MS }, sink: sinkInto(findings), ...extra });
  return { ok, findings };
};

describe('checkObjectRetention', () => {
  describe('when the object is locked in COMPLIANCE long enough, once', () => {
    it('passes, also within the clock-skew allowance', async () => {
      const archive = new MemoryArchive();
      archive.put(KEY, Buffer.from('x'), { lockMode: 'COMPLIANCE', retainUntil: new Date(NOW.getTime() + SEVEN_YEARS_MS - 60_000) });
      expect(await run(archive)).toEqual({ ok: true, findings: [] });
    });
  });

  describe('when a delete marker hides the object', () => {
    it('reports extra_object_version', async () => {
      const archive = new MemoryArchive();
      archive.put(KEY, Buffer.from('x'));
      archive.objects.get(KEY)!.push({ bytes: new Uint8Array(0), versionId: 'dm', lockMode: undefined, retainUntil: undefined, isDeleteMarker: true });
      archive.objects.get(KEY)!.reverse(); // the marker is not the latest here: the object still reads
      const { findings } = await run(archive);
      expect(findings).toEqual([expect.objectContaining({ kind: 'extra_object_version', actual: '2 versions (with a delete marker)' })]);
    });
  });

  describe('when the reader has no Object Lock metadata', () => {
    it('passes without looking', async () => {
      const archive = new MemoryArchive();
      archive.put(KEY, Buffer.from('x'), {});
      const findings: Finding[] = [];
      expect(await checkObjectRetention({ reader: withoutMetadata(archive), chainId: CHAIN, key: KEY, createdAt: NOW, policy: undefined, sink: sinkInto(findings) })).toBe(true);
      expect(findings).toEqual([]);
    });
  });
});
