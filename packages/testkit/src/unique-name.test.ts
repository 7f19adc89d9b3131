import { uniqueName } from './unique-name';

// S3 bucket naming rules (the stricter target) and Kafka's legal topic characters.
const S3_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

describe('uniqueName', () => {
  describe('when called many times with the same prefix', () => {
    it('never repeats a name', () => {
      const names = new Set(Array.from({ length: 5_000 }, () => uniqueName('chain')));
      expect(names.size).toBe(5_000);
    });

    it('keeps the prefix readable at the start', () => {
      expect(uniqueName('audit-events')).toMatch(/^audit-events-[a-z0-9]+-[a-z0-9]+$/);
    });
  });

  describe('when the prefix has characters S3 or Kafka refuse', () => {
    it.each([
      ['Audit.Events_v1', /^audit-events-v1-/],
      ['  spaces  and/slashes ', /^spaces-and-slashes-/],
      ['--leading-and-trailing--', /^leading-and-trailing-/],
      ['', /^t-/],
      ['!!!', /^t-/],
      ['xn--punycode', /^xn-punycode-/],
      ['sthree-reserved', /^t-sthree-reserved-/],
      ['192.168.0.1', /^192-168-0-1-/],
    ])('turns %j into a valid bucket and topic name', (prefix, start) => {
      const name = uniqueName(prefix);
      expect(name).toMatch(S3_BUCKET);
      expect(name).toMatch(KAFKA_TOPIC);
      expect(name).not.toMatch(/--/);
      expect(name).toMatch(start);
    });
  });

  describe('when the prefix is long', () => {
    it('shortens it so the name fits 63 characters', () => {
      const name = uniqueName('a'.repeat(200));
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(S3_BUCKET);
    });
  });

  describe('without a prefix', () => {
    it('uses "test"', () => {
      expect(uniqueName()).toMatch(/^test-/);
    });
  });
});
