import { BEGIN_MARKER, END_MARKER, formatDuration, judge, renderConsoleTable, renderGeneratedSection, renderMarkdownTable, replaceGeneratedSection, type ScenarioResult } from './report';

const result = (overrides: Partial<ScenarioResult> = {}): ScenarioResult => ({
  index: 1,
  scenario: 'broker SIGKILL',
  faults: 'SIGKILL broker 2',
  produced: 15_000,
  sealed: 15_000,
  archived: 15_000,
  lost: 0,
  duplicated: 0,
  findings: '0 raised; 0 open after recovery',
  durationSeconds: 61.4,
  passed: true,
  failedChecks: [],
  notes: [],
  ...overrides,
});

describe('renderMarkdownTable', () => {
  it('orders rows by index, formats counts, escapes pipes and marks failures', () => {
    const table = renderMarkdownTable([result({ index: 2, scenario: 'a | b', sealed: null, archived: null, passed: false, failedChecks: ['lost = 0', 'lag alert fired'] }), result()]);
    const lines = table.split('\n');
    expect(lines[0]).toContain('| lost | duplicated | findings |');
    expect(lines[2]).toContain('| 1 | broker SIGKILL | SIGKILL broker 2 | 15,000 | 15,000 | 15,000 | 0 | 0 |');
    expect(lines[3]).toContain('| 2 | a \\| b |');
    expect(lines[3]).toContain('| — | — |');
    expect(lines[3]).toMatch(/\| \*\*FAIL\*\*: lost = 0; lag alert fired \|$/);
  });
});

describe('renderGeneratedSection', () => {
  it('holds the run facts, the table and the notes between the markers', () => {
    const section = renderGeneratedSection([result({ notes: ['leader moved'] })], { date: '2026-11-27T04:00:00Z', machine: 'linux x64, 2 CPUs', totalSeconds: 412, seed: 7, command: 'npm run test:faults' });
    expect(section.startsWith(BEGIN_MARKER)).toBe(true);
    expect(section.endsWith(END_MARKER)).toBe(true);
    expect(section).toContain('2026-11-27T04:00:00Z on linux x64, 2 CPUs; total 6 min 52 s');
    expect(section).toContain('random seed 7');
    expect(section).toContain('- **1. broker SIGKILL**: leader moved');
  });
});

describe('replaceGeneratedSection', () => {
  describe('when the document has the markers', () => {
    it('replaces only what is between them', () => {
      const doc = `# Title\nprose\n${BEGIN_MARKER}\nold\n${END_MARKER}\nmore prose\n`;
      expect(replaceGeneratedSection(doc, `${BEGIN_MARKER}\nnew\n${END_MARKER}`)).toBe(`# Title\nprose\n${BEGIN_MARKER}\nnew\n${END_MARKER}\nmore prose\n`);
    });
  });

  describe('when it has none', () => {
    it('appends the section', () => {
      expect(replaceGeneratedSection('# Title\n', 'S')).toBe('# Title\n\nS\n');
    });
  });
});

describe('renderConsoleTable', () => {
  it('aligns the columns', () => {
    const lines = renderConsoleTable([result(), result({ index: 5, scenario: 'bad input storm' })]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]!.indexOf('SIGKILL broker 2')).toBe(lines[3]!.indexOf('SIGKILL broker 2'));
  });
});

describe('formatDuration', () => {
  it('prints seconds, then minutes and seconds', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(605)).toBe('10 min 05 s');
  });
});

describe('judge', () => {
  it('passes when every check holds and lists the ones that do not', () => {
    expect(judge({ 'lost = 0': true, 'duplicated = 0': true })).toEqual({ passed: true, failedChecks: [] });
    expect(judge({ 'lost = 0': true, 'lag alert fired': false, 'verifier clean': false })).toEqual({ passed: false, failedChecks: ['lag alert fired', 'verifier clean'] });
  });
});
