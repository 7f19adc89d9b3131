import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixtureArchive, keyringJson, OTHER_KEY, writeFixtureToDir, type FixtureArchive } from './testing/archive-fixture';
import { runInMemory } from './testing/run-cli';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a bundle as parsed JSON, edited freely by the tamper cases
type Bundle = Record<string, any>;

/** The commands end to end over a local copy of an archive (--dir); the same over real S3 is in cli.int.test.ts. */

describe('auditseal (over a local copy)', () => {
  let dir: string;
  let fixture: FixtureArchive;
  let keyring: string;
  let otherKeyring: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditseal-cli-'));
    fixture = await buildFixtureArchive({ entriesPerChain: 25, segmentSize: 10 });
    writeFixtureToDir(fixture, join(dir, 'bucket'));
    keyring = join(dir, 'keyring.json');
    writeFileSync(keyring, keyringJson());
    otherKeyring = join(dir, 'other-keyring.json');
    writeFileSync(otherKeyring, keyringJson(OTHER_KEY));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const archive = () => ['--dir', join(dir, 'bucket')];

  describe('--help', () => {
    it('prints the program help and every command help with exit 0', async () => {
      const program = await runInMemory(['--help']);
      expect(program.code).toBe(0);
      for (const name of ['verify-archive', 'export', 'prove', 'verify-proof', 'status', 'topics']) {
        expect(program.stdout).toContain(name);
        const help = await runInMemory([name, '--help']);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(new RegExp(`^Usage: auditseal ${name}`));
        expect(help.stdout).toContain('--json');
      }
    });
  });

  describe('when the arguments are wrong', () => {
    it('exits 2 with a clear message', async () => {
      expect(await runInMemory([])).toMatchObject({ code: 2 });
      expect(await runInMemory(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
      expect(await runInMemory(['verify-archive', '--concurrency', 'lots', ...archive()])).toMatchObject({ code: 2, stderr: expect.stringContaining('--concurrency must be a whole number') });
      expect(await runInMemory(['verify-archive'])).toMatchObject({ code: 2, stderr: expect.stringContaining('npm run infra:up') });
      expect(await runInMemory(['verify-archive', '--dir', join(dir, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a directory') });
      expect(await runInMemory(['prove', 'not-a-uuid', ...archive()])).toMatchObject({ code: 2, stderr: expect.stringContaining('not a UUIDv7') });
      expect(await runInMemory(['verify-proof', 'x.json'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--keyring <file> is required') });
      expect(await runInMemory(['export', ...archive(), '--from', 'yesterday'])).toMatchObject({ code: 2 });
    });
    it('exits 2 when nothing is archived under the prefix (never "verified")', async () => {
      const empty = join(dir, 'empty-bucket');
      mkdirSync(join(empty, 'other-prefix', 'v1'), { recursive: true });
      const run = await runInMemory(['verify-archive', '--dir', empty, '--prefix', 'other-prefix', '--keyring', keyring]);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing is archived under') });
    });
    it('reports errors as JSON with --json', async () => {
      const run = await runInMemory(['verify-archive', '--json', '--concurrency', '0', ...archive()]);
      expect(run.code).toBe(2);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'usage' }, exitCode: 2 });
    });
  });

  describe('verify-archive', () => {
    it('verifies a clean copy: exit 0, no problems, retention not checked and said so', async () => {
      const run = await runInMemory(['verify-archive', ...archive(), '--keyring', keyring]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('seqs         0 – 24  (25 entries');
      expect(run.stdout).toContain('segments     3 valid, 0 invalid, 0 missing');
      expect(run.stdout).toContain('retention    NOT checked');
      expect(run.stdout).toMatch(/VERDICT: VERIFIED/);
    });
    it('draws a progress bar on stderr only when it is a terminal', async () => {
      const tty = await runInMemory(['verify-archive', ...archive(), '--keyring', keyring], {}, { tty: true });
      expect(tty.code).toBe(0);
      expect(tty.stderr).toContain('] 6/6 segments');
      const json = await runInMemory(['verify-archive', ...archive(), '--keyring', keyring, '--json'], {}, { tty: true });
      expect(json.stderr).toBe('');
    });
    it('warns when trust comes from the archive\'s own keys', async () => {
      const run = await runInMemory(['verify-archive', ...archive()]);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/warning: no --keyring given: trusting the 1 key\(s\) the archive itself publishes/);
    });
    it('fails with a keyring that did not sign the archive', async () => {
      const run = await runInMemory(['verify-archive', ...archive(), '--keyring', otherKeyring, '--json']);
      expect(run.code).toBe(1);
      const doc = JSON.parse(run.stdout);
      expect(doc.verdict).toBe('failed');
      expect(doc.report.counts.byKind).toMatchObject({ manifest_signature_invalid: 6, key_file_mismatch: 1 });
    });
    it('gives a JSON report with --json', async () => {
      const run = await runInMemory(['verify-archive', ...archive(), '--keyring', keyring, '--json']);
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout);
      expect(doc).toMatchObject({ verdict: 'verified', exitCode: 0, retention: { checked: false }, keyring: { source: 'file' }, archive: { kind: 'dir' } });
      expect(doc.report.chains).toHaveLength(2);
    });
  });

  describe('prove and verify-proof', () => {
    it('round-trips: the bundle verifies offline with the keyring (exit 0)', async () => {
      const event = fixture.events[12]!;
      const out = join(dir, 'bundle.json');
      const prove = await runInMemory(['prove', event.eventId, ...archive(), '--keyring', keyring, '--out', out]);
      expect(prove.code).toBe(0);
      const bundle = JSON.parse(readFileSync(out, 'utf8'));
      expect(bundle).toMatchObject({ format: 'auditseal/v1/evidence-bundle', eventId: event.eventId, entry: { event: { eventId: event.eventId, tenant: event.tenant } } });
      expect(bundle.checkpoint).not.toBeNull();
      const verify = await runInMemory(['verify-proof', out, '--keyring', keyring]);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^VALID: event /m);
    });

    const tamper = async (change: (b: Bundle) => void) => {
      const event = fixture.events[3]!;
      const prove = await runInMemory(['prove', event.eventId, ...archive(), '--keyring', keyring]);
      const bundle = JSON.parse(prove.stdout);
      change(bundle);
      const path = join(dir, `tampered-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(bundle));
      return runInMemory(['verify-proof', path, '--keyring', keyring, '--json']);
    };

    it.each([
      ['the summary', (b: Bundle) => (b.entry.event.tenant = 'evil'), 'event'],
      ['a byte of the entry', (b: Bundle) => {
        const bytes = Buffer.from(b.entry.sealedEntry, 'base64');
        bytes[bytes.length - 40]! ^= 1;
        b.entry.sealedEntry = bytes.toString('base64');
      }, 'entry'],
      ['a proof hash', (b: Bundle) => (b.inclusion.proof[0] = '00'.repeat(32)), 'inclusion proof'],
      ['the manifest root', (b: Bundle) => (b.manifest.json = b.manifest.json.replace(/"merkleRoot": "[0-9a-f]{2}/, '"merkleRoot": "00')), 'manifest signature'],
      ['the checkpoint', (b: Bundle) => (b.checkpoint.json = b.checkpoint.json.replace('"headSeq": 9', '"headSeq": 19')), 'checkpoint'],
    ])('reports a bundle with %s changed as invalid (exit 1)', async (_what, change, failedCheck) => {
      const run = await tamper(change);
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout);
      expect(result.valid).toBe(false);
      expect(result.checks.find((c: { ok: boolean }) => !c.ok).name).toMatch(new RegExp(`^${failedCheck}`));
    });

    it('rejects a bundle signed by a key the auditor does not trust', async () => {
      const event = fixture.events[0]!;
      const prove = await runInMemory(['prove', event.eventId, ...archive(), '--keyring', keyring]);
      const path = join(dir, 'b2.json');
      writeFileSync(path, prove.stdout);
      const run = await runInMemory(['verify-proof', path, '--keyring', otherKeyring]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/INVALID: manifest signature: unknown_key/);
    });

    it('exits 1 for an event that is not in the archive', async () => {
      const run = await runInMemory(['prove', '019468a1-f800-7abc-8def-ffffffffffff', ...archive(), '--keyring', keyring]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('is not in the archive');
    });
  });

  describe('export', () => {
    it('exports every event as JSONL and says what it verified', async () => {
      const run = await runInMemory(['export', ...archive(), '--keyring', keyring]);
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.eventId).sort()).toEqual(fixture.events.map((e) => e.eventId).sort());
      expect(run.stderr).toMatch(/from 6 segments, each verified/);
    });
    it('filters by tenant, action, actor and time', async () => {
      const run = await runInMemory(['export', ...archive(), '--keyring', keyring, '--tenant', 'acme', '--action', 'user.login', '--actor', 'u-1', '--from', '2026-11-26T10:00:00Z', '--to', '2026-11-26T10:20:00Z']);
      expect(run.code).toBe(0);
      const got = run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).eventId);
      const want = fixture.events
        .filter((e) => e.tenant === 'acme' && e.action === 'user.login' && e.actor.id === 'u-1' && e.eventTime / 1000 < Date.parse('2026-11-26T10:20:00Z'))
        .map((e) => e.eventId);
      expect(want.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    });
    it('writes RFC 4180 CSV with attributes as JSON in one column', async () => {
      const out = join(dir, 'events.csv');
      const run = await runInMemory(['export', ...archive(), '--keyring', keyring, '--format', 'csv', '--out', out, '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ exported: fixture.events.length, format: 'csv' });
      const csv = readFileSync(out, 'utf8');
      expect(csv.startsWith('eventId,eventTime,tenant,')).toBe(true);
      expect(csv).toContain('"{""amount"":""100"",""note"":""line1\\nline2, \\""quoted\\""""}"');
      expect(csv).toContain('"Ann ""the auditor"", CFO"');
    });
  });
});
