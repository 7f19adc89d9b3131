#!/usr/bin/env node
// Readiness probes for infra/local/infra.sh. A TCP connect only proves a port
// is bound; these speak the real protocols, with the clients the code uses:
//
//   node probe.mjs kafka <brokers> <expected broker count> <timeout ms>
//     waits until a kafkajs admin sees every broker registered in the cluster.
//   node probe.mjs s3 <endpoint> <bucket> <timeout ms>
//     waits until a signed ListBuckets succeeds, then makes sure <bucket>
//     exists with Object Lock enabled (creates it if missing).
//     Credentials and region come from S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION.
//
// Exit codes: 0 ready, 1 not ready before the timeout (last error printed),
// 2 a problem waiting will not fix (wrong credentials, bucket without Object Lock).
import { createRequire } from 'node:module';

// kafkajs and the S3 SDK are dependencies of @auditseal/testkit, not of the root.
const require = createRequire(new URL('../../packages/testkit/package.json', import.meta.url));

// The SDK warns on Node < 22 about its future releases; the lockfile pins a
// release that supports Node 20, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Fatal extends Error {}

async function poll(what, timeoutMs, attempt) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof Fatal) throw err;
      last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    if (Date.now() >= deadline) throw new Error(`${what} not ready after ${timeoutMs} ms; last error: ${last}`);
    await sleep(500);
  }
}

async function probeKafka(brokers, expected, timeoutMs) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'auditseal-infra-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  await poll(`Kafka at ${brokers}`, timeoutMs, async () => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length < expected) {
        throw new Error(`${cluster.brokers.length} of ${expected} brokers registered`);
      }
    } finally {
      await admin.disconnect().catch(() => {});
    }
  });
}

async function probeS3(endpoint, bucket, timeoutMs) {
  const s3 = require('@aws-sdk/client-s3');
  const client = new s3.S3Client({
    endpoint,
    region: process.env.S3_REGION ?? 'us-east-1',
    credentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? '' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  try {
    await poll(`S3 gateway at ${endpoint}`, timeoutMs, async () => {
      try {
        await client.send(new s3.ListBucketsCommand({}));
      } catch (err) {
        const status = err?.$metadata?.httpStatusCode;
        if (status === 403) throw new Fatal(`S3 gateway at ${endpoint} refused the credentials (${err.name}): is another gateway using this port?`);
        throw err;
      }
    });
    try {
      await client.send(new s3.CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
      console.error(`infra: created bucket ${bucket} with Object Lock`);
    } catch (err) {
      if (err?.name !== 'BucketAlreadyOwnedByYou') throw err;
    }
    const lock = await client.send(new s3.GetObjectLockConfigurationCommand({ Bucket: bucket }));
    if (lock.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') {
      throw new Fatal(`bucket ${bucket} exists without Object Lock; remove it (infra.sh down --purge) and start again`);
    }
  } finally {
    client.destroy();
  }
}

const [kind, ...args] = process.argv.slice(2);
try {
  if (kind === 'kafka' && args.length === 3) await probeKafka(args[0], Number(args[1]), Number(args[2]));
  else if (kind === 's3' && args.length === 3) await probeS3(args[0], args[1], Number(args[2]));
  else {
    console.error('usage: probe.mjs kafka <brokers> <count> <timeoutMs> | s3 <endpoint> <bucket> <timeoutMs>');
    process.exit(2);
  }
} catch (err) {
  console.error(`infra: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(err instanceof Fatal ? 2 : 1);
}
