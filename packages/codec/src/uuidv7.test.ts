import { createUuidV7Generator, isUuidV7, uuidv7, uuidV7Timestamp } from './uuidv7';

describe('uuidv7', () => {
  it('has version 7, variant 10 and the given millisecond timestamp (RFC 9562 section 5.7)', () => {
    const now = Date.UTC(2025, 0, 15, 12);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV7Timestamp(id)).toBe(now);
    expect(isUuidV7(id)).toBe(true);
  });

  describe('when many ids share a millisecond', () => {
    it('sorts them in creation order', () => {
      const generator = createUuidV7Generator();
      const ids = Array.from({ length: 10_000 }, () => generator.next(1_700_000_000_000));
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('when the clock goes backwards', () => {
    it('keeps the last timestamp, so ids still increase', () => {
      const generator = createUuidV7Generator();
      const a = generator.next(2_000_000);
      const b = generator.next(1_000_000);
      expect(b > a).toBe(true);
      expect(uuidV7Timestamp(b)).toBe(2_000_000);
    });
  });

  describe('when the random source is stuck', () => {
    it('still increases within the millisecond (the counter, not the randomness, orders ids)', () => {
      const generator = createUuidV7Generator((bytes) => bytes.fill(0xff));
      const ids = Array.from({ length: 1000 }, () => generator.next(5));
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => uuidV7Timestamp(id) === 5)).toBe(true);
    });
  });

  it('writes each byte as two lowercase hex digits, the 32 random bits last', () => {
    const generator = createUuidV7Generator((bytes) => bytes.forEach((_, i) => (bytes[i] = (i * 37 + 0xa5) & 0xff)));
    const id = generator.next(0xfedcba987654);
    expect(id.slice(0, 13)).toBe('fedcba98-7654');
    expect(id.slice(-8)).toBe('a5caef14');
    expect(generator.next(0xfedcba987654).slice(-8)).toBe('173c6186');
  });

  it('rejects timestamps outside 48 bits', () => {
    expect(() => uuidv7(-1)).toThrow(RangeError);
    expect(() => uuidv7(2 ** 48)).toThrow(RangeError);
    expect(() => uuidv7(1.5)).toThrow(RangeError);
  });
});

describe('isUuidV7', () => {
  it.each([
    ['a v4 uuid', '3b241101-e2bb-4255-8caf-4136c566a962', false],
    ['upper case', '019468A1-F800-7ABC-8DEF-0123456789AB', false],
    ['wrong variant', '019468a1-f800-7abc-cdef-0123456789ab', false],
    ['no dashes', '019468a1f8007abc8def0123456789ab', false],
    ['a number', 42, false],
    ['a canonical v7', '019468a1-f800-7abc-8def-0123456789ab', true],
  ])('%s → %s', (_what, value, expected) => {
    expect(isUuidV7(value)).toBe(expected);
  });
});
