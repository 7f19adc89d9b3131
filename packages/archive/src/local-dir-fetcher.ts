import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ArchiveError } from './errors';
import type { ArchiveFetcher, ListedObject } from './store';

/**
 * The read side of the archive over a local copy of the bucket (for example
 * `aws s3 sync s3://bucket dir`): key `a/b/c` is the file `<root>/a/b/c`.
 * Same contract as every ArchiveFetcher (store.ts).
 */
export function createLocalDirFetcher(root: string): ArchiveFetcher {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    if (key.length === 0 || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new ArchiveError('invalid_argument', `not a usable object key: ${JSON.stringify(key.slice(0, 200))}`);
    }
    return join(base, ...key.split('/'));
  };

  async function walk(dir: string, keyPrefix: string, out: ListedObject[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw new ArchiveError('storage_error', `cannot list ${dir}`, { cause: error });
    }
    for (const entry of entries) {
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${key}/`, out);
      else if (entry.isFile()) out.push({ key, size: 0 });
    }
  }

  return {
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
        if (error instanceof ArchiveError) throw error;
        throw new ArchiveError('storage_error', `cannot read ${key}`, { cause: error, retriable: false });
      }
    },
    async *list(prefix, options) {
      // Walk the deepest directory the prefix names, then filter by the full prefix.
      const cut = prefix.lastIndexOf('/');
      const dirKey = cut < 0 ? '' : prefix.slice(0, cut + 1);
      const dir = dirKey === '' ? base : join(base, ...dirKey.split('/').filter((s) => s !== ''));
      if (!resolve(dir).startsWith(base)) return;
      const found: ListedObject[] = [];
      await walk(dir, dirKey, found);
      const after = options?.startAfter;
      const keys = found.filter((o) => o.key.startsWith(prefix) && (after === undefined || o.key > after)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const item of keys) yield item;
    },
  };
}

