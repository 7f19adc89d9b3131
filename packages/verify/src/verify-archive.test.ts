import { serializeManifest, signManifest, parseManifest } from '@auditseal/archive';
import { encodeSealedEntry } from '@auditseal/codec';
import { portableCrypto, sealEntry, type SigningKey } from '@auditseal/core';
import { toCoreEntry } from './check-chain';
import { findingId, type Finding } from './findings';
import {
  CHAIN,
  FORMATS,
  KEYRING,
  KEY_1,
  KEY_2,
  MemoryArchive,
  MemoryEventSource,
  MemorySealedSource,
  NOW,
  PREFIX,
  ROGUE_KEY,
  SEVEN_YEARS_MS,
  buildArchive,
  buildEntries,
  checkpointKeyOf,
  writeCheckpoint,
  writeSegment,
  writeKeyFile,
  CHAIN_1,
  sealedOffsetOf,
  withoutMetadata,
} from './testing/fixtures';
import { verifyArchive, type VerifyArchiveOptions } from './verify-archive';

const options = (extra: Partial<VerifyArchiveOptions> = {}): VerifyArchiveOptions => ({
  prefix: PREFIX,
  formats: FORMATS,
  keyring: KEYRING,
  retention: { retentionMs: SEVEN_YEARS_MS },
  now: () => new Date(NOW.getTime() + 60_000),
  liveness: { maxArchiveDelayMs: 15 * 60_000, maxCheckpointAgeMs: 60 * 60_000 },
  ...extra,
});

const kinds = (findings: Finding[]) => findings.map((f) => f.kind).sort();

/** An archive of 30 entries in 3 segments of 10, 4 more only on audit.sealed, checkpoints every 10, and both topics. */
async function setup() {
  const built = await buildArchive({ total: 34, segmentSize: 10, unarchived: 4, checkpointEvery: 10 });
  const sealed = MemorySealedSource.of(built.entries);
  const events = MemoryEventSource.of(built.entries);
  return { ...built, sealed, events, all: options({ sealed, events }) };
}

function resignManifest(archive: MemoryArchive, manifestKey: string, key: SigningKey, change: (m: ReturnType<typeof parseManifest>) => void = () => {}) {
  const m = parseManifest(archive.objects.get(manifestKey)!.at(-1)!.bytes);
  change(m);
  archive.overwrite(manifestKey, () => serializeManifest(signManifest(m, key)));
}

