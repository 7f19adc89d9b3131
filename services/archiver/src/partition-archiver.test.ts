import { archiveLayout, encodeSegment, parseManifest, SEGMENT_SCHEMA_JSON, verifyManifestSignature } from '@auditseal/archive';
import { encodeSealedEntry, type SealedEntry } from '@auditseal/codec';
import { chainId, createKeyring, generateSigningKey, genesisHead, publicKeyEntry, sealEntry, type ChainHead } from '@auditseal/core';
import { Registry } from 'prom-client';
import { createArchiverMetrics } from './metrics';
import { PartitionArchiver, type StopInfo } from './partition-archiver';
import { MemoryStore } from './testing/memory-store';
import { silent } from './testing/harness';

const CHAIN = chainId({ cluster: 'unit', topic: 'audit.events', partition: 0 });
const layout = archiveLayout('arch');
const key = generateSigningKey();
const keyring = createKeyring([publicKeyEntry(key, new Date(0))]);

function chain(count: number, from?: ChainHead): { values: Buffer[]; head: ChainHead } {
  let head = from ?? genesisHead(CHAIN);
  const values: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const seq = head.seq + 1;
    const fields = { kind: 'event' as const, sourceOffset: seq, sourceTimestampMs: 1, sealedAtMicros: 1_000_000 + seq, key: null, value: Buffer.from(`v${seq}`), rejectReason: 'none' as const };
    const link = sealEntry(fields, head);
    const entry: SealedEntry = { chainId: CHAIN, seq, kind: 'EVENT', sourcePartition: 0, sourceOffset: seq, sourceTimestamp: 1, sealedAt: fields.sealedAtMicros, key: null, value: fields.value, rejectReason: null, rejectDetail: null, prevHash: link.prevHash, hash: link.hash };
    values.push(encodeSealedEntry(entry));
    head = link.head;
  }
  return { values, head };
}

/** Messages at offsets 2·seq (a transaction marker after each, as on a transactional topic). */
const messages = (values: Buffer[], firstSeq = 0) => values.map((value, i) => ({ offset: 2 * (firstSeq + i), value }));

function fixture(options: { maxEntries?: number; maxAgeMs?: number; store?: MemoryStore } = {}) {
  const store = options.store ?? new MemoryStore();
  const commits: number[] = [];
  const hints: string[] = [];
  const stops: StopInfo[] = [];
  let now = 1_800_000_000_000;
  const registry = new Registry();
  const archiver = new PartitionArchiver({
    partition: 0,
    chainId: CHAIN,
    sealedTopic: 'audit.sealed',
    store,
    layout,
    signingKey: key,
    keyring: async () => keyring,
    limits: { maxEntries: options.maxEntries ?? 10, maxBytes: 1 << 30, maxAgeMs: options.maxAgeMs ?? 30_000 },
    retentionDays: 1,
    checkpointIntervalMs: 60_000,
    commit: async (offset, manifestKey) => {
      commits.push(offset);
      hints.push(manifestKey);
    },
    onStop: (info) => stops.push(info),
    logger: silent,
    metrics: createArchiverMetrics(registry),
    now: () => now,
    retryDeadlineMs: 1,
  });
  return { store, commits, hints, stops, archiver, registry, advance: (ms: number) => (now += ms) };
}

/** An Avro container file with the null codec, written by hand (Avro specification, "Object Container Files"). */
function nullCodecSegment(records: readonly Buffer[]): Buffer {
  const long = (n: number) => {
    const out: number[] = [];
    let v = n * 2;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
    return Buffer.from(out);
  };
  const str = (t: string) => Buffer.concat([long(Buffer.byteLength(t)), Buffer.from(t)]);
  const sync = Buffer.alloc(16, 7);
  const body = Buffer.concat(records);
  return Buffer.concat([Buffer.from('Obj\x01', 'latin1'), long(2), str('avro.schema'), str(SEGMENT_SCHEMA_JSON), str('avro.codec'), str('null'), long(0), sync, long(records.length), long(body.length), body, sync]);
}

const manifestKeys = (store: MemoryStore) => [...store.objects.keys()].filter((k) => k.endsWith('.manifest.json'));

