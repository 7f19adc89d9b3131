import type { CodecError } from './errors';
import {
  decodeSegmentManifestRecord,
  encodeSegmentManifestRecord,
  validateSegmentManifestRecord,
} from './segment-manifest';
import { decodeCheckpointRecord } from './checkpoint';
import { sampleManifest } from './__fixtures__/records';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as CodecError).code;
  }
  return undefined;
}

describe('segment manifest records', () => {
  it('round-trip', () => {
    expect(decodeSegmentManifestRecord(encodeSegmentManifestRecord(sampleManifest()))).toEqual(sampleManifest());
  });

  it('list every broken rule', () => {
    const issues = validateSegmentManifestRecord(sampleManifest({ entryCount: 7, signature: Buffer.alloc(0), lockMode: '', extra: 1 } as never));
    expect(issues.map((i) => i.path)).toEqual(['extra', 'entryCount', 'lockMode', 'signature']);
    expect(codeOf(() => encodeSegmentManifestRecord(sampleManifest({ lastSeq: 2 ** 53 })))).toBe('invalid_record');
  });

  it('are not checkpoints', () => {
    expect(codeOf(() => decodeCheckpointRecord(encodeSegmentManifestRecord(sampleManifest())))).toBe('unknown_fingerprint');
  });
});
