import { createKeyring, generateSigningKey, genesisHash, publicKeyEntry, toHex } from '@auditseal/core';
import { randomBytes } from 'node:crypto';
import { ArchiveError } from './errors';
import { archiveLayout } from './keys';
import {
  describeSegment,
  parseCheckpoint,
  parseManifest,
  serializeCheckpoint,
  serializeManifest,
  signCheckpoint,
  signManifest,
  verifyCheckpointSignature,
  verifyManifestSignature,
} from './manifest';
import { encodeSegment } from './segment';
import { buildEntries, sealedValues, TEST_CHAIN_ID } from './testing/chain-fixture';

const key = generateSigningKey();
const keyring = createKeyring([publicKeyEntry(key, new Date('2026-01-01T00:00:00Z'))]);

async function manifestFixture() {
  const { entries } = buildEntries(20);
  const segment = await encodeSegment({ chainId: TEST_CHAIN_ID, firstSeq: 0, lastSeq: 19, firstHash: entries[0]!.hash, records: sealedValues(entries).map((v) => v.subarray(10)) });
  const layout = archiveLayout('auditseal-archive');
  return signManifest(
    {
      chainId: TEST_CHAIN_ID,
      firstSeq: 0,
      lastSeq: 19,
      prevHash: genesisHash(TEST_CHAIN_ID),
      headHash: entries[19]!.hash,
      ...describeSegment(segment, entries.map((e) => e.hash)),
      segmentKey: layout.segmentKey(TEST_CHAIN_ID, 0, 19),
      lockMode: 'COMPLIANCE',
      retainUntil: new Date('2033-11-26T00:00:00Z'),
      createdAt: new Date('2026-11-26T20:01:00Z'),
      source: { topic: 'audit.sealed', partition: 0, firstOffset: 0, lastOffset: 38 },
    },
    key,
  );
}

describe('manifests', () => {
  describe('when signed, serialized and parsed', () => {
    it('round-trips and verifies against the keyring', async () => {
      const m = await manifestFixture();
      const parsed = parseManifest(serializeManifest(m));
      expect(serializeManifest(parsed)).toEqual(serializeManifest(m));
      expect(verifyManifestSignature(parsed, keyring)).toMatchObject({ ok: true });
      const text = serializeManifest(m).toString('utf8');
      expect(JSON.parse(text)).toMatchObject({ format: 'auditseal/v1/manifest', prevHash: toHex(genesisHash(TEST_CHAIN_ID)), entryCount: 20 });
    });
  });

  describe('when a signed field is changed', () => {
    it('fails signature verification', async () => {
      const m = await manifestFixture();
      const doc = JSON.parse(serializeManifest(m).toString('utf8'));
      doc.lastSeq = 18;
      doc.entryCount = 19;
      const forged = parseManifest(Buffer.from(JSON.stringify(doc)));
      expect(verifyManifestSignature(forged, keyring)).toMatchObject({ ok: false, reason: 'bad_signature' });
    });
  });

  describe('when the unsigned source hint is changed', () => {
    it('still verifies: the hint is not covered by the signature', async () => {
      const m = await manifestFixture();
      const doc = JSON.parse(serializeManifest(m).toString('utf8'));
      doc.source.lastOffset = 1;
      expect(verifyManifestSignature(parseManifest(Buffer.from(JSON.stringify(doc))), keyring)).toMatchObject({ ok: true });
    });
  });

  describe('when the document is malformed', () => {
    it.each([
      ['unknown field', (d: Record<string, unknown>) => ({ ...d, extra: 1 })],
      ['upper-case hex', (d: Record<string, unknown>) => ({ ...d, headHash: String(d.headHash).toUpperCase() })],
      ['short signature', (d: Record<string, unknown>) => ({ ...d, signature: 'AAAA' })],
      ['bad entry count', (d: Record<string, unknown>) => ({ ...d, entryCount: 3 })],
      ['non-canonical time', (d: Record<string, unknown>) => ({ ...d, createdAt: '2026-11-26T20:01:00Z' })],
      ['lock mode', (d: Record<string, unknown>) => ({ ...d, lockMode: 'NONE' })],
    ])('refuses %s with a malformed error', async (_name, patch) => {
      const m = await manifestFixture();
      const doc = patch(JSON.parse(serializeManifest(m).toString('utf8')));
      expect(() => parseManifest(Buffer.from(JSON.stringify(doc)))).toThrow(expect.objectContaining({ code: 'malformed' }));
    });

    it('gives only typed errors for random and truncated input', async () => {
      const bytes = serializeManifest(await manifestFixture());
      const inputs = [...Array.from({ length: bytes.length }, (_, n) => bytes.subarray(0, n)), ...Array.from({ length: 500 }, (_, i) => randomBytes(i))];
      for (const input of inputs) {
        try {
          parseManifest(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ArchiveError);
        }
      }
    });
  });
});

describe('checkpoints', () => {
  describe('when signed, serialized and parsed', () => {
    it('round-trips and verifies', () => {
      const cp = signCheckpoint({ chainId: TEST_CHAIN_ID, headSeq: 41, headHash: randomBytes(32), time: new Date('2026-11-27T00:00:00Z') }, key);
      const parsed = parseCheckpoint(serializeCheckpoint(cp));
      expect(serializeCheckpoint(parsed)).toEqual(serializeCheckpoint(cp));
      expect(verifyCheckpointSignature(parsed, keyring)).toMatchObject({ ok: true });
      expect(verifyCheckpointSignature({ ...parsed, headSeq: 42 }, keyring)).toMatchObject({ ok: false });
    });
  });
});