describe('verifyArchive', () => {
  describe('when the archive, audit.sealed and audit.events are intact', () => {
    it('reports no findings and summarises each chain', async () => {
      const { archive, all } = await setup();
      const progress: string[] = [];
      const report = await verifyArchive(archive, all, (p) => progress.push(p.phase));
      expect(report.findings).toEqual([]);
      expect(report.counts).toMatchObject({ findings: 0, segments: { valid: 3, invalid: 0, missing: 0, pending: 0 }, entries: 30 });
      const chain = report.chains[0]!;
      expect(chain.chainId).toBe(CHAIN);
      expect(chain.archive).toMatchObject({ firstSeq: 0, lastSeq: 29, entries: 30, checkpoints: { valid: 3, invalid: 0, latestSeq: 29 } });
      expect(chain.archive.timeRange).toEqual({ first: '2026-11-26T19:59:26.000Z', last: '2026-11-26T19:59:55.000Z' });
      expect(chain.sealed).toMatchObject({ firstSeq: 0, lastSeq: 33, records: 34, malformed: 0, logStartOffset: 0 });
      expect(chain.events).toMatchObject({ matched: 34, unsealedInputs: 0 });
      expect(chain.liveness).toMatchObject({ archiveLagEntries: 4 });
      expect(report.retentionChecked).toBe(true);
      expect(progress).toContain('done');
    });

    it('verifies the archive alone, and says retention was not checked on a copy without Object Lock metadata', async () => {
      const { archive } = await setup();
      const report = await verifyArchive(withoutMetadata(archive), options({ liveness: undefined }));
      expect(report.findings).toEqual([]);
      expect(report.retentionChecked).toBe(false);
    });
  });

  describe('when a byte of a stored segment changes', () => {
    it('reports the segment as not the signed object, with both SHA-256s', async () => {
      const { archive, segments, all } = await setup();
      archive.overwrite(segments[1]!.segmentKey, (b) => {
        b[b.length - 40]! ^= 0x01;
        return b;
      });
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['segment_sha256_mismatch']);
      expect(report.findings[0]).toMatchObject({ severity: 'critical', chainId: CHAIN, seqs: { first: 10, last: 19 }, object: { key: segments[1]!.segmentKey } });
      expect(report.findings[0]!.expected).toMatch(/^[0-9a-f]{64}$/);
      expect(report.findings[0]!.actual).not.toBe(report.findings[0]!.expected);
      expect(report.counts.segments).toEqual({ valid: 2, invalid: 1, missing: 0, pending: 0 });
    });
  });

  describe('when a segment is deleted', () => {
    it('reports it missing, with what its manifest promised', async () => {
      const { archive, segments, all } = await setup();
      archive.remove(segments[1]!.segmentKey);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['segment_missing']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 10, last: 19 }, object: { key: segments[1]!.segmentKey }, details: { manifestKey: segments[1]!.manifestKey } });
      expect(report.counts.segments).toEqual({ valid: 2, invalid: 0, missing: 1, pending: 0 });
    });
  });

  describe('when a segment and its manifest are both gone', () => {
    it('reports the gap between the neighbouring segments', async () => {
      const { archive, segments } = await setup();
      archive.remove(segments[1]!.segmentKey);
      archive.remove(segments[1]!.manifestKey);
      const report = await verifyArchive(archive, options({ liveness: undefined }));
      expect(kinds(report.findings)).toEqual(['segment_gap']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 10, last: 19 }, expected: '10', actual: '20', object: { key: segments[2]!.segmentKey } });
    });
  });

  describe('when a manifest is replaced', () => {
    it('reports a manifest signed by a key outside the keyring', async () => {
      const { archive, segments, all } = await setup();
      resignManifest(archive, segments[0]!.manifestKey, ROGUE_KEY);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['manifest_signature_invalid']);
      expect(report.findings[0]).toMatchObject({ actual: 'unknown_key', object: { key: segments[0]!.manifestKey }, details: { reason: 'unknown_key', keyId: ROGUE_KEY.keyId } });
    });

    it('reports a manifest signed by a real key outside its validity window', async () => {
      const { archive, segments, all } = await setup();
      // Key 1 was retired at 21:00; a manifest claiming 22:00 cannot be its work.
      resignManifest(archive, segments[0]!.manifestKey, KEY_1, (m) => {
        m.createdAt = '2026-11-26T22:00:00.000Z';
      });
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['manifest_signature_invalid']);
      expect(report.findings[0]).toMatchObject({ actual: 'expired' });
    });

    it('reports a manifest copied from another segment as not describing its segment', async () => {
      const { archive, segments, all } = await setup();
      const other = archive.objects.get(segments[0]!.manifestKey)!.at(-1)!.bytes;
      archive.overwrite(segments[1]!.manifestKey, () => other);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['manifest_mismatch']);
      expect(report.findings[0]).toMatchObject({ details: { field: 'firstSeq' }, expected: '10', actual: '0' });
    });
  });

  describe('when a segment has no manifest', () => {
    it('reports the unsigned segment and still verifies its entries against Kafka', async () => {
      const { archive, segments, all } = await setup();
      archive.remove(segments[2]!.manifestKey);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['segment_without_manifest']);
      expect(report.findings[0]).toMatchObject({ object: { key: segments[2]!.segmentKey }, expected: segments[2]!.manifestKey });
    });
  });

  describe('when a segment without a manifest does not continue the previous one', () => {
    it('verifies its first entry against the previous segment\'s signed head', async () => {
      const { archive, segments } = await setup();
      const forged = buildEntries(10, { head: { chainId: CHAIN, seq: 19, hash: new Uint8Array(32).fill(7) }, total: 34 }).entries;
      archive.remove(segments[2]!.segmentKey);
      archive.remove(segments[2]!.manifestKey);
      const { segmentKey } = await writeSegment(archive, forged);
      archive.remove(segmentKey.replace('.avro', '.manifest.json'));
      const report = await verifyArchive(archive, options({ liveness: undefined }));
      // The signed checkpoint at seq 29 contradicts the replacement too.
      expect(kinds(report.findings)).toEqual(['bad_prev_hash', 'checkpoint_mismatch', 'segment_without_manifest']);
      expect(report.findings.find((f) => f.kind === 'bad_prev_hash')).toMatchObject({ seqs: { first: 20, last: 20 }, actual: '07'.repeat(32) });
    });
  });

  describe('when the newest segment was written moments ago and its manifest not yet', () => {
    it('counts it as pending instead of raising a finding, and reports it once the grace has passed', async () => {
      const { archive, segments } = await setup();
      archive.remove(segments[2]!.manifestKey);
      archive.objects.get(segments[2]!.segmentKey)!.at(-1)!.lastModified = NOW;
      const soon = await verifyArchive(archive, options({ now: () => new Date(NOW.getTime() + 60_000), liveness: undefined }));
      expect(soon.findings).toEqual([]);
      expect(soon.counts.segments).toEqual({ valid: 2, invalid: 0, missing: 0, pending: 1 });
      const later = await verifyArchive(archive, options({ now: () => new Date(NOW.getTime() + 10 * 60_000), liveness: undefined }));
      expect(kinds(later.findings)).toEqual(['segment_without_manifest']);
    });

    it('still checks its lock: an object written without one is a finding at once', async () => {
      const { archive, segments } = await setup();
      archive.remove(segments[2]!.manifestKey);
      const key = segments[2]!.segmentKey;
      const bytes = archive.objects.get(key)!.at(-1)!.bytes;
      archive.remove(key);
      archive.put(key, bytes, {});
      archive.objects.get(key)!.at(-1)!.lastModified = NOW;
      const soon = await verifyArchive(archive, options({ now: () => new Date(NOW.getTime() + 60_000), liveness: undefined }));
      expect(kinds(soon.findings)).toEqual(['object_unlocked']);
      expect(soon.findings[0]).toMatchObject({ object: { key } });
      expect(soon.counts.segments.pending).toBe(1);
    });
  });

  describe('when the newest segments are deleted with their manifests', () => {
    it('reports the archive truncated below what its latest checkpoint vouches for', async () => {
      const { archive, segments } = await setup();
      archive.remove(segments[2]!.segmentKey);
      archive.remove(segments[2]!.manifestKey);
      const report = await verifyArchive(archive, options({ liveness: undefined }));
      expect(kinds(report.findings)).toEqual(['archive_truncated']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 20, last: 29 }, object: { key: checkpointKeyOf(CHAIN, 29) } });
    });
  });

  describe('when the archiver kept a segment written long before its manifest (crash and restart)', () => {
    it('measures the segment\'s retention from when it can have been written, not from the manifest', async () => {
      const archive = new MemoryArchive();
      const { entries } = buildEntries(10);
      // Segment retention set at NOW; the manifest signed a day later states that same retention.
      const segmentRetention = new Date(NOW.getTime() + SEVEN_YEARS_MS);
      await writeSegment(archive, entries, { createdAt: new Date(NOW.getTime() + 86_400_000), retainUntil: segmentRetention, key: KEY_2 });
      const manifestKey = archive.keys().find((k) => k.endsWith('.manifest.json'))!;
      archive.setLock(manifestKey, 'COMPLIANCE', new Date(NOW.getTime() + 86_400_000 + SEVEN_YEARS_MS));
      const report = await verifyArchive(archive, options({ liveness: undefined }));
      expect(report.findings).toEqual([]);
    });
  });

  describe('when a signed checkpoint names another head than the archived entry', () => {
    it('reports checkpoint_mismatch with both hashes', async () => {
      const { archive, entries, all } = await setup();
      writeCheckpoint(archive, entries[14]!, { headHash: entries[13]!.hash });
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['checkpoint_mismatch']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 14, last: 14 }, object: { key: checkpointKeyOf(CHAIN, 14) }, actual: Buffer.from(entries[14]!.hash).toString('hex') });
    });
  });

  describe('when the archive holds several chains', () => {
    it('verifies each and reports a tamper under its own chain', async () => {
      const { archive, all, segments } = await setup();
      const second = await buildArchive({ archive, chainId: CHAIN_1, total: 12, segmentSize: 5 });
      archive.remove(second.segments[1]!.segmentKey);
      const report = await verifyArchive(archive, { ...all, sealed: undefined, events: undefined, liveness: undefined });
      expect(report.chains.map((c) => [c.chainId, c.archive.segments])).toEqual([
        [CHAIN, { valid: 3, invalid: 0, missing: 0, pending: 0 }],
        [CHAIN_1, { valid: 2, invalid: 0, missing: 1, pending: 0 }],
      ]);
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'segment_missing', chainId: CHAIN_1 })]);
      expect(segments).toHaveLength(3);
    });
  });

  describe('when the chainer sealed as an EVENT a value that is no event', () => {
    it('reports it once, from the segment that archives it', async () => {
      const head = buildEntries(12, { total: 34 });
      const bad = head.entries[11]!;
      const value = Buffer.from('not an event');
      const link = sealEntry({ ...toCoreEntry(bad), value }, { chainId: CHAIN, seq: 10, hash: head.entries[10]!.hash });
      const entries = [...head.entries.slice(0, 11), { ...bad, value, hash: link.hash }];
      entries.push(...buildEntries(22, { head: link.head, total: 34 }).entries);
      const archive = new MemoryArchive();
      for (let start = 0; start < 30; start += 10) await writeSegment(archive, entries.slice(start, start + 10));
      const report = await verifyArchive(archive, options({ sealed: MemorySealedSource.of(entries), events: MemoryEventSource.of(entries) }));
      expect(report.findings).toEqual([
        expect.objectContaining({ kind: 'invalid_entry', severity: 'high', seqs: { first: 11, last: 11 }, actual: 'not_single_object', object: { key: expect.stringContaining('00000000000000000010-00000000000000000019.avro') } }),
      ]);
      expect((await verifyArchive(archive, options({ eventValues: false }))).findings).toEqual([]);
    });
  });

  describe('when the chainer sealed an entry whose hash does not match its contents (the same bytes in Kafka and the archive)', () => {
    it('reports the bad hash in audit.sealed and again in the segment that archives it', async () => {
      const head = buildEntries(12, { total: 34 });
      const bad = head.entries[11]!;
      const wrong = Buffer.from(bad.hash);
      wrong[0]! ^= 1;
      const entries = [...head.entries.slice(0, 11), { ...bad, hash: wrong }];
      entries.push(...buildEntries(22, { head: { chainId: CHAIN, seq: 11, hash: wrong }, total: 34 }).entries);
      const archive = new MemoryArchive();
      for (let start = 0; start < 30; start += 10) await writeSegment(archive, entries.slice(start, start + 10));
      const report = await verifyArchive(archive, options({ sealed: MemorySealedSource.of(entries), events: MemoryEventSource.of(entries) }));
      expect(report.findings).toEqual([
        expect.objectContaining({ kind: 'bad_hash', seqs: { first: 11, last: 11 }, offsets: expect.objectContaining({ topic: 'sealed', first: sealedOffsetOf(11) }) }),
        expect.objectContaining({ kind: 'bad_hash', seqs: { first: 11, last: 11 }, object: { key: expect.stringContaining('00000000000000000010-00000000000000000019.avro') } }),
      ]);
    });
  });

  describe('when a new object version is put on top of a segment', () => {
    it('reports the extra version with the version ids', async () => {
      const { archive, segments, all } = await setup();
      archive.put(segments[2]!.segmentKey, (await archive.get(segments[2]!.segmentKey))!);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['extra_object_version']);
      expect(report.findings[0]!.details!.versions).toHaveLength(2);
      expect(report.findings[0]!.object!.versionId).toBeDefined();
    });
  });

  describe('when an object is not locked as policy requires', () => {
    it('reports an object without a lock', async () => {
      const { archive, segments, all } = await setup();
      archive.setLock(segments[0]!.segmentKey, undefined, undefined);
      expect(kinds((await verifyArchive(archive, all)).findings)).toEqual(['object_unlocked']);
    });

    it('reports GOVERNANCE mode', async () => {
      const { archive, segments, all } = await setup();
      const m = parseManifest((await archive.get(segments[0]!.manifestKey))!);
      archive.setLock(segments[0]!.manifestKey, 'GOVERNANCE', new Date(m.retainUntil));
      expect(kinds((await verifyArchive(archive, all)).findings)).toEqual(['object_lock_governance']);
    });

    it('reports a retention shorter than policy and than the manifest states', async () => {
      const { archive, segments, all } = await setup();
      const m = parseManifest((await archive.get(segments[0]!.manifestKey))!);
      archive.setLock(segments[0]!.segmentKey, 'COMPLIANCE', new Date(new Date(m.createdAt).getTime() + 365 * 24 * 3600 * 1000));
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['retention_too_short']);
      expect(report.findings[0]!.details!.below).toEqual(['policy', 'manifest']);
    });
  });

  describe('when the bucket holds a key outside the layout', () => {
    it('reports the unexpected key', async () => {
      const { archive, all } = await setup();
      archive.put(`${PREFIX}/v1/${CHAIN}/segments/notes.txt`, new TextEncoder().encode('hello'));
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['unexpected_key']);
      expect(report.findings[0]!.object).toEqual({ key: `${PREFIX}/v1/${CHAIN}/segments/notes.txt` });
    });
  });

  describe('when the archive publishes its public keys', () => {
    it('accepts key files that match the keyring, and reports one that does not', async () => {
      const { archive, all } = await setup();
      writeKeyFile(archive, KEY_1);
      writeKeyFile(archive, KEY_2);
      expect((await verifyArchive(archive, all)).findings).toEqual([]);
      const rogue = writeKeyFile(archive, ROGUE_KEY);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['key_file_mismatch']);
      expect(report.findings[0]).toMatchObject({ object: { key: rogue }, actual: 'unknown key', details: { keyId: ROGUE_KEY.keyId } });
    });
  });

  describe('when a forged entry is written straight to audit.sealed', () => {
    it('reports a second entry claiming the head seq as a fork, with the sealed offset', async () => {
      const { archive, entries, sealed, all } = await setup();
      const victim = entries[33]!;
      const previous = entries[32]!;
      const forgedFields = { kind: 'event' as const, sourceOffset: victim.sourceOffset, sourceTimestampMs: victim.sourceTimestamp, sealedAtMicros: victim.sealedAt, key: victim.key, value: Buffer.from('forged'), rejectReason: 'none' as const, rejectDetail: null };
      const link = sealEntry(forgedFields, { chainId: CHAIN, seq: previous.seq, hash: previous.hash });
      const offset = sealed.append(0, encodeSealedEntry({ ...victim, value: forgedFields.value, prevHash: link.prevHash, hash: link.hash }));
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['fork']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 33, last: 33 }, offsets: { topic: 'sealed', partition: 0, first: offset, last: offset } });
    });
  });

  describe('when records are deleted from audit.events', () => {
    it('reports the entries whose inputs are gone, once', async () => {
      const { archive, events, all } = await setup();
      events.deleteRecordsBefore(0, 10);
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['input_truncated']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 0, last: 4 }, offsets: { topic: 'events', partition: 0, first: 0, last: 8 }, actual: '10' });
    });
  });

  describe('when records are deleted from audit.sealed', () => {
    it('reports the archived range Kafka no longer holds, and still accounts for every input', async () => {
      const { archive, sealed, all } = await setup();
      sealed.deleteRecordsBefore(0, sealedOffsetOf(15));
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['sealed_truncated']);
      expect(report.findings[0]).toMatchObject({ severity: 'high', seqs: { first: 0, last: 14 }, actual: String(sealedOffsetOf(15)) });
      expect(report.chains[0]!.events).toMatchObject({ matched: 34 });
    });

    it('reports entries that exist nowhere as critical', async () => {
      const { archive, sealed, all } = await setup();
      sealed.deleteRecordsBefore(0, sealedOffsetOf(32));
      const report = await verifyArchive(archive, all);
      expect(kinds(report.findings)).toEqual(['missing_entry', 'sealed_truncated']);
      expect(report.findings.find((f) => f.kind === 'sealed_truncated')).toMatchObject({ severity: 'critical', seqs: { first: 0, last: 31 } });
      expect(report.findings.find((f) => f.kind === 'missing_entry')).toMatchObject({ offsets: { topic: 'events', first: 60, last: 62 }, details: { count: 2, nextSeq: 32 } });
    });
  });

  describe('when the archive stops advancing', () => {
    it('reports the stall under the first unarchived seq, with a stable id as the lag grows', async () => {
      const built = await buildArchive({ total: 40, segmentSize: 10, unarchived: 20 });
      const late = (minutes: number) => options({ sealed: MemorySealedSource.of(built.entries), now: () => new Date(NOW.getTime() + minutes * 60_000), liveness: { maxArchiveDelayMs: 15 * 60_000 } });
      expect((await verifyArchive(built.archive, late(1))).findings).toEqual([]);
      const first = await verifyArchive(built.archive, late(30));
      expect(kinds(first.findings)).toEqual(['archive_stalled']);
      expect(first.findings[0]).toMatchObject({ seqs: { first: 20, last: 20 }, details: { lagEntries: 20 } });
      const later = await verifyArchive(built.archive, late(90));
      expect(findingId(later.findings[0]!)).toBe(findingId(first.findings[0]!));
    });

    it('reports a checkpoint that is not renewed', async () => {
      const built = await buildArchive({ total: 30, segmentSize: 10, checkpointEvery: 10 });
      const sealed = MemorySealedSource.of(built.entries);
      for (const e of buildEntries(5, { head: { chainId: CHAIN, seq: 29, hash: built.entries[29]!.hash } }).entries) {
        sealed.append(0, encodeSealedEntry(e));
      }
      const report = await verifyArchive(built.archive, options({ sealed, now: () => new Date(NOW.getTime() + 2 * 3600_000), liveness: { maxCheckpointAgeMs: 3600_000 } }));
      expect(kinds(report.findings)).toEqual(['checkpoint_stale']);
      expect(report.findings[0]).toMatchObject({ seqs: { first: 30, last: 30 } });
    });
  });
});

