/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema
 * fingerprints ("Schema Fingerprints", https://avro.apache.org/docs/1.12.0/specification/#schema-fingerprints).
 * Table-driven, as in the specification's reference code; results are unsigned 64-bit.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK_64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      // fp >>> 1 ^ (EMPTY & -(fp & 1)): xor the polynomial in when the low bit is set.
      fp = (fp >> 1n) ^ ((fp & 1n) === 1n ? EMPTY : 0n);
    }
    table.push(fp & MASK_64);
  }
  return table;
})();

/** CRC-64-AVRO of `data` as an unsigned 64-bit integer. */
export function crc64Avro(data: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of data) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  }
  return fp;
}

/** `0x` followed by 16 lowercase hex digits: how fingerprints appear in messages and vectors. */
export function formatFingerprint(fingerprint: bigint): string {
  return `0x${fingerprint.toString(16).padStart(16, '0')}`;
}
