'use strict'
// Times kafkajs's consumer-side decoding of fetched records, upstream (the copy
// in packages/kafka/src/kafkajs-upstream-decoding.fixture.js) against the
// patched kafkajs that pnpm install applied, interleaved, and prints the median
// µs per delivered record of each. The record sets are made by kafkajs's own
// encoders: 500-byte values, 1000 records per batch, two headers on every fourth record,
// transactional batches each followed by a commit marker, and a partial batch
// at the end of every partition's data, as a fetch cut by maxBytes leaves it.
// Each round decodes them as the consumer does: fetch/v4/decodeMessages, then
// the filters of consumer/batch.js's constructor.
//   node patches/bench-decode.js [rounds=15]   (--cpu-prof to profile)
const { dirname, join } = require('node:path')

const kafkaPackage = join(__dirname, '..', 'packages', 'kafka')
const src = join(dirname(require.resolve('kafkajs/package.json', { paths: [kafkaPackage] })), 'src')
const Long = require(join(src, 'utils', 'long'))
const Decoder = require(join(src, 'protocol', 'decoder'))
const Record = require(join(src, 'protocol', 'recordBatch', 'record', 'v0'))
const { RecordBatch } = require(join(src, 'protocol', 'recordBatch', 'v0'))
const decodeMessages = require(join(src, 'protocol', 'requests', 'fetch', 'v4', 'decodeMessages'))
const Batch = require(join(src, 'consumer', 'batch'))
const upstream = require(join(kafkaPackage, 'src', 'kafkajs-upstream-decoding.fixture.js'))

const PARTITIONS = 4
const BATCHES = 3
const RECORDS = 1000
const CONTROL_FLAG = 0x20
const ATTRIBUTES_AT = 21 // firstOffset(8) length(4) leaderEpoch(4) magic(1) crc(4)

const batchBuffer = async ({ firstOffset, firstTimestamp, transactional, records }) => {
  const encoded = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp,
    maxTimestamp: firstTimestamp + records.length,
    lastOffsetDelta: records.length - 1,
    transactional,
    producerId: Long.fromValue(transactional ? 4242 : -1),
    records,
  })
  return Buffer.from(encoded.buffer)
}

const recordSet = async (partition, firstOffset) => {
  const parts = []
  let offset = firstOffset
  const timestamp = 1_764_000_000_000 + partition * 1000
  for (let b = 0; b <= BATCHES; b++) {
    const transactional = b % 2 === 0
    const records = Array.from({ length: RECORDS }, (_, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: i >> 3,
        key: Buffer.from(`chain-${partition}-${offset + i}`),
        value: Buffer.alloc(500, (offset + i) & 0xff),
        headers: i % 4 === 0 ? { 'content-type': 'application/avro', 'trace-id': `t-${offset + i}` } : {},
      })
    )
    const batch = await batchBuffer({ firstOffset: offset, firstTimestamp: timestamp + b, transactional, records })
    offset += RECORDS
    if (b === BATCHES) {
      parts.push(batch.subarray(0, batch.length >> 1)) // cut by maxBytes
      break
    }
    parts.push(batch)
    if (transactional) {
      const marker = await batchBuffer({
        firstOffset: offset++,
        firstTimestamp: timestamp + b,
        transactional: true,
        records: [Record({ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) })],
      })
      marker.writeInt16BE(marker.readInt16BE(ATTRIBUTES_AT) | CONTROL_FLAG, ATTRIBUTES_AT)
      parts.push(marker)
    }
  }
  const body = Buffer.concat(parts)
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

const patched = {
  decodeMessages,
  batchMessages: (fetchedOffset, partitionData) => new Batch('t', fetchedOffset, partitionData).messages,
}
const original = {
  decodeMessages: upstream.decodeMessages,
  batchMessages: (fetchedOffset, partitionData) => upstream.batchMessages(fetchedOffset, partitionData).messages,
}

const decodeAll = async (impl, sets) => {
  let count = 0
  for (const { fetchedOffset, buffer } of sets) {
    const messages = await impl.decodeMessages(new Decoder(buffer))
    count += impl.batchMessages(fetchedOffset, { partition: 0, highWatermark: '0', abortedTransactions: [], messages }).length
  }
  return count
}

const time = async (impl, sets, repeats) => {
  const start = process.hrtime.bigint()
  let records = 0
  for (let i = 0; i < repeats; i++) records += await decodeAll(impl, sets)
  return Number(process.hrtime.bigint() - start) / 1000 / records
}

const median = values => [...values].sort((a, b) => a - b)[values.length >> 1]

const main = async () => {
  const rounds = Number(process.argv[2] || 15)
  const sets = []
  for (let p = 0; p < PARTITIONS; p++) {
    const fetchedOffset = 12_345_678 + p * 1_000_000
    // The fetch starts 10 records into the first batch, as after a seek.
    sets.push({ fetchedOffset: String(fetchedOffset + 10), buffer: await recordSet(p, fetchedOffset) })
  }
  const [a, b] = [await decodeAll(original, sets), await decodeAll(patched, sets)]
  if (a !== b) throw new Error(`upstream delivers ${a} records, patched ${b}`)
  for (let i = 0; i < 3; i++) await time(original, sets, 2), await time(patched, sets, 2) // warm-up
  const results = { upstream: [], patched: [] }
  for (let r = 0; r < rounds; r++) {
    for (const [name, impl] of r % 2 ? [['patched', patched], ['upstream', original]] : [['upstream', original], ['patched', patched]]) {
      results[name].push(await time(impl, sets, 3))
    }
  }
  const [before, after] = [median(results.upstream), median(results.patched)]
  console.log(`${a} records delivered per round of ${PARTITIONS} partitions, ${rounds} rounds`)
  console.log(`upstream ${before.toFixed(3)} µs/record, patched ${after.toFixed(3)} µs/record: ${(before / after).toFixed(2)}x`)
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
