/**
 * A stack of teardown steps, run last-in first-out. Every step runs even when
 * an earlier one fails; the failures are thrown together afterwards, so one
 * broken teardown neither hides another nor leaks what comes after it.
 *
 *   const cleanup = createCleanup();
 *   afterEach(() => cleanup.run());
 *   ...
 *   cleanup.add('consumer', () => consumer.disconnect());
 */
export interface Cleanup {
  add(name: string, step: () => unknown): void;
  /** Runs and forgets every registered step; throws an AggregateError if any failed. */
  run(): Promise<void>;
  readonly size: number;
}

export function createCleanup(): Cleanup {
  const steps: { name: string; step: () => unknown }[] = [];
  return {
    add(name, step) {
      steps.push({ name, step });
    },
    get size() {
      return steps.length;
    },
    async run() {
      const errors: Error[] = [];
      for (let entry = steps.pop(); entry !== undefined; entry = steps.pop()) {
        try {
          await entry.step();
        } catch (error) {
          errors.push(new Error(`cleanup step "${entry.name}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, `${errors.length} cleanup step(s) failed: ${errors.map((e) => e.message).join('; ')}`);
    },
  };
}
