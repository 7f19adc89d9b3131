import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSegment } from '@auditseal/archive';
import { toHex } from '@auditseal/core';
import { createCleanup, createTestKafka, createTestS3, uniqueName, waitFor } from '@auditseal/testkit';
import { Registry } from 'prom-client';
import { createArchiver } from './archiver';
import { loadArchiverConfig } from './config';
import { createArchiverMetrics } from './metrics';
import { archiverEnv, createAuditTopics, deleteAuditTopics, readArchivedChain, SealedWriter, silent, storeFor, writeKeyFile } from './testing/harness';

// Archived segments must be readable by any Avro tool (DESIGN.md "Archive
// layout"). fastavro (PyPI; .ci/run installs it) is an implementation that
// shares no code with avsc: it must read the same records, the same count.
const FASTAVRO_DUMP = `
import json, sys
from datetime import datetime, timedelta, timezone
from fastavro import reader
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# fastavro applies logical types: sealedAt (timestamp-micros) arrives as a datetime.
micros = lambda v: v if isinstance(v, int) else (v - EPOCH) // timedelta(microseconds=1)
out = []
with open(sys.argv[1], 'rb') as f:
    r = reader(f)
    codec = r.metadata.get('avro.codec')
    for rec in r:
        out.append([rec['chainId'], rec['seq'], rec['kind'], rec['sourceOffset'], micros(rec['sealedAt']),
                    None if rec['key'] is None else rec['key'].hex(), rec['value'].hex(), rec['rejectReason'],
                    rec['rejectDetail'], rec['prevHash'].hex(), rec['hash'].hex()])
print(json.dumps({'codec': codec, 'records': out}))
`;

describe('archived segments read by a reference Avro implementation (fastavro)', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  it('yields the same records and the same count as the archive reader', async () => {
    try {
      execFileSync('python3', ['-c', 'import fastavro'], { stdio: 'ignore' });
    } catch (error) {
      throw new Error('this test needs python3 with fastavro: `python3 -m pip install fastavro` (.ci/run installs it)', { cause: error });
    }
    const kafka = createTestKafka({ cleanup });
    const s3 = createTestS3({ cleanup });
    const admin = await kafka.admin();
    const topicPrefix = `${uniqueName('fastavro')}.`;
    const names = await createAuditTopics(admin, topicPrefix, 1);
    cleanup.add('audit topics', () => deleteAuditTopics(admin, names));
    const bucket = await s3.createLockedBucket(undefined, 'fastavro');
    const { path, key } = writeKeyFile();
    const config = loadArchiverConfig(archiverEnv({ brokers: kafka.brokers, s3: s3.settings, bucket, topicPrefix, keyPath: path, extra: { ARCHIVER_SEGMENT_MAX_ENTRIES: '1500' } }));
    const archiver = createArchiver(config, { logger: silent, metrics: createArchiverMetrics(new Registry()), signingKey: key, keyNotBefore: new Date(Date.now() - 60_000), s3Client: s3.client, tickMs: 200 });
    cleanup.add('archiver', () => archiver.stop());
    const writer = new SealedWriter(kafka.kafka, names);
    await writer.write([0], 3000);
    await archiver.start();
    const store = storeFor(s3.client, bucket);
    const archived = await waitFor(() => readArchivedChain(store, writer.chainIdOf(0)), { description: 'chain archived to seq 2999', timeoutMs: 60_000, intervalMs: 250, until: (a) => a.manifests.at(-1)?.lastSeq === 2999 });
    const dir = mkdtempSync(join(tmpdir(), 'segments-'));
    let total = 0;
    for (const segmentKey of archived.segmentKeys) {
      const bytes = (await store.get(segmentKey))!;
      const file = join(dir, 'segment.avro');
      writeFileSync(file, bytes);
      const dump = JSON.parse(execFileSync('python3', ['-c', FASTAVRO_DUMP, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as { codec: string; records: unknown[][] };
      expect(dump.codec).toBe('deflate');
      const ours = readSegment(bytes).entries.map((e) => [
        e.chainId,
        e.seq,
        e.kind,
        e.sourceOffset,
        e.sealedAt,
        e.key === null ? null : toHex(e.key),
        toHex(e.value),
        e.rejectReason,
        e.rejectDetail,
        toHex(e.prevHash),
        toHex(e.hash),
      ]);
      expect(dump.records).toHaveLength(ours.length);
      expect(dump.records).toEqual(ours);
      total += dump.records.length;
    }
    expect(total).toBe(3000);
    expect(archived.records.length).toBe(3000);
  });
});
