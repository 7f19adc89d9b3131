import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLocalDirFetcher } from '@auditseal/archive';
import { FORMATS, KEYRING, PREFIX, buildArchive } from './testing/fixtures';
import { verifyArchive } from './verify-archive';

/** The CLI verifies a downloaded copy of the bucket through @auditseal/archive's local-directory fetcher. */
describe('verifyArchive over a local copy of the bucket', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auditseal-verify-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function copy(archive: Awaited<ReturnType<typeof buildArchive>>['archive']) {
    for (const key of archive.keys()) {
      const file = join(dir, ...key.split('/'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, (await archive.get(key))!);
    }
  }

  describe('when the copy is intact', () => {
    it('verifies every segment and says retention was not checked', async () => {
      const { archive } = await buildArchive({ total: 25, segmentSize: 10, checkpointEvery: 10 });
      await copy(archive);
      const report = await verifyArchive(createLocalDirFetcher(dir), { prefix: PREFIX, formats: FORMATS, keyring: KEYRING });
      expect(report.findings).toEqual([]);
      expect(report.counts.segments).toEqual({ valid: 3, invalid: 0, missing: 0, pending: 0 });
      expect(report.retentionChecked).toBe(false);
    });
  });

  describe('when a file of the copy was edited', () => {
    it('reports the segment', async () => {
      const { archive, segments } = await buildArchive({ total: 25, segmentSize: 10 });
      archive.overwrite(segments[0]!.segmentKey, (b) => {
        b[b.length - 30]! ^= 0x10;
        return b;
      });
      await copy(archive);
      const report = await verifyArchive(createLocalDirFetcher(dir), { prefix: PREFIX, formats: FORMATS, keyring: KEYRING });
      expect(report.findings.map((f) => f.kind)).toEqual(['segment_sha256_mismatch']);
    });
  });
});
