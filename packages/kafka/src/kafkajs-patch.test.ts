// kafkajs 2.2.4 is patched (patches/kafkajs@2.2.4.patch, applied by pnpm install).
// Producer: it grouped a send's messages per partition by copying the
// partition's array on every message (quadratic in the batch), and encoded
// each record into a zeroed 512-byte buffer that was then grown and copied.
// Consumer: it decoded each record through a Decoder of its own with Long
// (BigInt) arithmetic for its offset and timestamp and one object per header,
// and parsed every message's offset into a Long to filter a fetched batch.
// These tests fail when the patch is not applied, and check that it keeps
// kafkajs's semantics: the decoders against a copy of upstream's
// (kafkajs-upstream-decoding.fixture.js) on randomized record batches.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajsSrc = join(dirname(require.resolve('kafkajs/package.json')), 'src');
const groupMessagesPerPartition = require(join(kafkajsSrc, 'producer', 'groupMessagesPerPartition.js')) as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: { partition: number; value: string }[];
  partitioner: (args: { message: { partition: number } }) => number;
}) => Record<number, { value: string }[]>;

interface DecodedRecord {
  offset: unknown;
  timestamp: unknown;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, unknown>;
  isControlRecord: boolean;
  batchContext: object;
}
interface KafkajsDecoder {
  offset: number;
}
type DecodeMessages = (decoder: KafkajsDecoder) => Promise<DecodedRecord[]>;
type RecordBatchDecoder = (decoder: KafkajsDecoder) => Promise<{ records: DecodedRecord[] }>;
interface PartitionData {
  partition: number;
  highWatermark: string;
  abortedTransactions: { producerId: string; firstOffset: string }[];
  messages: { offset: unknown; key?: unknown; isControlRecord?: boolean; batchContext?: object }[];
}
const Decoder = require(join(kafkajsSrc, 'protocol', 'decoder')) as new (buffer: Buffer) => KafkajsDecoder;
const RecordDecoder = require(join(kafkajsSrc, 'protocol', 'recordBatch', 'record', 'v0', 'decoder')) as {
  decodeRecordAt: (...args: unknown[]) => DecodedRecord | undefined;
};
const patched = {
  decodeMessages: require(join(kafkajsSrc, 'protocol', 'requests', 'fetch', 'v4', 'decodeMessages')) as DecodeMessages,
  recordBatchDecoder: require(join(kafkajsSrc, 'protocol', 'recordBatch', 'v0', 'decoder')) as RecordBatchDecoder,
  Batch: require(join(kafkajsSrc, 'consumer', 'batch')) as new (topic: string, fetchedOffset: unknown, partitionData: PartitionData) => {
    messagesWithinOffset: unknown[];
    messages: unknown[];
  },
};
const upstream = require('./kafkajs-upstream-decoding.fixture.js') as {
  RecordDecoder: (decoder: KafkajsDecoder, batchContext: object) => DecodedRecord;
  decodeMessages: DecodeMessages;
  RecordBatchDecoder: RecordBatchDecoder;
  batchMessages: (fetchedOffset: unknown, partitionData: PartitionData) => { messagesWithinOffset: unknown[]; messages: unknown[] };
};
/* eslint-enable @typescript-eslint/no-require-imports */

// ---- a record-batch writer with full control over every field (Kafka protocol, RecordBatch v2)

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Unsigned LEB128 of a non-negative bigint (any width). */
function uvarint(value: bigint): Buffer {
  const bytes: number[] = [];
  do {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    bytes.push(value > 0n ? low | 0x80 : low);
  } while (value > 0n);
  return Buffer.from(bytes);
}
/** The same varint written in `total` bytes (non-minimal: padded with zero groups), which decoders must accept. */
const padded = (minimal: Buffer, total: number) =>
  Buffer.from(Array.from({ length: total }, (_, i) => (i < minimal.length ? minimal[i]! & 0x7f : 0) | (i < total - 1 ? 0x80 : 0)));
