import { choiceOption, intOption, parseCommandArgs, timeOption } from './args';
import { CliError } from './errors';

describe('parseCommandArgs', () => {
  const options = { json: { type: 'boolean' as const }, out: { type: 'string' as const } };
  it('parses flags and positionals', () => {
    expect(parseCommandArgs('prove', ['id', '--out', 'f.json', '--json'], options, 1)).toEqual({ values: { out: 'f.json', json: true }, positionals: ['id'] });
  });
  describe('when a flag is unknown', () => {
    it('throws a usage error (exit 2) naming the command', () => {
      const error = (() => {
        try {
          parseCommandArgs('export', ['--colour'], options);
        } catch (e) {
          return e as CliError;
        }
        throw new Error('no error');
      })();
      expect(error).toBeInstanceOf(CliError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/^export: .*--colour/);
    });
  });
  describe('when there are too many positionals', () => {
    it('throws a usage error', () => {
      expect(() => parseCommandArgs('prove', ['a', 'b'], options, 1)).toThrow(/unexpected argument "b"/);
    });
  });
  describe('when a string flag has no value', () => {
    it('throws a usage error', () => {
      expect(() => parseCommandArgs('export', ['--out'], options)).toThrow(CliError);
    });
  });
});

describe('intOption', () => {
  it('reads a whole number in range, or the fallback', () => {
    expect(intOption({ n: '8' }, 'n', { min: 1, max: 64 })).toBe(8);
    expect(intOption({}, 'n', { min: 1, max: 64 }, 4)).toBe(4);
  });
  it('rejects non-numbers and out-of-range values', () => {
    expect(() => intOption({ n: '1.5' }, 'n', { min: 1, max: 64 })).toThrow(/--n must be a whole number/);
    expect(() => intOption({ n: '0' }, 'n', { min: 1, max: 64 })).toThrow(/between 1 and 64/);
  });
});

describe('timeOption', () => {
  it('accepts ISO times with a zone and bare dates (UTC)', () => {
    expect(timeOption({ t: '2026-11-26T10:00:00Z' }, 't')!.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(timeOption({ t: '2026-11-26T12:00:00+02:00' }, 't')!.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(timeOption({ t: '2026-11-26' }, 't')!.toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });
  it('rejects times without a zone and nonsense', () => {
    expect(() => timeOption({ t: '2026-11-26T10:00:00' }, 't')).toThrow(/--t must be an ISO 8601 time/);
    expect(() => timeOption({ t: 'yesterday' }, 't')).toThrow(CliError);
    expect(() => timeOption({ t: '2026-13-01' }, 't')).toThrow(CliError);
  });
});

describe('choiceOption', () => {
  it('returns the choice or the fallback, and rejects others', () => {
    expect(choiceOption({ f: 'csv' }, 'f', ['jsonl', 'csv'], 'jsonl')).toBe('csv');
    expect(choiceOption({}, 'f', ['jsonl', 'csv'], 'jsonl')).toBe('jsonl');
    expect(() => choiceOption({ f: 'xml' }, 'f', ['jsonl', 'csv'], 'jsonl')).toThrow(/one of jsonl, csv/);
  });
});
