import { createHash } from 'node:crypto';
import { ArchiveError, type ArchiveStore, type ObjectInfo, type PutOnceOptions } from '@auditseal/archive';

/** The ArchiveStore contract (packages/archive/src/store.ts) in memory, for unit tests of the archiving logic. */
export class MemoryStore implements ArchiveStore {
  readonly objects = new Map<string, { bytes: Buffer; lockMode: PutOnceOptions['lockMode']; retainUntil: Date }>();
  puts = 0;

  async get(key: string) {
    return this.objects.get(key)?.bytes;
  }

  async *list(prefix: string, options?: { startAfter?: string }) {
    for (const key of [...this.objects.keys()].sort()) {
      if (key.startsWith(prefix) && (options?.startAfter === undefined || key > options.startAfter)) yield { key, size: this.objects.get(key)!.bytes.length };
    }
  }

  async putOnce(key: string, bytes: Uint8Array, options: PutOnceOptions) {
    this.puts++;
    const existing = this.objects.get(key);
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    if (!existing) {
      this.objects.set(key, { bytes: Buffer.from(bytes), lockMode: options.lockMode, retainUntil: new Date(Math.ceil(options.retainUntil.getTime() / 1000) * 1000) });
      return 'created' as const;
    }
    if (sha(existing.bytes) === sha(bytes)) return 'identical' as const;
    throw new ArchiveError('conflict', `a different object already exists at ${key}`, { details: { key, expectedSha256: sha(bytes), actualSha256: sha(existing.bytes) } });
  }

  /** Writes as someone else would: no put-once check. */
  place(key: string, bytes: Uint8Array) {
    this.objects.set(key, { bytes: Buffer.from(bytes), lockMode: 'COMPLIANCE', retainUntil: new Date(Date.now() + 86_400_000) });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(key);
    if (!o) return undefined;
    return { key, size: o.bytes.length, sha256: createHash('sha256').update(o.bytes).digest('hex'), versionId: '1', lockMode: o.lockMode, retainUntil: o.retainUntil, legalHold: false };
  }

  async listVersions(key: string) {
    return this.objects.has(key) ? [{ key, versionId: '1', isLatest: true, size: this.objects.get(key)!.bytes.length, isDeleteMarker: false }] : [];
  }

  async bucketObjectLockEnabled() {
    return true;
  }
}
