import { join } from 'node:path';
import { integrationEnv, localCluster, type IntegrationEnv, type LocalCluster } from '@auditseal/testkit';

/**
 * What scripts/test-faults.mjs hands the scenarios: the endpoints of the
 * 3-broker cluster and gateway it started in a folder of its own
 * (FAULTS_LOCAL_DIR), where each scenario writes its result, and the seed of
 * every random choice (FAULTS_SEED; the runner prints it so a run can be replayed).
 */
export interface FaultEnv extends IntegrationEnv {
  dir: string;
  cluster: LocalCluster;
  resultsDir: string;
  seed: number;
}

export function faultEnv(): FaultEnv {
  const dir = process.env.FAULTS_LOCAL_DIR;
  if (!dir) throw new Error('FAULTS_LOCAL_DIR is not set: run the fault suite with `npm run test:faults` (it starts the cluster these tests break)');
  const seed = Number(process.env.FAULTS_SEED ?? '1');
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULTS_SEED must be an integer; got "${process.env.FAULTS_SEED}"`);
  const env = integrationEnv();
  if (env.kafkaBrokers.length < 3) throw new Error(`the fault suite needs the 3-broker cluster; KAFKA_BROKERS is ${env.kafkaBrokers.join(',')}`);
  return { ...env, dir, cluster: localCluster(dir, 3), resultsDir: join(dir, 'results'), seed };
}
