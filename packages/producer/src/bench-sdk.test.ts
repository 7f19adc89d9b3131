import { emitBounded } from './bench-sdk';
import type { AuditEventInput } from './prepare-event';

describe('emitBounded', () => {
  it('emits every event in order, never with more than `outstanding` receipts pending, and yields to the event loop while it waits', async () => {
    const inputs = Array.from({ length: 50 }, (_, i) => ({ tenant: `t${i}` }) as unknown as AuditEventInput);
    const emitted: string[] = [];
    const pending = new Set<number>();
    let maxPending = 0;
    let macrotasksDuringEmits = 0;
    const ticker = setInterval(() => macrotasksDuringEmits++, 0);
    const sdk = {
      emit(input: AuditEventInput) {
        const i = emitted.push(input.tenant) - 1;
        pending.add(i);
        maxPending = Math.max(maxPending, pending.size);
        return new Promise<never>((resolve) => setTimeout(() => (pending.delete(i), resolve(undefined as never)), 1));
      },
    };
    try {
      await emitBounded(sdk, inputs, 8);
    } finally {
      clearInterval(ticker);
    }
    expect(emitted).toEqual(inputs.map((e) => e.tenant));
    expect(maxPending).toBe(8);
    expect(pending.size).toBe(0);
    expect(macrotasksDuringEmits).toBeGreaterThan(0);
  });

  it('rejects with the first failed emit', async () => {
    const sdk = { emit: (input: AuditEventInput) => (input.tenant === 'bad' ? Promise.reject(new Error('refused')) : Promise.resolve(undefined as never)) };
    await expect(emitBounded(sdk, [{ tenant: 'a' }, { tenant: 'bad' }, { tenant: 'c' }] as unknown as AuditEventInput[], 1)).rejects.toThrow('refused');
  });
});
