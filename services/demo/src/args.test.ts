import { DEFAULTS, UsageError, parseArgs } from './args';

const seed = () => 42;

describe('parseArgs', () => {
  describe('when run is the command (the default)', () => {
    it('without options: emits at the endless rate until Ctrl-C', () => {
      expect(parseArgs([], seed)).toEqual({ command: 'run', events: undefined, exit: false, rate: DEFAULTS.endlessRate, badRecords: DEFAULTS.badRecords, timeoutSeconds: DEFAULTS.timeoutSeconds, seed: 42, partitions: 4 });
    });

    it('--events N --exit: N events as fast as possible, then exits', () => {
      expect(parseArgs(['--events', '20000', '--exit'], seed)).toMatchObject({ command: 'run', events: 20_000, exit: true, rate: undefined });
      expect(parseArgs(['run', '--events=5', '--exit', '--timeout', '60', '--seed', '7', '--bad-events', '0'], seed)).toMatchObject({ events: 5, exit: true, timeoutSeconds: 60, seed: 7, badRecords: 0 });
    });

    it('--exit alone uses the default event count', () => {
      expect(parseArgs(['--exit'], seed)).toMatchObject({ events: DEFAULTS.exitEvents, exit: true });
    });

    it('--events without --exit emits N as fast as possible and keeps running', () => {
      expect(parseArgs(['--events', '100'], seed)).toMatchObject({ events: 100, exit: false, rate: undefined });
    });

    it('--help and -h ask for the run help', () => {
      expect(parseArgs(['--help'], seed)).toEqual({ command: 'help', topic: 'run' });
      expect(parseArgs(['run', '-h'], seed)).toEqual({ command: 'help', topic: 'run' });
      expect(parseArgs(['help'], seed)).toEqual({ command: 'help', topic: 'main' });
    });

    it.each([
      [['--events'], '--events needs a value'],
      [['--events', '--exit'], '--events needs a value'],
      [['--events', '0'], '--events must be between 1 and 10000000'],
      [['--events', '1e3'], '--events must be a whole number'],
      [['--events', '12abc'], '--events must be a whole number'],
      [['--events', '99999999999'], '--events must be between'],
      [['--rate', '-5'], '--rate must be between 1'],
      [['--bad-events', '1001'], '--bad-events must be between 0 and 1000'],
      [['--timeout', '30'], '--timeout only applies with --exit'],
      [['--exit', '--timeout', '0'], '--timeout must be between 1'],
      [['--exit=yes'], '--exit takes no value'],
      [['--events', '1', '--events', '2'], '--events given twice'],
      [['--frobnicate'], 'unknown option --frobnicate'],
      [['stray'], 'unknown command "stray"'],
      [['run', 'stray'], 'unexpected argument "stray"'],
    ])('%j is a usage error: %s', (argv, message) => {
      expect(() => parseArgs(argv, seed)).toThrow(UsageError);
      expect(() => parseArgs(argv, seed)).toThrow(message);
    });
  });

  describe('when produce is the command', () => {
    it('defaults: endless at the produce rate, one bad record every badEvery events', () => {
      expect(parseArgs(['produce'], seed)).toEqual({ command: 'produce', events: undefined, rate: DEFAULTS.produceRate, badRecords: DEFAULTS.badRecords, badEvery: DEFAULTS.badEvery, seed: 42 });
    });

    it('takes --events, --rate, --bad-events, --seed', () => {
      expect(parseArgs(['produce', '--events', '50', '--rate', '1000', '--bad-events', '2', '--seed', '3'], seed)).toMatchObject({ events: 50, rate: 1000, badRecords: 2, seed: 3 });
      expect(parseArgs(['produce', '--bad-every', '0'], seed)).toMatchObject({ events: undefined, badEvery: 0 });
    });

    it('refuses options of the other mode and run-only options', () => {
      expect(() => parseArgs(['produce', '--bad-events', '2'], seed)).toThrow('--bad-events needs --events');
      expect(() => parseArgs(['produce', '--events', '5', '--bad-every', '2'], seed)).toThrow('--bad-every is for endless runs');
      expect(() => parseArgs(['produce', '--exit'], seed)).toThrow('unknown option --exit');
      expect(parseArgs(['produce', '--help'], seed)).toEqual({ command: 'help', topic: 'produce' });
    });
  });
});
