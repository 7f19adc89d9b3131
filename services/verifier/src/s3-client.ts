import { createS3Client } from '@auditseal/archive';
import type { S3Client } from '@aws-sdk/client-s3';
import type { VerifierConfig } from './config';

export const createS3ClientFor = (config: VerifierConfig): S3Client => createS3Client(config.s3);
