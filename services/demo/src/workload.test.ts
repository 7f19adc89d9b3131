import { decodeEvent, encodeEvent, isCodecError, uuidv7 } from '@auditseal/codec';
import { DEMO_SERVICES, DEMO_TENANTS, badRecord, badRecordCounts, badSlots, createPrng, nextEvent, workload, type WorkloadItem } from './workload';

const take = (n: number, it: Iterator<WorkloadItem>) => Array.from({ length: n }, () => it.next().value as WorkloadItem);

describe('createPrng', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createPrng(8)()).not.toBe(createPrng(7)());
  });
});

describe('nextEvent', () => {
  const random = createPrng(1);
  const events = Array.from({ length: 3000 }, (_, i) => nextEvent(random, i));

  it('makes events the codec accepts (valid against the schema once the SDK fills id and time)', () => {
    for (const e of events.slice(0, 300)) {
      const bytes = encodeEvent({ ...e, eventId: uuidv7(), eventTime: Date.now() * 1000 });
      expect(decodeEvent(bytes).tenant).toBe(e.tenant);
    }
  });

  it('covers every service, every tenant, and success, failure and denied outcomes', () => {
    expect(new Set(events.map((e) => e.source.service))).toEqual(new Set(DEMO_SERVICES.map((s) => s.service)));
    expect(new Set(events.map((e) => e.tenant))).toEqual(new Set(DEMO_TENANTS.map((t) => t.tenant)));
    const outcomes = new Set(events.map((e) => e.outcome));
    for (const o of ['SUCCESS', 'FAILURE', 'DENIED'] as const) expect(outcomes).toContain(o);
    expect(events.filter((e) => e.outcome === 'SUCCESS').length).toBeGreaterThan(events.length / 2);
    expect(events.filter((e) => e.outcome !== 'SUCCESS').every((e) => typeof e.outcomeReason === 'string')).toBe(true);
    expect(new Set(events.map((e) => e.action)).size).toBeGreaterThanOrEqual(12);
  });

  it('only uses actions of the emitting service', () => {
    for (const e of events) expect(DEMO_SERVICES.find((s) => s.service === e.source.service)!.actions.map((a) => a.action)).toContain(e.action);
  });
});

describe('badRecord', () => {
  it('malformed records do not start with the single-object marker and the codec rejects them as not_single_object', () => {
    const random = createPrng(3);
    for (let i = 0; i < 200; i++) {
      const r = badRecord(random, 'malformed');
      expect(r.value[0]).not.toBe(0xc3);
      let error: unknown;
      try {
        decodeEvent(r.value);
      } catch (e) {
        error = e;
      }
      expect(isCodecError(error) && error.code).toBe('not_single_object');
    }
  });

  it('unknown_schema records carry the marker and a fingerprint no writer schema has', () => {
    const random = createPrng(4);
    for (let i = 0; i < 200; i++) {
      const r = badRecord(random, 'unknown_schema');
      expect([...r.value.subarray(0, 2)]).toEqual([0xc3, 0x01]);
      let error: unknown;
      try {
        decodeEvent(r.value);
      } catch (e) {
        error = e;
      }
      expect(isCodecError(error) && error.code).toBe('unknown_fingerprint');
    }
  });
});

describe('badSlots', () => {
  it('spreads the bad records evenly over the run', () => {
    expect(badSlots(2000, 6)).toEqual([166, 500, 833, 1166, 1500, 1833]);
    expect(badSlots(1, 3)).toEqual([0, 0, 0]);
    expect(badSlots(10, 0)).toEqual([]);
  });
});

describe('workload', () => {
  describe('when finite', () => {
    it('yields exactly N events and B bad records, alternating malformed and unknown_schema', () => {
      for (const [events, bad] of [[2000, 6], [1, 3], [5, 0], [10, 7]] as const) {
        const items = [...workload({ events, badRecords: bad, badEvery: 1000, seed: 9 })];
        expect(items.filter((i) => i.kind === 'event')).toHaveLength(events);
        const bads = items.filter((i): i is Extract<WorkloadItem, { kind: 'bad' }> => i.kind === 'bad');
        expect(bads).toHaveLength(bad);
        const byKind = { malformed: 0, unknown_schema: 0 };
        for (const b of bads) byKind[b.record.kind]++;
        expect(byKind).toEqual(badRecordCounts(bad));
      }
    });

    it('is the same workload for the same seed', () => {
      const a = [...workload({ events: 100, badRecords: 2, badEvery: 0, seed: 5 })];
      const b = [...workload({ events: 100, badRecords: 2, badEvery: 0, seed: 5 })];
      expect(a).toEqual(b);
      expect([...workload({ events: 100, badRecords: 2, badEvery: 0, seed: 6 })]).not.toEqual(a);
    });
  });

  describe('when endless', () => {
    it('keeps yielding, one bad record after every badEvery events', () => {
      const items = take(2_002, workload({ events: undefined, badRecords: 0, badEvery: 1000, seed: 1 }));
      expect(items.map((i, k) => (i.kind === 'bad' ? k : -1)).filter((k) => k >= 0)).toEqual([1000, 2001]);
    });

    it('with badEvery 0 yields events only', () => {
      expect(take(3000, workload({ events: undefined, badRecords: 0, badEvery: 0, seed: 1 })).every((i) => i.kind === 'event')).toBe(true);
    });
  });
});

describe('badRecordCounts', () => {
  it('malformed first: ceil(B/2) malformed, floor(B/2) unknown_schema', () => {
    expect(badRecordCounts(0)).toEqual({ malformed: 0, unknown_schema: 0 });
    expect(badRecordCounts(5)).toEqual({ malformed: 3, unknown_schema: 2 });
    expect(badRecordCounts(6)).toEqual({ malformed: 3, unknown_schema: 3 });
  });
});
