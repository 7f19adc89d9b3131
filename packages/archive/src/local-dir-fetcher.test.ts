import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDirFetcher } from './local-dir-fetcher';
import { listAll } from './store';

describe('createLocalDirFetcher', () => {
  const root = mkdtempSync(join(tmpdir(), 'archive-dir-'));
  mkdirSync(join(root, 'p/v1/c/segments'), { recursive: true });
  writeFileSync(join(root, 'p/v1/c/segments/02.avro'), 'b');
  writeFileSync(join(root, 'p/v1/c/segments/01.avro'), 'a');
  writeFileSync(join(root, 'p/v1/c/segments/01.manifest.json'), 'm');
  const fetcher = createLocalDirFetcher(root);

  describe('get', () => {
    it('returns the bytes of a key and undefined for a missing one', async () => {
      expect(Buffer.from((await fetcher.get('p/v1/c/segments/01.avro'))!).toString()).toBe('a');
      expect(await fetcher.get('p/v1/c/segments/03.avro')).toBeUndefined();
      expect(await fetcher.get('p/v1/c/segments')).toBeUndefined();
    });

    it('refuses keys that would leave the root', async () => {
      await expect(fetcher.get('../etc/passwd')).rejects.toMatchObject({ code: 'invalid_argument' });
    });
  });

  describe('list', () => {
    it('yields keys under a prefix in order, honouring startAfter', async () => {
      expect((await listAll(fetcher, 'p/v1/c/segments/')).map((o) => o.key)).toEqual([
        'p/v1/c/segments/01.avro',
        'p/v1/c/segments/01.manifest.json',
        'p/v1/c/segments/02.avro',
      ]);
      expect((await listAll(fetcher, 'p/v1/c/segments/0', { startAfter: 'p/v1/c/segments/01.manifest.json' })).map((o) => o.key)).toEqual(['p/v1/c/segments/02.avro']);
      expect(await listAll(fetcher, 'q/')).toEqual([]);
    });
  });
});
