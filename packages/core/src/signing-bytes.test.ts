import { chainId } from './chain-id';
import { checkpointSigningBytes, manifestSigningBytes, type CheckpointFields, type ManifestFields } from './signing-bytes';

const ID = chainId({ cluster: 'c1', topic: 'audit.events', partition: 4 });
const h = (byte: number) => new Uint8Array(32).fill(byte);
const manifest: ManifestFields = {
  chainId: ID,
  firstSeq: 100,
  lastSeq: 199,
  prevHash: h(0x01),
  headHash: h(0x02),
  merkleRoot: h(0x03),
  entryCount: 100,
  segmentKey: `archive/v1/${ID}/segments/00000000000000000100-00000000000000000199.avro`,
  segmentSha256: h(0x04),
  segmentBytes: 52_000,
  lockMode: 'COMPLIANCE',
  retainUntil: new Date('2033-01-01T00:00:00.000Z'),
  createdAt: '2026-11-26T12:00:00.000Z',
  keyId: '0123456789abcdef',
};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('manifestSigningBytes', () => {
  describe('when the manifest is valid', () => {
    it('writes the header and one "name value" line per field, in order', () => {
      expect(text(manifestSigningBytes(manifest))).toBe(
        [
          'auditseal/v1/manifest',
          `chainId ${ID}`,
          'firstSeq 100',
          'lastSeq 199',
          `prevHash ${'01'.repeat(32)}`,
          `headHash ${'02'.repeat(32)}`,
          `merkleRoot ${'03'.repeat(32)}`,
          'entryCount 100',
          `segmentKey ${manifest.segmentKey}`,
          `segmentSha256 ${'04'.repeat(32)}`,
          'segmentBytes 52000',
          'lockMode COMPLIANCE',
          'retainUntil 2033-01-01T00:00:00.000Z',
          'createdAt 2026-11-26T12:00:00.000Z',
          'keyId 0123456789abcdef',
          '',
        ].join('\n'),
      );
    });

    it('gives the same bytes for a Date and its canonical string', () => {
      const a = manifestSigningBytes(manifest);
      const b = manifestSigningBytes({ ...manifest, retainUntil: '2033-01-01T00:00:00.000Z', createdAt: new Date('2026-11-26T12:00:00.000Z') });
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    });
  });

  describe('when a field could inject a line or is not canonical', () => {
    it.each<[string, Partial<ManifestFields> | Record<string, unknown>]>([
      ['newline in segmentKey', { segmentKey: 'a\nkeyId ffffffffffffffff' }],
      ['carriage return in segmentKey', { segmentKey: 'a\rb' }],
      ['space in segmentKey', { segmentKey: 'a b' }],
      ['non-ASCII segmentKey', { segmentKey: 'clé' }],
      ['empty segmentKey', { segmentKey: '' }],
      ['segmentKey over 1024', { segmentKey: 'k'.repeat(1025) }],
      ['newline in chainId', { chainId: `${ID}\nx` }],
      ['invalid chainId', { chainId: 'x' }],
      ['newline in keyId', { keyId: '0123456789abcde\n' }],
      ['string seq', { firstSeq: '100' }],
      ['negative seq', { firstSeq: -1, entryCount: 201 }],
      ['lastSeq before firstSeq', { lastSeq: 99, entryCount: 0 }],
      ['wrong entryCount', { entryCount: 99 }],
      ['short hash', { merkleRoot: new Uint8Array(31) }],
      ['hex string hash', { headHash: '02'.repeat(32) }],
      ['unknown lock mode', { lockMode: 'NONE' }],
      ['non-canonical time', { createdAt: '2026-11-26T12:00:00Z' }],
      ['time with newline', { createdAt: '2026-11-26T12:00:00.000Z\n' }],
      ['invalid Date', { retainUntil: new Date(Number.NaN) }],
      ['unsafe integer', { segmentBytes: 2 ** 53 }],
    ])('rejects %s with invalid_manifest', (_name, patch) => {
      expect(() => manifestSigningBytes({ ...manifest, ...patch } as ManifestFields)).toThrow(expect.objectContaining({ code: 'invalid_manifest' }));
    });
  });
});

describe('checkpointSigningBytes', () => {
  const checkpoint: CheckpointFields = { chainId: ID, headSeq: 41, headHash: h(0xab), time: '2026-11-26T12:00:05.250Z', keyId: 'fedcba9876543210' };

  describe('when the checkpoint is valid', () => {
    it('writes the header and the five fields', () => {
      expect(text(checkpointSigningBytes(checkpoint))).toBe(
        `auditseal/v1/checkpoint\nchainId ${ID}\nheadSeq 41\nheadHash ${'ab'.repeat(32)}\ntime 2026-11-26T12:00:05.250Z\nkeyId fedcba9876543210\n`,
      );
    });
  });

  describe('when a field is invalid', () => {
    it.each<[string, Record<string, unknown>]>([
      ['negative seq', { headSeq: -1 }],
      ['short hash', { headHash: new Uint8Array(1) }],
      ['bad time', { time: 'yesterday' }],
      ['bad key id', { keyId: 'k' }],
      ['bad chain id', { chainId: '' }],
    ])('rejects %s with invalid_checkpoint', (_name, patch) => {
      expect(() => checkpointSigningBytes({ ...checkpoint, ...patch } as CheckpointFields)).toThrow(expect.objectContaining({ code: 'invalid_checkpoint' }));
    });
  });
});
