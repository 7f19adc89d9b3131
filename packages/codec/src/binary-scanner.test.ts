import { analyzeSchema } from './avro-schema';
import { scanBinary } from './binary-scanner';
import type { CodecError } from './errors';

function scan(schema: unknown, bytes: number[], limit = 1024): string {
  try {
    scanBinary(analyzeSchema(schema).root, Buffer.from(bytes), 0, limit);
    return 'ok';
  } catch (err) {
    return (err as CodecError).code;
  }
}

describe('scanBinary', () => {
  describe('varints', () => {
    it.each([
      ['0', [0x00], 'ok'],
      ['-1', [0x01], 'ok'],
      ['2^53 - 2 (zig-zag 2^54 - 4)', [0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], 'ok'],
      ['-(2^53 - 2)', [0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], 'ok'],
      ['2^53 - 1, which avsc would not read', [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], 'long_out_of_range'],
      ['-(2^53 - 1)', [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], 'long_out_of_range'],
      ['2^53', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20], 'long_out_of_range'],
      ['-(2^53)', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f], 'long_out_of_range'],
      ['2^63 - 1', [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'long_out_of_range'],
      ['more than 64 bits', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 'malformed'],
      ['more than 10 bytes', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 'malformed'],
      ['cut short', [0x80], 'truncated'],
    ])('long %s → %s', (_what, bytes, expected) => {
      expect(scan('long', bytes)).toBe(expected);
    });

    it('rejects ints beyond 32 bits', () => {
      expect(scan('int', [0xfe, 0xff, 0xff, 0xff, 0x0f])).toBe('ok'); // 2^31 - 1
      expect(scan('int', [0x80, 0x80, 0x80, 0x80, 0x10])).toBe('malformed'); // 2^31
    });
  });

  describe('lengths and counts', () => {
    it('calls a length past the end truncated, and one past the size limit malformed', () => {
      expect(scan('bytes', [0x0a, 1, 2])).toBe('truncated');
      expect(scan('bytes', [0xfe, 0xff, 0xff, 0xff, 0x0f])).toBe('malformed'); // 2^31 - 1 > the 1024-byte limit
      expect(scan('bytes', [0x01])).toBe('malformed'); // -1
    });

    it('bounds a forged map count by the bytes present', () => {
      // 2^50 entries claimed, 3 bytes present.
      expect(scan({ type: 'map', values: 'string' }, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x04, 0, 0, 0])).toBe('malformed');
      expect(scan({ type: 'map', values: 'string' }, [0x14, 0x00, 0x00])).toBe('truncated');
    });

    it('bounds a forged count of zero-byte items', () => {
      expect(scan({ type: 'array', items: 'null' }, [0x06, 0x00])).toBe('ok');
      expect(scan({ type: 'array', items: 'null' }, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x04, 0x00])).toBe('malformed');
    });

    it('checks the byte size of negative-count blocks', () => {
      expect(scan({ type: 'array', items: 'int' }, [0x03, 0x04, 0x02, 0x04, 0x00])).toBe('ok'); // -2 items, 2 bytes
      expect(scan({ type: 'array', items: 'int' }, [0x03, 0x06, 0x02, 0x04, 0x00, 0x00])).toBe('malformed');
    });
  });

  describe('other values', () => {
    it.each([
      ['boolean 2', 'boolean', [0x02], 'malformed'],
      ['union branch out of range', ['null', 'int'], [0x04], 'malformed'],
      ['negative union branch', ['null', 'int'], [0x01], 'malformed'],
      ['enum index out of range', { type: 'enum', name: 'E', symbols: ['A'] }, [0x02], 'malformed'],
      ['short fixed', { type: 'fixed', name: 'F', size: 4 }, [1, 2, 3], 'truncated'],
      ['invalid UTF-8', 'string', [0x04, 0xc3, 0x28], 'malformed'],
      ['trailing bytes', 'int', [0x02, 0x00], 'malformed'],
      ['short double', 'double', [0, 0, 0, 0], 'truncated'],
    ])('%s → %s', (_what, schema, bytes, expected) => {
      expect(scan(schema, bytes)).toBe(expected);
    });

    it('bounds nesting of recursive schemas', () => {
      const list = { type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] };
      expect(scan(list, [0x02, 0x02, 0x00])).toBe('ok');
      expect(scan(list, [...Array<number>(100).fill(0x02), 0x00])).toBe('malformed');
    });
  });
});