describe('verifyArchive with the portable backend', () => {
  describe('when run with portableCrypto (@noble) instead of node:crypto', () => {
    it('gives the same report, clean and tampered', async () => {
      const { archive, segments, all } = await setup();
      const portable = { ...all, backend: portableCrypto };
      expect((await verifyArchive(archive, portable)).findings).toEqual([]);
      archive.overwrite(segments[1]!.segmentKey, (b) => {
        b[b.length - 40]! ^= 0x01;
        return b;
      });
      resignManifest(archive, segments[0]!.manifestKey, ROGUE_KEY);
      const node = await verifyArchive(archive, all);
      const noble = await verifyArchive(archive, portable);
      expect(noble.findings).toEqual(node.findings);
      expect(kinds(noble.findings)).toEqual(['manifest_signature_invalid', 'segment_sha256_mismatch']);
      expect(noble.findings.map((f) => findingId(f, portableCrypto))).toEqual(node.findings.map((f) => findingId(f)));
    });
  });
});

describe('verifyArchive, incremental', () => {
  describe('given back the ChainResume of a clean pass', () => {
    /** Sources that record where each read started and how many records it yielded. */
    function counting<S extends { read(p: number, from: number): AsyncIterable<unknown> }>(source: S) {
      const reads: Array<{ from: number; records: number }> = [];
      const read = source.read.bind(source);
      source.read = ((partition: number, from: number) => {
        const log = { from, records: 0 };
        reads.push(log);
        return (async function* () {
          for await (const r of read(partition, from)) {
            log.records++;
            yield r;
          }
        })();
      }) as S['read'];
      return reads;
    }
    const resumeOf = (report: Awaited<ReturnType<typeof verifyArchive>>) => new Map(report.chains.flatMap((c) => (c.resume ? [[c.chainId, c.resume] as const] : [])));

    it('hands back where the clean pass ended: the archive head, with its audit.sealed and audit.events offsets', async () => {
      const { archive, all, entries, segments } = await setup();
      const report = await verifyArchive(archive, all);
      const resume = report.chains[0]!.resume!;
      expect(resume).toMatchObject({ seq: 29, sealedOffset: sealedOffsetOf(29), sourceOffset: entries[29]!.sourceOffset, sealedRecords: 30, sealedFirstSeq: 0, matched: 30, sealedLogStart: 0, eventsLogStart: 0 });
      expect(Buffer.from(resume.hash).equals(Buffer.from(entries[29]!.hash))).toBe(true);
      expect([...resume.segments.keys()]).toEqual(segments.map((s) => s.segmentKey));
      expect(report.chains[0]!.archive.rehashed).toEqual({ segments: 0, entries: 0 });
    });

    it('then re-hashes the verified segments and reads only the topics after the head, with the same summary', async () => {
      const { archive, all, sealed, events } = await setup();
      const first = await verifyArchive(archive, all);
      const sealedReads = counting(sealed);
      const eventReads = counting(events);
      const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
      expect(second.findings).toEqual([]);
      expect(sealedReads).toEqual([{ from: sealedOffsetOf(29) + 1, records: 4 }]);
      expect(eventReads).toEqual([{ from: first.chains[0]!.resume!.sourceOffset + 1, records: 4 }]);
      const [a, b] = [first.chains[0]!, second.chains[0]!];
      expect(b.archive.rehashed).toEqual({ segments: 3, entries: 30 });
      expect({ ...b.archive, rehashed: undefined }).toEqual({ ...a.archive, rehashed: undefined });
      expect(b.sealed).toEqual(a.sealed);
      expect(b.events).toEqual(a.events);
      expect(b.liveness).toEqual(a.liveness);
      expect(b.resume).toMatchObject({ seq: 29, matched: 30, sealedRecords: 30 });
    });

    it('verifies a new segment whole and moves the head to it', async () => {
      const { archive, all, entries } = await setup();
      const first = await verifyArchive(archive, all);
      await writeSegment(archive, entries.slice(30, 34));
      const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
      expect(second.findings).toEqual([]);
      expect(second.counts.segments.valid).toBe(4);
      expect(second.chains[0]!.archive).toMatchObject({ lastSeq: 33, entries: 34, rehashed: { segments: 3, entries: 30 } });
      expect(second.chains[0]!.events).toMatchObject({ matched: 34, unsealedInputs: 0 });
      expect(second.chains[0]!.resume).toMatchObject({ seq: 33, sealedOffset: sealedOffsetOf(33), matched: 34, sealedRecords: 34 });
    });

    it('still finds a changed byte in a segment verified before, and hands back no resume', async () => {
      const { archive, segments, all } = await setup();
      const first = await verifyArchive(archive, all);
      archive.overwrite(segments[1]!.segmentKey, (b) => {
        b[b.length - 40]! ^= 0x01;
        return b;
      });
      const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
      expect(kinds(second.findings)).toEqual(['segment_sha256_mismatch']);
      expect(second.findings.map((f) => findingId(f))).toEqual((await verifyArchive(archive, all)).findings.map((f) => findingId(f)));
      expect(second.chains[0]!.resume).toBeUndefined();
    });

    it('finds the newest segments gone without a trace (no gap, no checkpoint to show it)', async () => {
      const { archive, segments, all } = await setup();
      const first = await verifyArchive(archive, all);
      archive.remove(segments[2]!.segmentKey);
      archive.remove(segments[2]!.manifestKey);
      archive.remove(checkpointKeyOf(CHAIN, 29));
      const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
      expect(kinds(second.findings)).toContain('segment_missing');
      expect(second.findings.find((f) => f.kind === 'segment_missing')).toMatchObject({ seqs: { first: 20, last: 29 }, object: { key: segments[2]!.segmentKey } });
    });

    it('finds an entry forged onto audit.sealed after the head', async () => {
      const { archive, all, sealed, entries } = await setup();
      const first = await verifyArchive(archive, all);
      const forged = { ...entries[33]!, seq: 34, prevHash: new Uint8Array(32).fill(7) };
      sealed.append(0, encodeSealedEntry(forged));
      const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
      expect(kinds(second.findings)).toContain('bad_prev_hash');
    });

    it('verifies from scratch when records were deleted from either topic since', async () => {
      for (const topic of ['sealed', 'events'] as const) {
        const { archive, all, sealed, events } = await setup();
        const first = await verifyArchive(archive, all);
        if (topic === 'sealed') sealed.deleteRecordsBefore(0, sealedOffsetOf(5));
        else events.deleteRecordsBefore(0, 5 * 2);
        const reads = counting(topic === 'sealed' ? sealed : events);
        const second = await verifyArchive(archive, { ...all, resume: resumeOf(first) });
        const full = await verifyArchive(archive, all);
        expect(second.findings.map((f) => findingId(f))).toEqual(full.findings.map((f) => findingId(f)));
        expect(second.findings.length).toBeGreaterThan(0);
        expect(reads[0]!.from).toBeLessThan(sealedOffsetOf(29));
        expect(second.chains[0]!.archive.rehashed.segments).toBe(0);
      }
    });
  });
});
