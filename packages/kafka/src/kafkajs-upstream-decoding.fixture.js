// Upstream kafkajs 2.2.4's fetch-path record decoding, copied verbatim (apart
// from the requires, the names of the exports and a few comments) so that
// kafkajs-patch.test.ts and patches/bench-decode.js can compare the patched
// decoders with the code they replace:
// src/protocol/requests/fetch/v4/decodeMessages.js,
// src/protocol/recordBatch/v0/decoder.js,
// src/protocol/recordBatch/record/v0/decoder.js and the message filter of
// src/consumer/batch.js's constructor. The helpers it requires (Decoder, Long,
// errors, compression, header decoder, filterAbortedMessages, MessageSet
// decoder) are ones the patch leaves as they are.
const { dirname, join } = require('node:path')

const src = join(dirname(require.resolve('kafkajs/package.json')), 'src')
const Decoder = require(join(src, 'protocol', 'decoder'))
const Long = require(join(src, 'utils', 'long'))
const { KafkaJSPartialMessageError } = require(join(src, 'errors'))
const { lookupCodecByAttributes } = require(join(src, 'protocol', 'message', 'compression'))
const HeaderDecoder = require(join(src, 'protocol', 'recordBatch', 'header', 'v0', 'decoder'))
const TimestampTypes = require(join(src, 'protocol', 'timestampTypes'))
const MessageSetDecoder = require(join(src, 'protocol', 'messageSet', 'decoder'))
const filterAbortedMessages = require(join(src, 'consumer', 'filterAbortedMessages'))

// src/protocol/recordBatch/record/v0/decoder.js
const RecordDecoder = (decoder, batchContext = {}) => {
  const {
    firstOffset,
    firstTimestamp,
    magicByte,
    isControlBatch = false,
    timestampType,
    maxTimestamp,
  } = batchContext
  const attributes = decoder.readInt8()

  const timestampDelta = decoder.readVarLong()
  const timestamp =
    timestampType === TimestampTypes.LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : Long.fromValue(firstTimestamp)
          .add(timestampDelta)
          .toString()

  const offsetDelta = decoder.readVarInt()
  const offset = Long.fromValue(firstOffset)
    .add(offsetDelta)
    .toString()

  const key = decoder.readVarIntBytes()
  const value = decoder.readVarIntBytes()
  const headers = decoder.readVarIntArray(HeaderDecoder).reduce(
    (obj, { key, value }) => ({
      ...obj,
      [key]:
        obj[key] === undefined
          ? value
          : Array.isArray(obj[key])
          ? obj[key].concat([value])
          : [obj[key], value],
    }),
    {}
  )

  return {
    magicByte,
    attributes, // Record level attributes are presently unused
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: isControlBatch,
    batchContext,
  }
}

// src/protocol/recordBatch/v0/decoder.js
const TIMESTAMP_TYPE_FLAG_MASK = 0x8
const TRANSACTIONAL_FLAG_MASK = 0x10
const CONTROL_FLAG_MASK = 0x20

const RecordBatchDecoder = async fetchDecoder => {
  const firstOffset = fetchDecoder.readInt64().toString()
  const length = fetchDecoder.readInt32()
  const decoder = fetchDecoder.slice(length)
  fetchDecoder.forward(length)

  const remainingBytes = Buffer.byteLength(decoder.buffer)

  if (remainingBytes < length) {
    throw new KafkaJSPartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`
    )
  }

  const partitionLeaderEpoch = decoder.readInt32()
  const magicByte = decoder.readInt8()
  const crc = decoder.readInt32() // eslint-disable-line no-unused-vars

  const attributes = decoder.readInt16()
  const lastOffsetDelta = decoder.readInt32()
  const firstTimestamp = decoder.readInt64().toString()
  const maxTimestamp = decoder.readInt64().toString()
  const producerId = decoder.readInt64().toString()
  const producerEpoch = decoder.readInt16()
  const firstSequence = decoder.readInt32()

  const inTransaction = (attributes & TRANSACTIONAL_FLAG_MASK) > 0
  const isControlBatch = (attributes & CONTROL_FLAG_MASK) > 0
  const timestampType =
    (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0
      ? TimestampTypes.LOG_APPEND_TIME
      : TimestampTypes.CREATE_TIME

  const codec = lookupCodecByAttributes(attributes)

  const recordContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction,
    isControlBatch,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType,
  }

  const records = await decodeRecords(codec, decoder, { ...recordContext, magicByte })

  return {
    ...recordContext,
    records,
  }
}

const decodeRecords = async (codec, recordsDecoder, recordContext) => {
  if (!codec) {
    return recordsDecoder.readArray(decoder => decodeRecord(decoder, recordContext))
  }

  const length = recordsDecoder.readInt32()

  if (length <= 0) {
    return []
  }

  const compressedRecordsBuffer = recordsDecoder.readAll()
  const decompressedRecordBuffer = await codec.decompress(compressedRecordsBuffer)
  const decompressedRecordDecoder = new Decoder(decompressedRecordBuffer)
  const records = new Array(length)

  for (let i = 0; i < length; i++) {
    records[i] = decodeRecord(decompressedRecordDecoder, recordContext)
  }

  return records
}

const decodeRecord = (decoder, recordContext) => {
  const recordBuffer = decoder.readVarIntBytes()
  return RecordDecoder(new Decoder(recordBuffer), recordContext)
}

// src/protocol/requests/fetch/v4/decodeMessages.js
const MAGIC_BYTE = 2
const MAGIC_OFFSET = 16
const RECORD_BATCH_OVERHEAD = 49

const decodeMessages = async decoder => {
  const messagesSize = decoder.readInt32()

  if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) {
    return []
  }

  const messagesBuffer = decoder.readBytes(messagesSize)
  const messagesDecoder = new Decoder(messagesBuffer)
  const magicByte = messagesBuffer.slice(MAGIC_OFFSET).readInt8(0)

  if (magicByte === MAGIC_BYTE) {
    const records = []

    while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
      try {
        const recordBatch = await RecordBatchDecoder(messagesDecoder)
        records.push(...recordBatch.records)
      } catch (e) {
        if (e.name === 'KafkaJSPartialMessageError') {
          break
        }

        throw e
      }
    }

    return records
  }

  return MessageSetDecoder(messagesDecoder, messagesSize)
}

// src/consumer/batch.js, the constructor's filters
const batchMessages = (fetchedOffset, { abortedTransactions, messages }) => {
  const longFetchedOffset = Long.fromValue(fetchedOffset)
  const messagesWithinOffset = messages.filter(message =>
    Long.fromValue(message.offset).gte(longFetchedOffset)
  )
  return {
    messagesWithinOffset,
    messages: filterAbortedMessages({
      messages: messagesWithinOffset,
      abortedTransactions,
    }).filter(message => !message.isControlRecord),
  }
}

module.exports = { RecordDecoder, RecordBatchDecoder, decodeMessages, batchMessages }
