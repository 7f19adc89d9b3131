// Writes schemas/vectors/archive-segment.json (FORMAT.md §10): the first chain
// of chain-links.json (seq 0..6) as a segment, its manifest and a checkpoint,
// signed with test key 1 of signatures.json. Run after `tsc -p tsconfig.build.json`.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const vectors = join(here, '..', '..', '..', 'schemas', 'vectors');
const archive = require('../dist/index.js');
const core = require('@auditseal/core');

const chain = JSON.parse(readFileSync(join(vectors, 'chain-links.json'), 'utf8')).chains[0];
const testKey = JSON.parse(readFileSync(join(vectors, 'signatures.json'), 'utf8')).testKeys[0];
const key = core.signingKeyFromSeed(core.fromHex(testKey.seed));
const hex = (h) => (h === null ? null : Buffer.from(h, 'hex'));
const REASONS = { none: null, malformed: 'MALFORMED', unknown_schema: 'UNKNOWN_SCHEMA', too_large: 'TOO_LARGE', bad_signature: 'BAD_SIGNATURE', missing_signature: 'MISSING_SIGNATURE', invalid_event: 'INVALID_EVENT' };
const entries = chain.entries.map((e) => ({
  chainId: chain.chainId,
  seq: e.seq,
  kind: e.fields.kind === 'event' ? 'EVENT' : 'REJECTED',
  sourcePartition: 0,
  sourceOffset: Number(e.fields.sourceOffset),
  sourceTimestamp: Number(e.fields.sourceTimestampMs),
  sealedAt: Number(e.fields.sealedAtMicros),
  key: hex(e.fields.key),
  value: hex(e.fields.value),
  rejectReason: REASONS[e.fields.rejectReason],
  rejectDetail: e.fields.rejectDetail,
  prevHash: hex(e.prevHash),
  hash: hex(e.hash),
}));
const records = entries.map((e) => archive.sealedEntryAvroBinary(e));
const layout = archive.archiveLayout('auditseal-archive');
const segmentKey = layout.segmentKey(chain.chainId, 0, entries.length - 1);
const segment = await archive.encodeSegment({ chainId: chain.chainId, firstSeq: 0, lastSeq: entries.length - 1, firstHash: entries[0].hash, records });
const manifest = archive.signManifest(
  {
    chainId: chain.chainId,
    firstSeq: 0,
    lastSeq: entries.length - 1,
    prevHash: hex(chain.genesisHash),
    headHash: hex(chain.headHash),
    ...archive.describeSegment(segment, entries.map((e) => e.hash)),
    segmentKey,
    lockMode: 'COMPLIANCE',
    retainUntil: '2033-11-26T00:00:00.000Z',
    createdAt: '2026-11-26T20:01:00.000Z',
    source: { topic: 'audit.sealed', partition: 0, firstOffset: 0, lastOffset: 13 },
  },
  key,
);
const checkpoint = archive.signCheckpoint({ chainId: chain.chainId, headSeq: 6, headHash: hex(chain.headHash), time: '2026-11-26T20:00:30.000Z' }, key);
const out = {
  description:
    'Archive vectors: the first chain of chain-links.json (seq 0..6, sourcePartition 0) as a segment object (Avro object container file, deflate, sync marker = first 16 bytes of SHA-256("auditseal/v1/segment-sync\\n" ‖ hash of the first entry)), its JSON manifest and a JSON checkpoint, signed with test key 1 of signatures.json. An implementation of the writer MUST reproduce segmentHex byte for byte (with zlib deflate level 6, windowBits 15, memLevel 8, default strategy); a reader MUST read back the records.',
  spec: 'docs/FORMAT.md §10',
  keyId: key.keyId,
  segmentKey,
  manifestKey: layout.manifestKeyFor(segmentKey),
  checkpointKey: layout.checkpointKey(chain.chainId, 6),
  syncMarker: archive.segmentSyncMarker(entries[0].hash).toString('hex'),
  recordsHex: records.map((r) => r.toString('hex')),
  segmentHex: segment.toString('hex'),
  segmentSha256: core.toHex(manifest.segmentSha256),
  segmentBytes: segment.length,
  manifestJson: archive.serializeManifest(manifest).toString('utf8'),
  manifestSigningText: Buffer.from(core.manifestSigningBytes(manifest)).toString('utf8'),
  checkpointJson: archive.serializeCheckpoint(checkpoint).toString('utf8'),
};
writeFileSync(join(vectors, 'archive-segment.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${join(vectors, 'archive-segment.json')} (segment ${segment.length} bytes, sha256 ${out.segmentSha256})`);
