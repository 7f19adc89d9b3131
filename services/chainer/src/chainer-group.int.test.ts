import { createCleanup, waitFor } from '@auditseal/testkit';
import { produceEvents, startChainerProcess, verifyChains, waitForSealed, testTopics, type ChainerProcess } from './testing/harness';

// Several chainer processes in one consumer group (build first: npx turbo run build).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PartitionDetail {
  partition: number;
  state: string;
}

async function activePartitions(p: ChainerProcess): Promise<number[]> {
  const { body } = await p.readyz();
  const detail = body.detail as { partitions: PartitionDetail[] };
  return detail.partitions.filter((x) => x.state === 'active').map((x) => x.partition);
}

describe('chainer processes in one group', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  it('move partitions to the survivor when one is killed, and fence a paused zombie so it cannot fork a chain', async () => {
    const { kafka, admin, prefix, names, env: topicEnv } = await testTopics(cleanup, 'group', 4);
    const env = {
      ...topicEnv,
      CHAINER_SESSION_TIMEOUT_MS: '3000',
      CHAINER_MAX_BATCH: '100',
      HTTP_PORT: '0',
    };
    const processes: ChainerProcess[] = [];
    cleanup.add('chainer processes', () =>
      processes.forEach((p) => {
        p.kill('SIGCONT');
        p.kill('SIGKILL');
      }),
    );
    const start = () => {
      const p = startChainerProcess(env);
      processes.push(p);
      return p;
    };
    const owns = (p: ChainerProcess, count: number, what: string) =>
      waitFor(() => activePartitions(p), { description: what, until: (ps) => ps.length === count, timeoutMs: 30_000, intervalMs: 200 });

    // Events flow during the whole test (~8,000 over ~25 s).
    const producing = produceEvents(kafka.kafka, { topic: names.events, count: 8_000, partitions: 4, producers: 2, batch: 40, pauseMs: 250 });

    // 1. Two instances share the four partitions.
    const a = start();
    await owns(a, 4, 'A to seal all 4 partitions alone');
    const b = start();
    await owns(b, 2, 'B to get 2 partitions');
    await owns(a, 2, 'A to keep 2 partitions');
    await waitFor(() => b.sealedCount(), { description: 'B to seal', until: (n) => n > 0, timeoutMs: 20_000 });

    // 2. One is killed: its partitions move to the survivor.
    b.kill('SIGKILL');
    await b.exited;
    await owns(a, 4, 'A to take over B’s partitions');

    // 3. A zombie: A is paused, the group gives its partitions to C, C seals them.
    const c = start();
    await owns(c, 2, 'C to get 2 partitions');
    await waitFor(() => c.sealedCount(), { description: 'C to seal', until: (n) => n > 0, timeoutMs: 20_000 });
    a.kill('SIGSTOP');
    await owns(c, 4, 'C to own all 4 partitions while A is paused');
    const sealedByC = await c.sealedCount();
    await waitFor(() => c.sealedCount(), { description: 'C to seal A’s former partitions', until: (n) => n > sealedByC + 50, timeoutMs: 20_000 });

    // 4. The zombie wakes up: whatever it was doing cannot commit; it rejoins the group.
    a.kill('SIGCONT');
    await waitFor(async () => (await activePartitions(a)).length + (await activePartitions(c)).length, {
      description: 'A and C to share the 4 partitions again',
      until: (n) => n === 4,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await sleep(1_000);

    await producing;
    await waitForSealed(admin, names, `${prefix}chainer`, 90_000);
    for (const p of [a, c]) p.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(await c.exited).toEqual({ code: 0, signal: null });

    const reports = await verifyChains(kafka.kafka, admin, names, 'test');
    expect(reports.reduce((n, r) => n + r.events, 0)).toBe(8_000);
    // A learnt it had been replaced: fenced transactions, or a new assignment after rejoining.
    const assignments = a.lines.filter((line) => line.includes('"partitions assigned"')).length;
    const fenced = a.lines.filter((line) => line.includes('producer fenced') || line.includes('transaction failed')).length;
    expect(assignments + fenced).toBeGreaterThan(3);
    expect(a.lines.some((line) => line.includes('PARTITION STOPPED'))).toBe(false);
    expect(c.lines.some((line) => line.includes('PARTITION STOPPED'))).toBe(false);
  });
});
