import type { Benchmark } from '../harness';
import { archiverBenchmark } from './archiver';
import { chainHashBenchmark } from './chain-hash';
import { chainerBenchmark } from './chainer';
import { e2eBenchmark } from './e2e';
import { merkleRootBenchmark } from './merkle-root';
import { rawProduceBenchmark } from './raw-produce';
import { sdkVsRawBenchmark } from './sdk-vs-raw';
import { segmentRehashBenchmark } from './segment-rehash';
import { verifierBenchmark } from './verifier';
import { verifyArchiveBenchmark } from './verify-archive';

/**
 * Every benchmark `npm run bench` knows, in run order. Add new ones here
 * (Kafka/S3-backed ones throw BenchSkipped when their endpoints are missing).
 */
export const benchmarks: readonly Benchmark[] = [
  chainHashBenchmark,
  merkleRootBenchmark,
  segmentRehashBenchmark,
  rawProduceBenchmark,
  sdkVsRawBenchmark,
  chainerBenchmark,
  archiverBenchmark,
  verifierBenchmark,
  verifyArchiveBenchmark,
  e2eBenchmark,
];