const varlong = (value: bigint) => uvarint(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
const varint = (value: number) => uvarint(BigInt(((value << 1) ^ (value >> 31)) >>> 0));
const int64 = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt.asIntN(64, value));
  return buffer;
};
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const int16 = (value: number) => {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
};
/** Varint length and bytes; null is length -1. A number is a bare (bogus) length. */
const bytes = (value: Buffer | string | null | number) =>
  value === null ? varint(-1) : typeof value === 'number' ? varint(value) : Buffer.concat([varint(Buffer.byteLength(value)), Buffer.from(value)]);

interface RecordSpec {
  attributes: number;
  /** The encoded timestamp delta: a varlong, or raw bytes (overlong varints). */
  timestampDelta: Buffer;
  offsetDelta: Buffer;
  key: Buffer | null | number;
  value: Buffer | null | number;
  /** Header count as written (-1, or a bogus count); defaults to headers.length. */
  headerCount?: number;
  headers: [string | Buffer | null | number, Buffer | null | number][];
}

function recordBytes(spec: RecordSpec): Buffer {
  const body = Buffer.concat([
    Buffer.from([spec.attributes & 0xff]),
    spec.timestampDelta,
    spec.offsetDelta,
    bytes(spec.key),
    bytes(spec.value),
    varint(spec.headerCount ?? spec.headers.length),
    ...spec.headers.flatMap(([key, value]) => [bytes(key), bytes(value)]),
  ]);
  return Buffer.concat([varint(body.length), body]);
}

const GZIP = 1;
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

interface BatchSpec {
  firstOffset: bigint;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  attributes: number;
  producerId: bigint;
  records: Buffer[];
  /** Record count as written; defaults to records.length. */
  count?: number;
}

function batchBytes(spec: BatchSpec): Buffer {
  const records = Buffer.concat(spec.records);
  const body = Buffer.concat([
    int32(7), // partition leader epoch
    Buffer.from([2]), // magic
    int32(0), // crc, not checked by kafkajs
    int16(spec.attributes),
    int32(spec.records.length - 1),
    int64(spec.firstTimestamp),
    int64(spec.maxTimestamp),
    int64(spec.producerId),
    int16(3),
    int32(11),
    int32(spec.count ?? spec.records.length),
    spec.attributes & GZIP ? gzipSync(records) : records,
  ]);
  return Buffer.concat([int64(spec.firstOffset), int32(body.length), body]);
}

// ---- random record batches, biased to the edges of the patched arithmetic

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MAX = 2n ** 63n - 1n;
const OFFSET_BASES = [0n, 1n, 12_345_678n, 10n ** 15n - 3n, 10n ** 15n, SAFE - 5n, SAFE, SAFE + 1n, SAFE + 9n, INT64_MAX - 2n, -1n, -(2n ** 63n)];
const TIMESTAMP_BASES = [0n, -1n, 1_764_000_000_000n, SAFE - 3n, SAFE, SAFE + 2n, -SAFE + 2n, -SAFE, -SAFE - 1n, -(2n ** 62n), INT64_MAX, -(2n ** 63n)];
const HEADER_KEYS = ['trace-id', 'a', 'a', 'b', '', 'toString', '__proto__', 'constructor', '1', '0', 'é', null];

