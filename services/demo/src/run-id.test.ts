import { newRunId } from './run-id';

describe('newRunId', () => {
  it('is the UTC start time and a random suffix, valid in topic names and S3 keys', () => {
    expect(newRunId(new Date('2026-11-27T03:35:12.345Z'), '1a2b')).toBe('20261127-033512-1a2b');
    expect(newRunId(new Date())).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/);
  });
});
