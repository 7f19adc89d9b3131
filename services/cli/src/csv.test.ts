import { csvField, csvRecord } from './csv';

describe('csvField', () => {
  describe('when the value needs no quoting', () => {
    it('returns it as is', () => {
      expect(csvField('plain text 1.5')).toBe('plain text 1.5');
      expect(csvField('')).toBe('');
    });
  });
  describe('when the value holds a comma, quote, CR or LF (RFC 4180 §2.6–2.7)', () => {
    it('quotes it and doubles inner quotes', () => {
      expect(csvField('a,b')).toBe('"a,b"');
      expect(csvField('say "hi"')).toBe('"say ""hi"""');
      expect(csvField('line1\nline2')).toBe('"line1\nline2"');
      expect(csvField('cr\r')).toBe('"cr\r"');
      expect(csvField('{"amount":"1"}')).toBe('"{""amount"":""1""}"');
    });
  });
});

describe('csvRecord', () => {
  it('joins fields with commas and ends with CRLF', () => {
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });
});
