import { encodeSegment, sealedEntryAvroBinary, serializeCheckpoint, signCheckpoint } from '@auditseal/archive';
import { genesisHash, merkleRoot, nodeCrypto, sealEntry } from '@auditseal/core';
import { toCoreEntry } from './check-chain';
import { CheckpointMatcher, ContinuityCheck, checkCheckpoint, checkSegment } from './check-segments';
import type { Finding } from './findings';
import type { SegmentManifest } from './sources';
import { segmentKeyOf } from './layout';
import { CHAIN, FORMATS, KEYRING, KEY_1, KEY_2, NOW, ROGUE_KEY, buildEntries, checkpointKeyOf, sinkInto } from './testing/fixtures';

const { entries } = buildEntries(12);
const KEY = segmentKeyOf('auditseal-archive', CHAIN, 0, 9);
const h = (n: number) => new Uint8Array(32).fill(n);

async function segmentOf(list = entries.slice(0, 10)) {
  return encodeSegment({ chainId: CHAIN, firstSeq: list[0]!.seq, lastSeq: list.at(-1)!.seq, firstHash: list[0]!.hash, records: list.map(sealedEntryAvroBinary) });
}

function manifestOf(bytes: Uint8Array, list = entries.slice(0, 10), change: Partial<SegmentManifest> = {}): SegmentManifest {
  return {
    chainId: CHAIN,
    firstSeq: list[0]!.seq,
    lastSeq: list.at(-1)!.seq,
    entryCount: list.length,
    prevHash: list[0]!.prevHash,
    headHash: list.at(-1)!.hash,
    merkleRoot: merkleRoot(list.map((e) => e.hash)),
    segmentKey: KEY,
    segmentSha256: nodeCrypto.sha256(bytes),
    segmentBytes: bytes.length,
    lockMode: 'COMPLIANCE',
    retainUntil: '2033-11-26T00:00:00.000Z',
    createdAt: '2026-11-26T20:00:00.000Z',
    keyId: KEY_1.keyId,
    signature: new Uint8Array(64),
    ...change,
  };
}

async function check(bytes: Uint8Array, manifest: SegmentManifest | undefined, range = { firstSeq: 0, lastSeq: 9 }) {
  const findings: Finding[] = [];
  const seen: number[] = [];
  const result = await checkSegment({ chainId: CHAIN, segmentKey: KEY, ...range, manifest, bytes, formats: FORMATS, sink: sinkInto(findings), onEntry: (e) => void seen.push(e.seq) });
  return { findings, result, seen };
}