describe('PartitionArchiver', () => {
  describe('when entries arrive', () => {
    it('cuts a segment every maxEntries, writes its signed manifest and commits after its last record', async () => {
      const f = fixture({ maxEntries: 10 });
      expect(await f.archiver.recover()).toMatchObject({ startOffset: 'earliest', forced: [] });
      const { values } = chain(25);
      await f.archiver.accept(messages(values), 50);
      expect(manifestKeys(f.store)).toEqual([layout.manifestKey(CHAIN, 0, 9), layout.manifestKey(CHAIN, 10, 19)]);
      expect(f.commits).toEqual([19, 39]);
      const m = parseManifest((await f.store.get(layout.manifestKey(CHAIN, 10, 19)))!);
      expect(verifyManifestSignature(m, keyring)).toMatchObject({ ok: true });
      expect(m.source).toEqual({ topic: 'audit.sealed', partition: 0, firstOffset: 20, lastOffset: 38 });
      expect(f.archiver.pendingEntries).toBe(5);
    });

    it('cuts what is pending once it is maxAgeMs old', async () => {
      const f = fixture({ maxEntries: 100, maxAgeMs: 1000 });
      await f.archiver.recover();
      await f.archiver.accept(messages(chain(3).values), 6);
      await f.archiver.tick();
      expect(manifestKeys(f.store)).toEqual([]);
      f.advance(1000);
      await f.archiver.tick();
      expect(manifestKeys(f.store)).toEqual([layout.manifestKey(CHAIN, 0, 2)]);
    });

    it('keeps lag_seconds current while a put waits for S3 (ticks do not pile up behind it)', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      class SlowStore extends MemoryStore {
        override async putOnce(...args: Parameters<MemoryStore['putOnce']>) {
          await gate;
          return super.putOnce(...args);
        }
      }
      const f = fixture({ maxEntries: 100, maxAgeMs: 1000, store: new SlowStore() });
      await f.archiver.recover();
      await f.archiver.accept(messages(chain(3).values), 6);
      const lag = async () => (await f.registry.getSingleMetric('auditseal_archiver_lag_seconds')!.get()).values.find((v) => v.labels.partition === '0')!.value;
      f.advance(1000);
      const cutting = f.archiver.tick(); // cuts at max age; its segment put waits for S3
      const before = await lag();
      f.advance(5_000);
      const queued = f.archiver.tick();
      expect(f.archiver.tick()).toBe(queued);
      expect((await lag()) - before).toBeCloseTo(5, 3);
      release();
      await Promise.all([cutting, queued]);
      expect(manifestKeys(f.store)).toEqual([layout.manifestKey(CHAIN, 0, 2)]);
      expect(await lag()).toBe(0);
    });

    it('keeps lag_seconds growing while it recovers from an S3 it cannot reach, and resets it once recovered', async () => {
      let down = false;
      class FlakyStore extends MemoryStore {
        override async *list(prefix: string, options?: { startAfter?: string }) {
          if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:7070');
          yield* super.list(prefix, options);
        }
      }
      const f = fixture({ maxEntries: 100, store: new FlakyStore() });
      await f.archiver.recover();
      await f.archiver.accept(messages(chain(3).values), 6);
      const lag = async () => (await f.registry.getSingleMetric('auditseal_archiver_lag_seconds')!.get()).values.find((v) => v.labels.partition === '0')!.value;
      f.archiver.refreshLag();
      const before = await lag();
      down = true;
      await expect(f.archiver.recover()).rejects.toThrow();
      expect(f.archiver.state).toBe('recovering');
      f.advance(60_000);
      f.archiver.refreshLag();
      expect((await lag()) - before).toBeCloseTo(60, 3);
      down = false;
      await f.archiver.recover();
      f.archiver.refreshLag();
      expect(await lag()).toBe(0);
    });

    it('ignores messages below the position it resumed at', async () => {
      const f = fixture({ maxEntries: 5 });
      await f.archiver.recover();
      const { values } = chain(5);
      await f.archiver.accept(messages(values), 10);
      await f.archiver.accept(messages(values), 10);
      expect(manifestKeys(f.store)).toHaveLength(1);
      expect(f.stops).toEqual([]);
    });
  });

  describe('when recovering with the manifest key committed as a hint', () => {
    it('lists only from the hinted segment on and resumes after the last manifest', async () => {
      const store = new MemoryStore();
      const first = fixture({ maxEntries: 2, store });
      await first.archiver.recover();
      const { values } = chain(8);
      await first.archiver.accept(messages(values), 16);
      expect(first.hints).toEqual([0, 2, 4, 6].map((s) => layout.manifestKey(CHAIN, s, s + 1)));
      const listedFrom: Array<string | undefined> = [];
      const list = store.list.bind(store);
      store.list = (prefix, options) => {
        listedFrom.push(options?.startAfter);
        return list(prefix, options);
      };
      // The group's commit lags S3 by one segment (a crash before the last commit).
      const f = fixture({ store });
      expect(await f.archiver.recover(first.hints[2])).toMatchObject({ head: { seq: 7 }, startOffset: 15 });
      expect(listedFrom).toEqual([`${layout.segmentsPrefix(CHAIN)}00000000000000000004`]);
    });

    it('falls back to the whole listing when no manifest is at or after the hint', async () => {
      const store = new MemoryStore();
      const first = fixture({ maxEntries: 2, store });
      await first.archiver.recover();
      await first.archiver.accept(messages(chain(4).values), 8);
      const f = fixture({ store });
      expect(await f.archiver.recover(layout.manifestKey(CHAIN, 100, 101))).toMatchObject({ head: { seq: 3 } });
    });
  });

  describe('when the chain breaks', () => {
    it('alerts broken_chain, stops, and archives nothing past the break', async () => {
      const f = fixture({ maxEntries: 5 });
      await f.archiver.recover();
      const first = chain(5);
      const skipped = chain(1, first.head);
      const after = chain(5, skipped.head);
      await f.archiver.accept([...messages(first.values), ...messages(after.values, 6)], 30);
      expect(f.stops).toEqual([expect.objectContaining({ kind: 'broken_chain' })]);
      expect(f.archiver.state).toBe('stopped');
      expect(manifestKeys(f.store)).toEqual([layout.manifestKey(CHAIN, 0, 4)]);
    });
  });

  describe('when restarted after a crash between the segment put and the manifest put', () => {
    it('re-creates the orphan with exactly its range (a no-op put) and writes its manifest', async () => {
      const store = new MemoryStore();
      const before = fixture({ maxEntries: 4, store });
      await before.archiver.recover();
      const { values } = chain(10);
      await before.archiver.accept(messages(values.slice(0, 4)), 20);
      // The orphan: 4..6 was cut by age in the crashed run, so its range differs from maxEntries.
      const orphan = await encodeSegment({ chainId: CHAIN, firstSeq: 4, lastSeq: 6, firstHash: values[4]!.subarray(values[4]!.length - 32), records: values.slice(4, 7).map((v) => v.subarray(10)) });
      store.place(layout.segmentKey(CHAIN, 4, 6), orphan);
      const after = fixture({ maxEntries: 4, store });
      const point = await after.archiver.recover();
      expect(point).toMatchObject({ startOffset: 7, head: { seq: 3 }, forced: [{ firstSeq: 4, lastSeq: 6 }] });
      await after.archiver.accept(messages(values.slice(4), 4), 20);
      expect(manifestKeys(store)).toEqual([layout.manifestKey(CHAIN, 0, 3), layout.manifestKey(CHAIN, 4, 6)]);
      expect(await after.registry.getSingleMetricAsString('auditseal_archiver_segments_written_total')).toContain('result="identical"} 1');
      expect(after.commits).toEqual([13]);
    });
  });

  describe('when another instance cut a segment at the same first seq with another range', () => {
    const segmentOf = (values: Buffer[], first: number, last: number) =>
      encodeSegment({ chainId: CHAIN, firstSeq: first, lastSeq: last, firstHash: values[first]!.subarray(values[first]!.length - 32), records: values.slice(first, last + 1).map((v) => v.subarray(10)) });

    it('uses its shorter range and keeps the rest pending (no overlapping segments)', async () => {
      const store = new MemoryStore();
      const { values } = chain(10);
      const f = fixture({ maxEntries: 10, store });
      await f.archiver.recover();
      // Written by the previous owner after this one recovered (recovery would have forced the range itself).
      store.place(layout.segmentKey(CHAIN, 0, 3), await segmentOf(values, 0, 3));
      await f.archiver.accept(messages(values), 20);
      expect(manifestKeys(store)).toEqual([layout.manifestKey(CHAIN, 0, 3)]);
      expect(f.archiver.pendingEntries).toBe(6);
      expect(f.commits).toEqual([7]);
    });

    it('waits for the last entry of a longer range and cuts there', async () => {
      const store = new MemoryStore();
      const { values } = chain(12);
      const f = fixture({ maxEntries: 5, store });
      await f.archiver.recover();
      store.place(layout.segmentKey(CHAIN, 0, 7), await segmentOf(values, 0, 7));
      await f.archiver.accept(messages(values.slice(0, 6)), 24);
      expect(manifestKeys(store)).toEqual([]);
      await f.archiver.accept(messages(values.slice(6), 6), 24);
      expect(manifestKeys(store)[0]).toBe(layout.manifestKey(CHAIN, 0, 7));
      expect(f.stops).toEqual([]);
    });
  });

  describe('when the next segment key holds the same entries in other bytes', () => {
    it('adopts the existing object (e.g. compressed by another zlib) and describes it in the manifest', async () => {
      const store = new MemoryStore();
      const { values } = chain(4);
      const records = values.map((v) => v.subarray(10));
      // Same records in other bytes: an uncompressed (null codec) container file, as another writer might produce.
      const other = nullCodecSegment(records);
      store.place(layout.segmentKey(CHAIN, 0, 3), other);
      const f = fixture({ maxEntries: 4, store });
      await f.archiver.recover();
      await f.archiver.accept(messages(values), 8);
      expect(f.stops).toEqual([]);
      const m = parseManifest((await store.get(layout.manifestKey(CHAIN, 0, 3)))!);
      expect(m.segmentBytes).toBe(other.length);
      expect(await f.registry.getSingleMetricAsString('auditseal_archiver_segments_written_total')).toContain('result="adopted"} 1');
    });
  });

  describe('when the last manifest does not verify', () => {
    it('alerts bad_manifest and does not resume', async () => {
      const store = new MemoryStore();
      const first = fixture({ maxEntries: 2, store });
      await first.archiver.recover();
      await first.archiver.accept(messages(chain(2).values), 4);
      const mkey = layout.manifestKey(CHAIN, 0, 1);
      const doc = JSON.parse(Buffer.from((await store.get(mkey))!).toString());
      doc.headHash = '00'.repeat(32);
      store.place(mkey, Buffer.from(JSON.stringify(doc)));
      const f = fixture({ store });
      expect(await f.archiver.recover()).toBeUndefined();
      expect(f.stops).toEqual([expect.objectContaining({ kind: 'bad_manifest' })]);
    });
  });
});
