import { archiveComplete, assess, exitCodeFor, finalCounts, finalLine, rejectedLine } from './demo-outcome';
import type { PipelineSnapshot } from './pipeline-snapshot';

const expected = { events: 2000, bad: 6 };

/** A run where everything is sealed, archived and verified, by a pass that started at t=5000. */
const complete = (over: Partial<PipelineSnapshot> = {}): PipelineSnapshot => ({
  at: 6000,
  produced: { events: 2000, bad: 6, failed: 0 },
  sealed: { events: 2000, rejected: 6, rejectedByReason: { malformed: 3, unknown_schema: 3 }, lag: 0 },
  archived: { entries: 2006, lag: 0 },
  verified: { entries: 2006, findings: 0, startedAt: 5000, finishedAt: 5500 },
  alerts: 0,
  ...over,
});

describe('assess', () => {
  describe('when everything is sealed, archived and verified after the archive was complete', () => {
    it('is done', () => {
      expect(assess(complete(), expected, 4000)).toEqual({ done: true, hopeless: false, reasons: [] });
    });
  });

  describe('when the pipeline is still catching up', () => {
    it.each<[string, Partial<PipelineSnapshot>, string]>([
      ['events not all acknowledged', { produced: { events: 1500, bad: 6, failed: 0 } }, '1,500 of 2,000 events acknowledged by Kafka'],
      ['bad records not all written', { produced: { events: 2000, bad: 4, failed: 0 } }, '4 of 6 bad records acknowledged by Kafka'],
      ['chainer not answering', { sealed: undefined }, 'no answer from the chainer yet'],
      ['events not all sealed', { sealed: { events: 1999, rejected: 6, rejectedByReason: { malformed: 3, unknown_schema: 3 }, lag: 1 } }, '1,999 of 2,000 events sealed'],
      ['rejected not all sealed', { sealed: { events: 2000, rejected: 5, rejectedByReason: { malformed: 3, unknown_schema: 2 }, lag: 1 } }, '5 of 6 bad records sealed as rejected'],
      ['archive behind', { archived: { entries: 2000, lag: 6 } }, '2,000 of 2,006 entries archived'],
      ['no verifier pass', { verified: undefined }, 'no verifier pass finished yet'],
      ['pass covered less', { verified: { entries: 1000, findings: 0, startedAt: 5000, finishedAt: 5500 } }, "the verifier's last pass covered 1,000 of 2,006 entries"],
    ])('is not done (%s) and says why', (_, over, reason) => {
      const a = assess(complete(over), expected, 4000);
      expect(a.done).toBe(false);
      expect(a.hopeless).toBe(false);
      expect(a.reasons).toContain(reason);
    });

    it('waits for a verifier pass that started after the archive was complete', () => {
      expect(assess(complete(), expected, 5001).reasons).toEqual(['waiting for a verifier pass that starts after the archive is complete']);
      expect(assess(complete(), expected, undefined).done).toBe(false);
    });
  });

  describe('when something is wrong that waiting cannot fix', () => {
    it.each<[string, Partial<PipelineSnapshot>, string]>([
      ['an alert', { alerts: 1 }, '1 alert(s) on audit.alerts'],
      ['a failed emit', { produced: { events: 1999, bad: 6, failed: 1 } }, '1 record(s) were not acknowledged by Kafka'],
      ['more event entries than events', { sealed: { events: 2001, rejected: 6, rejectedByReason: { malformed: 3, unknown_schema: 3 }, lag: 0 } }, 'the chainer sealed 2,001 event entries for 2,000 events'],
      ['more rejected than bad', { sealed: { events: 2000, rejected: 7, rejectedByReason: { malformed: 4, unknown_schema: 3 }, lag: 0 } }, 'the chainer rejected 7 records, only 6 were bad'],
      ['wrong reject reasons', { sealed: { events: 2000, rejected: 6, rejectedByReason: { malformed: 6 }, lag: 0 } }, '0 records rejected as unknown_schema, expected 3'],
      ['more archived than written', { archived: { entries: 2007, lag: 0 } }, '2,007 entries archived for 2,006 records'],
      ['open findings', { verified: { entries: 2006, findings: 2, startedAt: 5000, finishedAt: 5500 } }, "the verifier's last pass has 2 open finding(s)"],
    ])('fails at once (%s)', (_, over, reason) => {
      const a = assess(complete(over), expected, 4000);
      expect(a).toMatchObject({ done: false, hopeless: true });
      expect(a.reasons.some((r) => r.startsWith(reason))).toBe(true);
    });
  });
});

describe('archiveComplete', () => {
  it('is true once every chain entry (events + bad records) is archived', () => {
    expect(archiveComplete(complete(), expected)).toBe(true);
    expect(archiveComplete(complete({ archived: { entries: 2005, lag: 1 } }), expected)).toBe(false);
    expect(archiveComplete(complete({ archived: undefined }), expected)).toBe(false);
  });
});

describe('finalLine', () => {
  it('is the contract line when all N are sealed, archived and verified (rejected entries not counted as events)', () => {
    expect(finalLine('ok', complete())).toBe('DEMO OK events=2000 sealed=2000 archived=2000 verified=2000 alerts=0');
  });
  it('says FAILED or STOPPED with the same counts and the reason', () => {
    const s = complete({ archived: { entries: 1006, lag: 1000 }, verified: { entries: 506, findings: 0, startedAt: 0, finishedAt: 1 }, alerts: 2 });
    expect(finalLine('failed', s, 'timeout after 300s')).toBe('DEMO FAILED events=2000 sealed=2000 archived=1000 verified=500 alerts=2 (timeout after 300s)');
    expect(finalLine('interrupted', s, 'interrupted')).toBe('DEMO STOPPED events=2000 sealed=2000 archived=1000 verified=500 alerts=2 (interrupted)');
  });
  it('never prints negative counts while fewer entries than rejected ones are archived', () => {
    expect(finalCounts(complete({ archived: { entries: 2, lag: 0 }, verified: undefined }))).toMatchObject({ archived: 0, verified: 0 });
  });
});

describe('exitCodeFor', () => {
  it('0 ok, 1 failed, 130 interrupted', () => {
    expect([exitCodeFor('ok'), exitCodeFor('failed'), exitCodeFor('interrupted')]).toEqual([0, 1, 130]);
  });
});

describe('rejectedLine', () => {
  it('names the reject reasons, sorted', () => {
    expect(rejectedLine(complete({ sealed: { events: 2000, rejected: 6, rejectedByReason: { unknown_schema: 3, malformed: 3 }, lag: 0 } }), 6, true)).toBe('rejected=6 of 6 bad records written raw: sealed as rejected entries (malformed ×3, unknown_schema ×3), archived and verified with the events');
  });
  it('claims no more than what is sealed when the run did not verify', () => {
    expect(rejectedLine(complete({ sealed: { events: 10, rejected: 1, rejectedByReason: { malformed: 1 }, lag: 0 } }), 6, false)).toBe('rejected=1 of 6 bad records written raw: sealed as rejected entries (malformed ×1) so far');
  });
});
