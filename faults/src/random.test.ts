import { seededRandom } from './random';

describe('seededRandom', () => {
  it('replays the same sequence for the same seed and another for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const draw = (r: ReturnType<typeof seededRandom>) => Array.from({ length: 5 }, () => r.int(0, 1_000_000));
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it('keeps int() within its bounds', () => {
    const r = seededRandom(1);
    const values = Array.from({ length: 2_000 }, () => r.int(3, 7));
    expect(Math.min(...values)).toBe(3);
    expect(Math.max(...values)).toBe(7);
  });
});
