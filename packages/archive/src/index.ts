// @auditseal/archive: segments (Avro object container files), signed manifests
// and checkpoints, the key layout, and storage behind small interfaces.
// Formats: docs/FORMAT.md §10.
export { ArchiveError, isArchiveError, type ArchiveErrorCode } from './errors';
export { archiveLayout, padSeq, SEGMENT_SUFFIX, MANIFEST_SUFFIX, SEQ_DIGITS, type ArchiveLayout, type ParsedSegmentKey } from './keys';
export {
  SEGMENT_FORMAT,
  SEGMENT_LIMITS,
  SEGMENT_SCHEMA_JSON,
  BLOCK_TARGET_BYTES,
  SYNC_BYTES,
  encodeSegment,
  readSegment,
  segmentSyncMarker,
  sealedEntryAvroBinary,
  type EncodeSegmentInput,
  type ParsedSegment,
  type ReadSegmentOptions,
  type SegmentHeaderInfo,
} from './segment';
export {
  MANIFEST_FORMAT,
  CHECKPOINT_FORMAT,
  signManifest,
  describeSegment,
  serializeManifest,
  parseManifest,
  verifyManifestSignature,
  signCheckpoint,
  serializeCheckpoint,
  parseCheckpoint,
  verifyCheckpointSignature,
  type SegmentManifest,
  type UnsignedManifest,
  type ManifestSource,
  type Checkpoint,
} from './manifest';
export { listAll, type ArchiveFetcher, type ArchiveStore, type ListedObject, type ObjectInfo, type ObjectVersion, type PutOnceOptions, type PutOnceResult } from './store';
export { createS3ArchiveStore, storageError, s3Status, type S3ArchiveStoreOptions } from './s3-store';
export { createS3Client, type S3ClientSettings } from './s3-client';
export { createLocalDirFetcher } from './local-dir-fetcher';
export { toCoreEntry } from '@auditseal/codec';
