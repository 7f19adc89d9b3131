import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, parseKeyring } from '@auditseal/core';
import { FORMATS, MemoryArchive } from './testing/fixtures';
import { verifyArchive } from './verify-archive';

/** FORMAT.md §10.6: the published archive vector verifies with the published test keyring, and a changed byte does not. */
const vectors = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../../schemas/vectors', name), 'utf8'));

describe('verifyArchive on schemas/vectors/archive-segment.json', () => {
  const v = vectors('archive-segment.json');
  const keyring = parseKeyring(vectors('signatures.json').keyringJson);
  // The vector's entries come from chain-links.json, whose EVENT values are JSON placeholders rather than
  // Avro audit events (FORMAT.md §3 examples): the value check does not apply to them.
  const options = { prefix: 'auditseal-archive', formats: FORMATS, keyring, eventValues: false as const };

  function archiveOf(segment: Uint8Array) {
    const archive = new MemoryArchive();
    // Stored as the archiver would have: under the retention the manifest states.
    const lock = { lockMode: 'COMPLIANCE' as const, retainUntil: new Date(JSON.parse(v.manifestJson).retainUntil) };
    archive.put(v.segmentKey, segment, lock);
    archive.put(v.manifestKey, Buffer.from(v.manifestJson, 'utf8'));
    archive.put(v.checkpointKey, Buffer.from(v.checkpointJson, 'utf8'));
    return archive;
  }

  describe('when the objects are as published', () => {
    it('reports no findings', async () => {
      const report = await verifyArchive(archiveOf(fromHex(v.segmentHex)), options);
      expect(report.findings).toEqual([]);
      expect(report.chains[0]!.archive).toMatchObject({ firstSeq: 0, lastSeq: 6, entries: 7, segments: { valid: 1 }, checkpoints: { valid: 1, latestSeq: 6 } });
    });
  });

  describe('when one byte of the segment differs', () => {
    it('reports segment_sha256_mismatch', async () => {
      const bytes = fromHex(v.segmentHex);
      bytes[100]! ^= 0x01;
      const report = await verifyArchive(archiveOf(bytes), options);
      expect(report.findings.map((f) => f.kind)).toEqual(['segment_sha256_mismatch']);
    });
  });
});