function randomRecords(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (below: number) => Math.floor(random() * below);
  const payload = (): Buffer | null => pick([null, Buffer.alloc(0), Buffer.from([int(256)]), Buffer.alloc(1 + int(600), int(256))]);
  const timestampDelta = (): Buffer => {
    const r = random();
    if (r < 0.7) return varlong(BigInt(int(200) - 50));
    if (r < 0.9) {
      // around the 7-byte (2^48) limit of the Number path, both signs
      const edge = pick([2n ** 47n, 2n ** 48n, 2n ** 52n, 2n ** 62n]);
      return varlong((pick([1n, -1n]) * (edge + BigInt(int(5)) - 2n)));
    }
    if (r < 0.97) return varlong(BigInt.asIntN(64, BigInt(Math.floor(random() * 2 ** 53)) * BigInt(int(2 ** 11))));
    // 10 bytes (beyond 64 bits, which upstream keeps) or 11 (an error)
    return Buffer.from([...Array.from({ length: 9 + int(2) }, () => 0x80 | int(128)), int(128)]);
  };
  const offsetDelta = (i: number): Buffer => {
    const r = random();
    if (r < 0.8) return varint(i);
    if (r < 0.95) return varint(pick([-1, -i, 2 ** 28, 2 ** 31 - 1, -(2 ** 31), int(2 ** 31)]));
    // 5 and 6 bytes, where upstream's 32-bit arithmetic overflows
    return Buffer.from([...Array.from({ length: 4 + int(2) }, () => 0x80 | int(128)), int(128)]);
  };
  const headerPart = <T>(value: () => T): T | number => (random() < 0.02 ? pick([-2, 5000]) : value());
  const count = pick([0, 1, 2, 5, 40]);
  return Array.from({ length: count }, (_, i) => {
    const headerCount = pick([0, 0, 0, 1, 2, 4, 7]);
    const spec: RecordSpec = {
      attributes: random() < 0.9 ? 0 : int(256),
      timestampDelta: timestampDelta(),
      offsetDelta: offsetDelta(i),
      key: headerPart(payload),
      value: random() < 0.02 ? pick([-2, 5000]) : payload(),
      headers: Array.from({ length: headerCount }, () => [headerPart(() => pick(HEADER_KEYS)), headerPart(payload)]),
    };
    if (random() < 0.02) spec.headerCount = pick([-1, -2, headerCount + 3]);
    return recordBytes(spec);
  });
}

function randomBatch(random: () => number): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // half of them ordinary, half near the edges
  const near = (ordinary: bigint, edges: bigint[]) => BigInt.asIntN(64, (random() < 0.5 ? ordinary : pick(edges)) + BigInt(Math.floor(random() * 5)) - 2n);
  const records = randomRecords(random);
  let attributes = 0;
  if (random() < 0.3) attributes |= TRANSACTIONAL;
  if (random() < 0.1) attributes |= CONTROL;
  if (random() < 0.15) attributes |= LOG_APPEND_TIME;
  if (random() < 0.15) attributes |= GZIP;
  const firstTimestamp = near(1_764_000_000_000n, TIMESTAMP_BASES);
  return batchBytes({
    firstOffset: near(12_345_678n, OFFSET_BASES),
    firstTimestamp,
    maxTimestamp: random() < 0.5 ? firstTimestamp + 1000n : near(1_764_000_000_000n, TIMESTAMP_BASES),
    attributes,
    producerId: pick([-1n, 4242n, SAFE + 1n]),
    records,
    count: random() < 0.03 ? records.length + pick([-1, 1]) : undefined,
  });
}

/** A record set as a fetch response carries it: its size, then batches, the last possibly cut short. */
function randomRecordSet(random: () => number): Buffer {
  const batches = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomBatch(random));
  let body = Buffer.concat(batches);
  if (random() < 0.3) body = body.subarray(0, Math.floor(random() * body.length));
  return Buffer.concat([int32(body.length), body]);
}

/** Flips a few bytes: damaged input must fail (or not) exactly as upstream. */
function damage(random: () => number, buffer: Buffer): Buffer {
  const copy = Buffer.from(buffer);
  for (let i = 1 + Math.floor(random() * 3); i > 0; i--) copy[4 + Math.floor(random() * (copy.length - 4))] = Math.floor(random() * 256);
  return copy;
}

// ---- comparing outcomes: values, types, Buffer views, header key order, shared batch contexts

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

async function outcome(run: () => Promise<unknown> | unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const error = e as Error;
    return { ok: false, error: `${error.constructor.name} ${error.name}: ${error.message}` };
  }
}

/** What toStrictEqual does not see: where Buffers point, header key order, which records share a batch context. */
function shape(records: DecodedRecord[]) {
  const contexts: object[] = [];
  return records.map((r) => {
    if (!contexts.includes(r.batchContext)) contexts.push(r.batchContext);
    const view = (b: Buffer | null) => (b === null ? null : [b.constructor.name, b.byteOffset, b.length]);
    return {
      types: [typeof r.offset, typeof r.timestamp],
      key: view(r.key),
      value: view(r.value),
      headerKeys: Object.keys(r.headers),
      headerViews: Object.values(r.headers).map((v) => (Array.isArray(v) ? v.map(view) : view(v as Buffer | null))),
      headersPrototype: Object.getPrototypeOf(r.headers) === Object.prototype,
      context: contexts.indexOf(r.batchContext),
    };
  });
}

