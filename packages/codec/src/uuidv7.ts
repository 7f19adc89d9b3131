import { randomFillSync } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562 section 5.7): 48-bit Unix timestamp in milliseconds,
 * version 7, then 74 bits that are random except for a counter.
 *
 * Monotonicity (RFC 9562 section 6.2, method 1, "fixed bit-length dedicated
 * counter"): the 12 bits of rand_a and the top 30 bits of rand_b form a 42-bit
 * counter, seeded randomly (top bit clear, leaving room to count) on each new
 * millisecond and incremented within one. If the clock goes backwards the last
 * timestamp is reused; if the counter overflows, the timestamp advances by one
 * millisecond. The remaining 32 bits are fresh random bits in every id. So ids
 * from one generator sort strictly in creation order, as strings too.
 */
export interface UuidV7Generator {
  /** A new UUIDv7 for the time `nowMs` (milliseconds since the Unix epoch). */
  next(nowMs?: number): string;
}

const COUNTER_BITS = 42;
const COUNTER_MAX = 2 ** COUNTER_BITS - 1;
const MAX_TIMESTAMP = 2 ** 48 - 1;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each byte's two hex digits go in the 36-character text (8-4-4-4-12). */
const TEXT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** `randomFill` fills its argument with random bytes; tests inject a deterministic one. */
export function createUuidV7Generator(randomFill: (bytes: Uint8Array) => void = randomFillSync): UuidV7Generator {
  let lastMs = -1;
  let counter = 0;
  const pool = new Uint8Array(256 * 10);
  let poolPos = pool.length;
  const random = new Uint8Array(10);
  const bytes = new Uint8Array(16);
  // The text is written into a buffer and read out once: a flat string, which is
  // cheaper to produce and to match (isUuidV7) than one concatenated piece by piece.
  const text = Buffer.alloc(36, 0x2d);

  function fillRandom(): void {
    if (poolPos + random.length > pool.length) {
      randomFill(pool);
      poolPos = 0;
    }
    for (let i = 0; i < random.length; i++) random[i] = pool[poolPos + i]!;
    poolPos += random.length;
  }

  return {
    next(nowMs: number = Date.now()): string {
      if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs > MAX_TIMESTAMP) {
        throw new RangeError(`uuidv7: timestamp ${nowMs} is not an integer millisecond in [0, 2^48)`);
      }
      fillRandom();
      if (nowMs > lastMs) {
        lastMs = nowMs;
        // 41 random bits: the counter starts in its lower half.
        counter = (random[4]! & 0x01) * 2 ** 40 + (random[5]! * 2 ** 32) + ((random[6]! << 24) >>> 0) + (random[7]! << 16) + (random[8]! << 8) + random[9]!;
      } else if (counter < COUNTER_MAX) {
        counter++;
      } else {
        lastMs = Math.min(lastMs + 1, MAX_TIMESTAMP);
        counter = 0;
      }
      // unix_ts_ms: 48 bits, big-endian.
      const high = Math.floor(lastMs / 2 ** 16);
      bytes[0] = (high >>> 24) & 0xff;
      bytes[1] = (high >>> 16) & 0xff;
      bytes[2] = (high >>> 8) & 0xff;
      bytes[3] = high & 0xff;
      bytes[4] = (lastMs >>> 8) & 0xff;
      bytes[5] = lastMs & 0xff;
      // Counter bits 41..30 -> rand_a (12 bits) after the version nibble.
      const counterHigh = Math.floor(counter / 2 ** 30); // 12 bits
      const counterLow = counter % 2 ** 30; // 30 bits
      bytes[6] = 0x70 | (counterHigh >>> 8);
      bytes[7] = counterHigh & 0xff;
      // Variant 0b10, then counter bits 29..0, then 32 random bits.
      bytes[8] = 0x80 | (counterLow >>> 24);
      bytes[9] = (counterLow >>> 16) & 0xff;
      bytes[10] = (counterLow >>> 8) & 0xff;
      bytes[11] = counterLow & 0xff;
      bytes.set(random.subarray(0, 4), 12);
      return format(bytes, text);
    },
  };
}

/** Lowercase 8-4-4-4-12 hex text of 16 bytes, written into `text` (whose dashes are in place). */
function format(b: Uint8Array, text: Buffer): string {
  for (let i = 0; i < 16; i++) {
    const at = TEXT_OFFSETS[i]!;
    text[at] = HEX_DIGITS[b[i]! >>> 4]!;
    text[at + 1] = HEX_DIGITS[b[i]! & 0x0f]!;
  }
  return text.toString('latin1');
}

const defaultGenerator = createUuidV7Generator();

/** A new UUIDv7 (lowercase canonical text), monotonic within this process. */
export function uuidv7(nowMs?: number): string {
  return defaultGenerator.next(nowMs);
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a UUIDv7 in canonical lowercase text form (8-4-4-4-12 hex digits, version 7, variant 10). */
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}

/** The millisecond timestamp of a UUIDv7, or undefined when `value` is not one. */
export function uuidV7Timestamp(value: string): number | undefined {
  if (!isUuidV7(value)) return undefined;
  return parseInt(value.slice(0, 8) + value.slice(9, 13), 16);
}
