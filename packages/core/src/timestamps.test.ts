import { formatTimestamp, parseTimestamp } from './timestamps';

describe('formatTimestamp', () => {
  describe('when given a valid date', () => {
    it('writes YYYY-MM-DDTHH:MM:SS.sssZ', () => {
      expect(formatTimestamp(new Date(Date.UTC(2026, 10, 26, 23, 36, 18, 5)))).toBe('2026-11-26T23:36:18.005Z');
    });
  });

  describe('when the date is invalid or outside years 0000-9999', () => {
    it('throws invalid_timestamp', () => {
      expect(() => formatTimestamp(new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }));
      expect(() => formatTimestamp(new Date(Date.UTC(10000, 0, 1)))).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }));
      expect(() => formatTimestamp('2026' as never)).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }));
    });
  });
});

describe('parseTimestamp', () => {
  describe('when canonical is required', () => {
    it('accepts only the canonical form', () => {
      expect(parseTimestamp('2026-01-02T03:04:05.678Z', { canonical: true }).getTime()).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
      for (const t of ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.6Z', '2026-01-02t03:04:05.678Z', '2026-01-02T03:04:05.678z']) {
        expect(() => parseTimestamp(t, { canonical: true })).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }));
      }
    });
  });

  describe('when lenient', () => {
    it('accepts 0-3 fractional digits', () => {
      expect(parseTimestamp('2026-01-02T03:04:05Z', { canonical: false }).toISOString()).toBe('2026-01-02T03:04:05.000Z');
      expect(parseTimestamp('2026-01-02T03:04:05.6Z', { canonical: false }).toISOString()).toBe('2026-01-02T03:04:05.600Z');
    });
  });

  describe('when the value is not a real UTC time', () => {
    it.each([
      '2026-02-29T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T00:00:00.000+00:00',
      '2026-01-01 00:00:00.000Z',
      '2026-01-01T00:00:00.0000Z',
      '+02026-01-01T00:00:00.000Z',
      '',
    ])('rejects %j', (t) => {
      expect(() => parseTimestamp(t, { canonical: false })).toThrow(expect.objectContaining({ code: 'invalid_timestamp' }));
    });

    it('accepts 29 February in a leap year', () => {
      expect(parseTimestamp('2028-02-29T00:00:00.000Z', { canonical: true }).getUTCDate()).toBe(29);
    });
  });
});