// Buffers are compared as hex (jest compares typed arrays element by element,
// slowly; shape() checks they are Buffers and where they point). A header
// named `constructor` is an own property that jest's toStrictEqual takes for
// the object's class: headers are compared as their entries (shape() checks
// their prototype and key order).
const hex = (value: unknown) => (Buffer.isBuffer(value) ? `<${value.toString('hex')}>` : value);
const comparable = (records: DecodedRecord[]) =>
  records.map((r) => ({
    ...r,
    key: hex(r.key),
    value: hex(r.value),
    headers: Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(hex) : hex(v)]),
  }));

/** Decodes `recordSet` with upstream's and the patched decoders, expects the same outcome, and returns upstream's. */
async function expectSameDecoding(recordSet: Buffer): Promise<Outcome> {
  const decode = (decodeMessages: DecodeMessages) => outcome(() => decodeMessages(new Decoder(recordSet)));
  const [expected, actual] = [await decode(upstream.decodeMessages), await decode(patched.decodeMessages)];
  const comparableOutcome = (o: Outcome) => (o.ok ? { records: comparable(o.value as DecodedRecord[]), shape: shape(o.value as DecodedRecord[]) } : o);
  expect(comparableOutcome(actual)).toStrictEqual(comparableOutcome(expected));
  return expected;
}

/**
 * Damaged input can make upstream's header loop run for up to 2^31 headers
 * (quadratic in them: each copies the object of the ones before)
 * (kafkajs reads past the end of a buffer as zeros, so a header costs nothing
 * there). The patched decoder declines such a record and hands it to
 * upstream's, so both go through Decoder#readVarIntArray with that count, and
 * a cap there bounds the test without telling them apart.
 */
function capHeaderCounts() {
  const prototype = Decoder.prototype as { readVarIntArray: (this: KafkajsDecoder & { readVarInt(): number }, reader: unknown) => unknown };
  const readVarIntArray = prototype.readVarIntArray;
  prototype.readVarIntArray = function (reader) {
    const { offset } = this;
    if (this.readVarInt() > 1000) throw new Error('test cap: over 1000 headers');
    this.offset = offset;
    return readVarIntArray.call(this, reader);
  };
  return () => {
    prototype.readVarIntArray = readVarIntArray;
  };
}

/** Filters a fetched partition's messages with upstream's and the patched Batch, and expects the same messages kept (or the same error). */
async function expectSameFilter(fetchedOffset: unknown, data: PartitionData): Promise<void> {
  const kept = (filtered: { messagesWithinOffset: unknown[]; messages: unknown[] }) =>
    [filtered.messagesWithinOffset, filtered.messages].map((messages) => messages.map((m) => data.messages.indexOf(m as PartitionData['messages'][number])));
  const expected = await outcome(() => kept(upstream.batchMessages(fetchedOffset, data)));
  const actual = await outcome(() => kept(new patched.Batch('t', fetchedOffset, data)));
  expect(actual).toStrictEqual(expected);
}

/** Counts how often the patched record decoder decodes in place and how often it hands over to upstream's. */
function countInPlace() {
  const decodeRecordAt = RecordDecoder.decodeRecordAt;
  const counts = { inPlace: 0, declined: 0, restore: () => (RecordDecoder.decodeRecordAt = decodeRecordAt) };
  RecordDecoder.decodeRecordAt = (...args) => {
    const record = decodeRecordAt(...args);
    counts[record === undefined ? 'declined' : 'inPlace']++;
    return record;
  };
  return counts;
}

