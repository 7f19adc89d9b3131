// @auditseal/verify: the pure verification engine (DESIGN.md "Verifier").
// No Kafka, no S3, no disk, no process.env: everything is read through the
// fetcher interfaces of sources.ts, which the services and the CLI implement.
// Finding kinds, severities and evidence: README.md.
export { VerificationError, type VerificationErrorCode } from './errors';
export {
  FINDING_KINDS,
  SEVERITY,
  finding,
  findingId,
  type Finding,
  type FindingInput,
  type FindingKind,
  type FindingSink,
  type ObjectRef,
  type OffsetRange,
  type SeqRange,
  type Severity,
} from './findings';
export type {
  ArchiveFormats,
  ArchiveReader,
  Checkpoint,
  EventRecord,
  EventSource,
  ListedObject,
  ObjectMetadata,
  ObjectVersionInfo,
  ParsedSegment,
  PartitionOffsets,
  SealedRecord,
  SealedSource,
  SegmentManifest,
} from './sources';
export { parseArchiveKey, manifestKeyFor, segmentKeyOf, type ArchiveKey } from './layout';
export {
  ChainCheck,
  SealedStreamCheck,
  checkSealedChain,
  decodeSealedRecord,
  toCoreEntry,
  type ChainCheckOptions,
  type DecodedRecord,
  type EntryLocation,
} from './check-chain';
export { CompletenessCheck, checkCompleteness, type CompletenessOptions, type CompletenessResult } from './check-completeness';
export {
  CheckpointMatcher,
  ContinuityCheck,
  checkCheckpoint,
  checkManifest,
  checkSegment,
  checkSegmentBytes,
  type CheckpointCheckInput,
  type ManifestCheckInput,
  type SegmentBounds,
  type SegmentCheckInput,
  type SegmentCheckResult,
} from './check-segments';
export { DEFAULT_CLOCK_SKEW_MS, canCheckRetention, checkObjectRetention, reportUnexpectedKey, type ObjectRetentionInput, type RetentionPolicy } from './check-retention';
export { AgreementCheck, type SealedSide } from './check-agreement';
export { checkEventValue, type EventValueOptions } from './check-values';
export { checkLiveness, type LivenessInput, type LivenessResult, type LivenessThresholds } from './check-liveness';
export {
  verifyArchive,
  type ChainResume,
  type ChainSummary,
  type SegmentCounts,
  type VerificationReport,
  type VerifyArchiveOptions,
  type VerifiedSegment,
  type VerifyProgress,
} from './verify-archive';
