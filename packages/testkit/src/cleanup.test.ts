import { createCleanup } from './cleanup';

describe('createCleanup', () => {
  describe('when run', () => {
    it('runs the steps last-in first-out and forgets them', async () => {
      const order: string[] = [];
      const cleanup = createCleanup();
      cleanup.add('first', () => order.push('first'));
      cleanup.add('second', async () => {
        order.push('second');
      });
      await cleanup.run();
      expect(order).toEqual(['second', 'first']);
      expect(cleanup.size).toBe(0);
      await cleanup.run();
      expect(order).toEqual(['second', 'first']);
    });
  });

  describe('when a step fails', () => {
    it('still runs the others, then throws every failure by name', async () => {
      const ran: string[] = [];
      const cleanup = createCleanup();
      cleanup.add('disconnect', () => ran.push('disconnect'));
      cleanup.add('delete topic', () => {
        throw new Error('UNKNOWN_TOPIC');
      });
      cleanup.add('close', () => ran.push('close'));
      await expect(cleanup.run()).rejects.toThrow('1 cleanup step(s) failed: cleanup step "delete topic" failed: UNKNOWN_TOPIC');
      expect(ran).toEqual(['close', 'disconnect']);
    });
  });
});
