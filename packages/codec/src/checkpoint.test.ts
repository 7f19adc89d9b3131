import type { CodecError } from './errors';
import { decodeSegmentManifestRecord } from './segment-manifest';
import { decodeCheckpointRecord, encodeCheckpointRecord, validateCheckpointRecord } from './checkpoint';
import { sampleCheckpoint } from './__fixtures__/records';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CodecError).code;
  }
  return undefined;
}

describe('checkpoint records', () => {
  it('round-trip', () => {
    expect(decodeCheckpointRecord(encodeCheckpointRecord(sampleCheckpoint()))).toEqual(sampleCheckpoint());
  });

  it('list every broken rule', () => {
    expect(validateCheckpointRecord(sampleCheckpoint({ headSeq: -1, headHash: Buffer.alloc(2), keyId: ' k' })).map((i) => i.path)).toEqual([
      'headHash',
      'headSeq',
      'keyId',
    ]);
  });

  it('are not manifests', () => {
    expect(codeOf(() => decodeSegmentManifestRecord(encodeCheckpointRecord(sampleCheckpoint())))).toBe('unknown_fingerprint');
  });
});