describe('the kafkajs patch', () => {
  it('is applied', () => {
    for (const file of [
      ['producer', 'groupMessagesPerPartition.js'],
      ['protocol', 'encoder.js'],
      ['protocol', 'recordBatch', 'record', 'v0', 'index.js'],
      ['protocol', 'recordBatch', 'record', 'v0', 'decoder.js'],
      ['protocol', 'recordBatch', 'v0', 'decoder.js'],
      ['consumer', 'batch.js'],
    ]) {
      expect([file.join('/'), readFileSync(join(kafkajsSrc, ...file), 'utf8').includes('AuditSeal patch')]).toEqual([file.join('/'), true]);
    }
  });

  it('groups messages per partition in send order', () => {
    const messages = [0, 2, 0, 1, 2, 0].map((partition, i) => ({ partition, value: `m${i}` }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.partition });
    expect(Object.fromEntries(Object.entries(grouped).map(([p, ms]) => [p, ms.map((m) => m.value)]))).toEqual({ 0: ['m0', 'm2', 'm5'], 1: ['m3'], 2: ['m1', 'm4'] });
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });

  describe('fetched record decoding', () => {
    const record = (timestampDelta: bigint, offsetDelta: number, headers: RecordSpec['headers'] = []) =>
      recordBytes({ attributes: 0, timestampDelta: varlong(timestampDelta), offsetDelta: varint(offsetDelta), key: Buffer.from('k'), value: Buffer.from('v'), headers });
    const recordSet = (...batches: Buffer[]) => Buffer.concat([int32(Buffer.concat(batches).length), ...batches]);
    const batch = (firstOffset: bigint, firstTimestamp: bigint, records: Buffer[], attributes = 0) =>
      batchBytes({ firstOffset, firstTimestamp, maxTimestamp: firstTimestamp + 7n, attributes, producerId: -1n, records });

    it('gives offsets and timestamps as exact decimal strings, beyond 2^53 too', async () => {
      const decoded = await expectSameDecoding(
        recordSet(
          batch(SAFE - 1n, SAFE - 1n, [record(0n, 0), record(1n, 1), record(2n, 2), record(-(2n ** 60n), 3)]),
          batch(INT64_MAX - 1n, -(2n ** 63n), [record(-1n, 0), record(2n ** 62n, 1)]),
        ),
      );
      expect(decoded.ok && (decoded.value as DecodedRecord[]).map((r) => [r.offset, r.timestamp])).toEqual([
        ['9007199254740990', '9007199254740990'],
        ['9007199254740991', '9007199254740991'],
        ['9007199254740992', '9007199254740992'],
        ['9007199254740993', String(SAFE - 1n - 2n ** 60n)],
        ['9223372036854775806', '-9223372036854775809'],
        ['9223372036854775807', String(-(2n ** 63n) + 2n ** 62n)],
      ]);
    });

    it('gathers repeated header keys into arrays, in order, as upstream does', async () => {
      const headers: RecordSpec['headers'] = [
        ['a', Buffer.from('1')],
        ['b', null],
        ['a', Buffer.from('2')],
        ['toString', Buffer.from('t')],
        ['__proto__', Buffer.from('p')],
        ['__proto__', Buffer.from('q')],
        ['a', Buffer.alloc(0)],
        [null, Buffer.from('n')],
      ];
      const decoded = await expectSameDecoding(recordSet(batch(0n, 0n, [record(0n, 0, headers)])));
      const { headers: decodedHeaders } = (decoded.ok && (decoded.value as DecodedRecord[])[0]) as DecodedRecord;
      expect(Object.keys(decodedHeaders)).toEqual(['a', 'b', 'toString', '__proto__', 'null']);
      expect(decodedHeaders.a).toEqual([Buffer.from('1'), Buffer.from('2'), Buffer.alloc(0)]);
      expect(decodedHeaders.toString).toEqual([Object.prototype.toString, Buffer.from('t')]);
      expect(Object.getPrototypeOf(decodedHeaders)).toBe(Object.prototype);
    });

    it('gives LOG_APPEND_TIME batches their max timestamp, and marks control records', async () => {
      const decoded = await expectSameDecoding(
        recordSet(batch(5n, 1000n, [record(3n, 0)], LOG_APPEND_TIME), batch(6n, 1000n, [record(3n, 0)], CONTROL | TRANSACTIONAL)),
      );
      expect(decoded.ok && (decoded.value as DecodedRecord[]).map((r) => [r.timestamp, r.isControlRecord])).toEqual([
        ['1007', false],
        ['1003', true],
      ]);
    });

    it('stops at a batch cut short, and fails on a record cut short as upstream does', async () => {
      const whole = batch(10n, 10n, [record(0n, 0), record(1n, 1)]);
      const cut = await expectSameDecoding(recordSet(whole, whole.subarray(0, whole.length - 3)));
      expect(cut.ok && (cut.value as DecodedRecord[]).length).toBe(2);
      // the batch is whole but its last record says it is empty
      const empty = Buffer.from(whole);
      empty[empty.length - record(1n, 1).length] = 0;
      const failed = await expectSameDecoding(recordSet(empty));
      expect(failed.ok).toBe(false);
    });

    it('reads padded varints, and a record length with no record after it, as upstream does', async () => {
      const body = (width: number) => [
        Buffer.from([0]),
        padded(varlong(-5n), Math.max(width, 1)),
        padded(varint(1), width),
        padded(varint(1), width),
        Buffer.from('k'),
        padded(varint(-1), width),
        padded(varint(1), width),
        padded(varint(1), width),
        Buffer.from('h'),
        padded(varint(0), width),
      ];
      for (const width of [1, 4, 5, 6, 7, 8, 10]) {
        const padding = [
          [width, Buffer.concat(body(1))],
          [1, Buffer.concat(body(Math.min(width, 5)))],
          [1, Buffer.concat([Buffer.from([0]), padded(varlong(-5n), width), ...body(1).slice(2)])],
        ] as const;
        for (const [lengthWidth, r] of padding) {
          const records = [Buffer.concat([padded(varint(r.length), lengthWidth), r])];
          const decoded = await expectSameDecoding(recordSet(batch(7n, 7n, records)));
          expect(decoded.ok && (decoded.value as DecodedRecord[]).map((d) => [d.offset, d.timestamp])).toEqual([['8', '2']]);
        }
      }
      // all fields zero: read one byte off, it would still decode, with its key and value one byte off
      const zeros = await expectSameDecoding(recordSet(batch(7n, 7n, [Buffer.concat([padded(varint(6), 5), Buffer.alloc(6)])])));
      expect(zeros.ok && (zeros.value as DecodedRecord[]).map((d) => [d.offset, d.timestamp, d.key?.length])).toEqual([['7', '7', 0]]);
      const lengthOnly = await expectSameDecoding(recordSet(batch(7n, 7n, [record(0n, 0), varint(10)])));
      expect(lengthOnly.ok).toBe(false);
    });

    it('leaves records that a codec decompresses into something other than a Buffer to upstream', async () => {
      const { Codecs, Types } = require(join(kafkajsSrc, 'protocol', 'message', 'compression')); // eslint-disable-line @typescript-eslint/no-require-imports
      const zstd = Codecs[Types.ZSTD];
      Codecs[Types.ZSTD] = () => ({ decompress: async (buffer: Buffer) => new Uint8Array(buffer) });
      try {
        // An uncompressed batch's bytes, marked as compressed by that codec: it "decompresses" them as they are.
        const stored = batch(1n, 1n, [record(0n, 0)]);
        stored.writeInt16BE(Types.ZSTD, 21);
        const decoded = await expectSameDecoding(recordSet(stored));
        expect(decoded.ok).toBe(false);
      } finally {
        Codecs[Types.ZSTD] = zstd;
      }
    });

    it('declines, for upstream to decode, a record whose batch context it cannot add to exactly', async () => {
      const body = record(2n, 2).subarray(1); // without its length
      const cases: [unknown, boolean][] = [
        ['12', true],
        ['-12', true],
        ['-9007199254740993', false], // the sum would be safe, the base is not
        ['9007199254740989', true],
        ['9007199254740990', false], // + 2 is beyond 2^53 - 1
        ['012', false],
        [' 12', false],
        ['0x10', false],
        ['1e3', false],
        ['1.0', false],
        ['', false],
        ['-0', false],
        ['Infinity', false],
        [12, false],
        [undefined, false],
      ];
      for (const [firstOffset, inPlace] of cases) {
        for (const context of [{ firstOffset, firstTimestamp: '100' }, { firstOffset: '100', firstTimestamp: firstOffset }]) {
          const decoded = RecordDecoder.decodeRecordAt(body, 0, body.length, context);
          const expected = await outcome(() => comparable([upstream.RecordDecoder(new Decoder(body), context)]));
          expect([context, decoded !== undefined]).toEqual([context, inPlace]);
          if (decoded !== undefined) expect({ ok: true, value: comparable([decoded]) }).toStrictEqual(expected);
        }
      }
    });

    it('decodes randomized record sets exactly as upstream does', async () => {
      const random = mulberry32(0x5eed);
      const counts = countInPlace();
      const uncap = capHeaderCounts();
      const outcomes = { ok: 0, failed: 0 };
      try {
        for (let i = 0; i < 600; i++) {
          const set = randomRecordSet(random);
          const result = await expectSameDecoding(i % 3 === 2 ? damage(random, set) : set);
          outcomes[result.ok ? 'ok' : 'failed']++;
          const messages = result.ok ? (result.value as DecodedRecord[]) : [];
          if (messages.length > 0) {
            // and the consumer's filters of them: a fetch from one of their offsets, perhaps within an aborted transaction
            const at = () => messages[Math.floor(random() * messages.length)]!;
            const abortedTransactions = random() < 0.3 ? [{ producerId: (at().batchContext as { producerId: string }).producerId, firstOffset: String(at().offset) }] : [];
            await expectSameFilter(String(at().offset), { partition: 0, highWatermark: '0', abortedTransactions, messages });
          }
        }
      } finally {
        counts.restore();
        uncap();
      }
      // Both paths and both outcomes were exercised, not just the fallback.
      expect(counts.inPlace).toBeGreaterThan(1000);
      expect(counts.declined).toBeGreaterThan(300);
      expect(outcomes.ok).toBeGreaterThan(100);
      expect(outcomes.failed).toBeGreaterThan(20);
    });

    it('decodes randomized single batches exactly as upstream does', async () => {
      const random = mulberry32(42);
      const uncap = capHeaderCounts();
      try {
        for (let i = 0; i < 400; i++) {
          const one = randomBatch(random);
          const input = i % 2 ? damage(random, one) : one;
          const decode = (decoder: RecordBatchDecoder) =>
            outcome(async () => {
              const { records, ...batch } = await decoder(new Decoder(input));
              return { ...batch, records: comparable(records), shape: shape(records) };
            });
          const [expected, actual] = [await decode(upstream.RecordBatchDecoder), await decode(patched.recordBatchDecoder)];
          expect(actual).toStrictEqual(expected);
        }
      } finally {
        uncap();
      }
    });
  });

  describe('the fetched batch offset filter', () => {
    const partitionData = (offsets: unknown[], abortedTransactions: PartitionData['abortedTransactions'] = []): PartitionData => ({
      partition: 0,
      highWatermark: '100',
      abortedTransactions,
      messages: offsets.map((offset) => ({ offset, key: null, isControlRecord: false, batchContext: { producerId: '1', inTransaction: false } })),
    });
    it('keeps the messages at or after the fetched offset, comparing exactly', async () => {
      const offsets = ['8', '9', '10', '11', '99', '100', '999999999999999', '1000000000000000', '9007199254740993', '9007199254740992', '-1', '0'];
      for (const fetched of ['10', '9', '0', '999999999999999', '1000000000000000', '9007199254740992', '9007199254740993', '-1', 10, 9007199254740992]) {
        await expectSameFilter(fetched, partitionData(offsets));
      }
    });

    it('parses unusual offsets as upstream does, errors included', async () => {
      for (const odd of ['010', ' 12', '0x10', '+11', '1e1', '1.0', '', 'NaN', 11, 12n, '٣']) {
        await expectSameFilter('10', partitionData(['9', odd, '11']));
      }
    });

    it('filters randomized offsets exactly as upstream does, with aborted transactions', async () => {
      const random = mulberry32(7);
      const near = (base: bigint) => String(base + BigInt(Math.floor(random() * 41)) - 20n);
      for (let i = 0; i < 300; i++) {
        const base = [0n, 20n, 10n ** 15n, SAFE, INT64_MAX - 30n][i % 5]!;
        const offsets = Array.from({ length: 30 }, () => near(base));
        await expectSameFilter(near(base), partitionData(offsets, random() < 0.3 ? [{ producerId: '1', firstOffset: near(base) }] : []));
      }
    });
  });
});
