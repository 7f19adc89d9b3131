import { findCause } from './errors';

describe('findCause', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name }, extra);
  const isTarget = (e: Record<string, unknown>) => e.name === 'Target';

  it('finds the error itself, a cause, or an originalError behind a wrapper', () => {
    const target = named('Target');
    expect(findCause(target, isTarget)).toBe(target);
    expect(findCause(new Error('outer', { cause: named('Mid', { originalError: target }) }), isTarget)).toBe(target);
  });

  it('ends on a cycle and on non-objects, finding nothing', () => {
    const a = named('A');
    const b = named('B', { cause: a });
    Object.assign(a, { cause: b });
    expect(findCause(a, isTarget)).toBeUndefined();
    expect(findCause(undefined, isTarget)).toBeUndefined();
    expect(findCause('Target', isTarget)).toBeUndefined();
  });
});
