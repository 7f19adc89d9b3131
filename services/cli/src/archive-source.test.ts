import type { ArchiveReader, ListedObject } from '@auditseal/verify';
import { prefetchingReader } from './archive-source';

function slowReader(keys: string[]) {
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const reader: ArchiveReader = {
    async get(key) {
      started.push(key);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return key === 'missing' ? undefined : Buffer.from(key);
    },
    async *list(prefix) {
      for (const key of keys) if (key.startsWith(prefix)) yield { key, size: key.length } satisfies ListedObject;
    },
  };
  return { reader, started, maxInFlight: () => maxInFlight };
}

describe('prefetchingReader', () => {
  describe('when the listing is consumed in order and each key is read', () => {
    it('reads ahead with bounded concurrency and serves each key once from the prefetch', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `p/${String(i).padStart(2, '0')}`);
      const slow = slowReader(keys);
      const reader = prefetchingReader(slow.reader, 4);
      const got: string[] = [];
      for await (const item of reader.list('p/')) got.push(Buffer.from((await reader.get(item.key))!).toString());
      expect(got).toEqual(keys);
      expect(slow.started).toEqual(keys); // every key fetched exactly once
      expect(slow.maxInFlight()).toBeGreaterThan(1);
      expect(slow.maxInFlight()).toBeLessThanOrEqual(4);
    });
  });
  describe('when a key was not prefetched', () => {
    it('reads it directly, and a missing key stays undefined', async () => {
      const slow = slowReader(['p/a']);
      const reader = prefetchingReader(slow.reader, 4);
      expect(await reader.get('missing')).toBeUndefined();
      expect(Buffer.from((await reader.get('other'))!).toString()).toBe('other');
    });
  });
  describe('when a prefetched read fails', () => {
    it('rejects when that key is asked for, not before', async () => {
      const reader = prefetchingReader(
        {
          get: async (key) => {
            if (key === 'p/bad') throw new Error('boom');
            return Buffer.from(key);
          },
          async *list() {
            yield { key: 'p/bad', size: 1 };
            yield { key: 'p/good', size: 1 };
          },
        },
        4,
      );
      const items: string[] = [];
      for await (const item of reader.list('p/')) items.push(item.key);
      await expect(reader.get('p/bad')).rejects.toThrow('boom');
      expect(Buffer.from((await reader.get('p/good'))!).toString()).toBe('p/good');
    });
  });
});