describe('checkSegment', () => {
  describe('when the segment matches its manifest', () => {
    it('reports nothing and passes every entry on', async () => {
      const bytes = await segmentOf();
      const { findings, result, seen } = await check(bytes, manifestOf(bytes));
      expect(findings).toEqual([]);
      expect(result).toMatchObject({ ok: true, entries: 10, firstSealedAt: entries[0]!.sealedAt, lastSealedAt: entries[9]!.sealedAt });
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  describe('when the manifest was signed over wrong content (the bytes are the signed ones)', () => {
    it('reports a Merkle root that is not the root of the entries', async () => {
      const bytes = await segmentOf();
      const { findings } = await check(bytes, manifestOf(bytes, undefined, { merkleRoot: h(1) }));
      expect(findings).toEqual([expect.objectContaining({ kind: 'merkle_root_mismatch', expected: '01'.repeat(32) })]);
    });

    it('reports a head hash that is not the last entry', async () => {
      const bytes = await segmentOf();
      const { findings } = await check(bytes, manifestOf(bytes, undefined, { headHash: h(2) }));
      expect(findings).toEqual([expect.objectContaining({ kind: 'head_hash_mismatch', seqs: { first: 9, last: 9 } })]);
    });

    it('reports a prevHash the first entry does not link to', async () => {
      const bytes = await segmentOf();
      const { findings } = await check(bytes, manifestOf(bytes, undefined, { prevHash: h(3) }));
      expect(findings).toEqual([expect.objectContaining({ kind: 'bad_prev_hash', seqs: { first: 0, last: 0 }, object: { key: KEY } })]);
    });

    it('reports a segment holding other entries than its key and manifest say', async () => {
      const bytes = await segmentOf(entries.slice(0, 9));
      const { findings } = await check(bytes, manifestOf(bytes, entries.slice(0, 9), { lastSeq: 9, entryCount: 10 }));
      expect(findings.map((f) => [f.kind, f.details?.field])).toEqual([
        ['segment_entries_mismatch', 'header'],
        ['segment_entries_mismatch', 'entries'],
      ]);
    });
  });

  describe('when the bytes are not a segment', () => {
    it('reports an unreadable segment with the parser error code', async () => {
      const { findings } = await check(Buffer.from('garbage'), undefined);
      expect(findings).toEqual([expect.objectContaining({ kind: 'segment_unreadable', details: expect.objectContaining({ code: 'malformed' }) })]);
    });

    it('folds what is wrong inside a changed segment into the SHA-256 finding', async () => {
      const bytes = await segmentOf();
      const manifest = manifestOf(bytes);
      const changed = Buffer.from(bytes);
      changed[changed.length - 40]! ^= 0x01;
      const { findings } = await check(changed, manifest);
      expect(findings).toEqual([expect.objectContaining({ kind: 'segment_sha256_mismatch', details: expect.objectContaining({ contentFindings: expect.any(Number) }) })]);
    });
  });
});

describe('checkSegment with verified copies of its entries (audit.sealed records whose links were verified)', () => {
  /** nodeCrypto, counting the SHA-256 computations. */
  function countingBackend() {
    const counter = { hashes: 0 };
    const backend = {
      ...nodeCrypto,
      sha256: (...parts: Uint8Array[]) => (counter.hashes++, nodeCrypto.sha256(...parts)),
      sha256Into: (data: Uint8Array, out: Uint8Array, at: number) => (counter.hashes++, nodeCrypto.sha256Into(data, out, at)),
    };
    return { counter, backend };
  }
  async function checkWith(bytes: Uint8Array, copies: ReadonlyMap<number, Uint8Array>) {
    const { counter, backend } = countingBackend();
    const findings: Finding[] = [];
    const result = await checkSegment({ chainId: CHAIN, segmentKey: KEY, firstSeq: 0, lastSeq: 9, manifest: manifestOf(bytes), bytes, formats: FORMATS, sink: sinkInto(findings), backend, verifiedCopy: (seq) => copies.get(seq) });
    return { findings, result, hashes: counter.hashes };
  }

  describe('when every entry has the same bytes as its verified copy', () => {
    it('does not hash the entries again, and reports nothing', async () => {
      const bytes = await segmentOf();
      const none = await checkWith(bytes, new Map());
      const all = await checkWith(bytes, new Map(entries.slice(0, 10).map((e) => [e.seq, sealedEntryAvroBinary(e)])));
      expect(none.findings).toEqual([]);
      expect(all.findings).toEqual([]);
      expect(all.result).toEqual(none.result);
      // Without copies: two hashes per entry (body, link) on top of the object's SHA-256 and the Merkle tree.
      expect(none.hashes - all.hashes).toBe(20);
    });

    it('hashes an entry whose copy differs in any byte, its hashes included', async () => {
      const bytes = await segmentOf();
      const all = await checkWith(bytes, new Map(entries.slice(0, 10).map((e) => [e.seq, sealedEntryAvroBinary(e)])));
      for (const at of [0, 20, -33, -1]) {
        const copies = new Map(entries.slice(0, 10).map((e) => [e.seq, sealedEntryAvroBinary(e)]));
        const changed = Buffer.from(copies.get(4)!);
        changed[at < 0 ? changed.length + at : at]! ^= 1;
        copies.set(4, changed);
        const one = await checkWith(bytes, copies);
        expect([at, one.findings, one.hashes - all.hashes]).toEqual([at, [], 2]);
      }
    });
  });

  describe('when an archived entry differs from its copy', () => {
    it('checks that entry in full and reports it', async () => {
      const changed = entries.slice(0, 10).map((e) => (e.seq === 4 ? { ...e, sourceTimestamp: e.sourceTimestamp + 1 } : e));
      const bytes = await segmentOf(changed);
      const copies = new Map(entries.slice(0, 10).map((e) => [e.seq, sealedEntryAvroBinary(e)]));
      const { findings } = await checkWith(bytes, copies);
      expect(findings).toEqual([expect.objectContaining({ kind: 'bad_hash', seqs: { first: 4, last: 4 }, object: { key: KEY } })]);
    });
  });

  describe('when a copy has the same bytes but the archived entries do not link', () => {
    it('still reports the broken link (only the hash of the entry itself is taken from the copy)', async () => {
      // Entry 4 replaced by another, correctly hashed entry 4 (a fork): entry 5, the same bytes as its copy, does not link to it.
      const other = sealEntry({ ...toCoreEntry(entries[4]!), value: Buffer.from('other') }, { chainId: CHAIN, seq: 3, hash: entries[3]!.hash });
      const list = entries.slice(0, 10).map((e) => (e.seq === 4 ? { ...e, value: Buffer.from('other'), hash: other.hash } : e));
      const bytes = await segmentOf(list);
      const copies = new Map(list.map((e) => [e.seq, sealedEntryAvroBinary(e)]));
      const { findings } = await checkWith(bytes, copies);
      expect(findings).toEqual([expect.objectContaining({ kind: 'bad_prev_hash', seqs: { first: 5, last: 5 } }), expect.objectContaining({ kind: 'merkle_root_mismatch' })]);
    });
  });
});

describe('ContinuityCheck', () => {
  const run = (...segments: Array<{ key: string; firstSeq: number; lastSeq: number; prevHash?: Uint8Array; headHash?: Uint8Array }>) => {
    const findings: Finding[] = [];
    const c = new ContinuityCheck(CHAIN, sinkInto(findings));
    segments.forEach((s) => c.push(s));
    return findings;
  };

  describe('when segments follow each other', () => {
    it('reports nothing', () => {
      expect(run({ key: 'a', firstSeq: 0, lastSeq: 9, prevHash: genesisHash(CHAIN), headHash: h(1) }, { key: 'b', firstSeq: 10, lastSeq: 19, prevHash: h(1), headHash: h(2) })).toEqual([]);
    });
  });

  describe('when they do not', () => {
    it('reports a first segment that does not start at seq 0', () => {
      expect(run({ key: 'a', firstSeq: 5, lastSeq: 9 })).toEqual([expect.objectContaining({ kind: 'segment_gap', seqs: { first: 0, last: 4 } })]);
    });

    it('reports a first segment that does not start from the genesis hash', () => {
      expect(run({ key: 'a', firstSeq: 0, lastSeq: 9, prevHash: h(9) })).toEqual([expect.objectContaining({ kind: 'segment_discontinuity' })]);
    });

    it('reports overlapping segments', () => {
      expect(run({ key: 'a', firstSeq: 0, lastSeq: 9 }, { key: 'b', firstSeq: 5, lastSeq: 14 })).toEqual([
        expect.objectContaining({ kind: 'segment_overlap', seqs: { first: 5, last: 9 }, details: { previousKey: 'a' } }),
      ]);
    });

    it('reports a segment whose prevHash is not the previous head', () => {
      expect(run({ key: 'a', firstSeq: 0, lastSeq: 9, headHash: h(1) }, { key: 'b', firstSeq: 10, lastSeq: 19, prevHash: h(2) })).toEqual([
        expect.objectContaining({ kind: 'segment_discontinuity', expected: '01'.repeat(32), actual: '02'.repeat(32) }),
      ]);
    });
  });
});

describe('checkCheckpoint', () => {
  const key = checkpointKeyOf(CHAIN, 9);
  const bytesOf = (signer = KEY_1, time = NOW, headSeq = 9) => serializeCheckpoint(signCheckpoint({ chainId: CHAIN, headSeq, headHash: entries[9]!.hash, time }, signer));
  const run = (bytes: Uint8Array) => {
    const findings: Finding[] = [];
    const cp = checkCheckpoint({ chainId: CHAIN, key, headSeq: 9, bytes, formats: FORMATS, keyring: KEYRING, sink: sinkInto(findings) });
    return { cp, findings };
  };

  describe('when it is signed by a key valid at its time', () => {
    it('returns it', () => {
      expect(run(bytesOf()).cp?.headSeq).toBe(9);
      expect(run(bytesOf(KEY_2, new Date('2026-11-27T00:00:00.000Z'))).findings).toEqual([]);
    });
  });

  describe('when it is not', () => {
    it('reports a rogue key, a key before its window, a key file naming another seq, and unreadable bytes', () => {
      expect(run(bytesOf(ROGUE_KEY)).findings).toEqual([expect.objectContaining({ kind: 'checkpoint_signature_invalid', actual: 'unknown_key' })]);
      expect(run(bytesOf(KEY_2, NOW)).findings).toEqual([expect.objectContaining({ kind: 'checkpoint_signature_invalid', actual: 'not_yet_valid' })]);
      expect(run(bytesOf(KEY_1, NOW, 8)).findings).toEqual([expect.objectContaining({ kind: 'checkpoint_mismatch', details: { field: 'key' } })]);
      expect(run(Buffer.from('{')).findings).toEqual([expect.objectContaining({ kind: 'checkpoint_unreadable' })]);
    });
  });
});

describe('CheckpointMatcher', () => {
  describe('when a checkpoint signed another head than the entry at its seq', () => {
    it('reports checkpoint_mismatch with both hashes', () => {
      const findings: Finding[] = [];
      const good = signCheckpoint({ chainId: CHAIN, headSeq: 3, headHash: entries[3]!.hash, time: NOW }, KEY_1);
      const bad = signCheckpoint({ chainId: CHAIN, headSeq: 6, headHash: h(7), time: NOW }, KEY_1);
      const m = new CheckpointMatcher(CHAIN, [{ cp: bad, key: 'k6' }, { cp: good, key: 'k3' }], sinkInto(findings));
      for (const e of entries) m.observe(e.seq, e.hash, { object: { key: 'seg' } });
      expect(findings).toEqual([expect.objectContaining({ kind: 'checkpoint_mismatch', seqs: { first: 6, last: 6 }, object: { key: 'k6' }, expected: '07'.repeat(32) })]);
      expect(m.unmatched).toBe(0);
    });
  });
});
