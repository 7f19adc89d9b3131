import { S3Client } from '@aws-sdk/client-s3';

/** Where and how to reach S3 (the S3_* variables of docs/OPERATIONS.md). */
export interface S3ClientSettings {
  /** A gateway's URL (local versitygw, MinIO); undefined: AWS S3 of `region`. */
  endpoint?: string | undefined;
  region: string;
  /** Static credentials; without both, the SDK's default chain (IRSA, instance profile, env). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** Path-style URLs; default: with an endpoint (gateways), not on AWS. */
  forcePathStyle?: boolean;
  /** The SDK's attempts per request (its default: 3). */
  maxAttempts?: number;
}

/**
 * The one S3 client factory of AuditSeal's services and tools. Our own
 * SHA-256 goes with every PUT (x-amz-checksum-sha256) and every object is
 * hashed on read, so the SDK's default CRC32 trailers are off (gateways may
 * lack them). The SDK's warning about Node 20 support is silenced: the
 * supported runtimes are stated in package.json and the Dockerfile.
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle ?? settings.endpoint !== undefined,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } } : {}),
    ...(settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
