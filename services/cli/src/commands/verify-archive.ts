import { parseCheckpoint, parseManifest, readSegment } from '@auditseal/archive';
import { verifyArchive, type VerifyProgress } from '@auditseal/verify';
import { ARCHIVE_HELP, ARCHIVE_OPTIONS, COMMON_OPTIONS, intOption, parseCommandArgs } from '../args';
import { loadKeyring, openArchive, prefetchingReader } from '../archive-source';
import { CliError, EXIT_FINDINGS, EXIT_OK } from '../errors';
import type { CliIo } from '../io';
import { failingFindings, renderProgress, renderReport, type ArchiveVerification } from '../report';
import type { Command } from './command';

const DAY_MS = 86_400_000;

export const verifyArchiveCommand: Command = {
  name: 'verify-archive',
  summary: 'verify every chain, segment, manifest, signature, retention and checkpoint of an archive',
  help: `Usage: auditseal verify-archive [--bucket B] [--prefix P] | --dir <local copy>
                               [--keyring file] [--retention-days N] [--concurrency N] [--json]

Verifies the whole archive (docs/FORMAT.md §10): each segment against its signed
manifest (size, SHA-256, entries, chain links, Merkle root, head), manifest and
checkpoint signatures (key validity at signing time), continuity between
segments, checkpoints against the entries they vouch for, key files, unexpected
keys and — on S3 — Object Lock (COMPLIANCE, retain-until, a single version per
key). A local copy has no Object Lock metadata: the report says retention was
not checked.

${ARCHIVE_HELP}

Options:
  --retention-days <N>   also require retain-until ≥ written-at + N days (the archiver's
                         ARCHIVER_RETENTION_DAYS); without it the date each manifest states is required
  --concurrency <N>      objects fetched in parallel ahead of the verifier (default 8, 1–64)
  --max-problems <N>     problems printed in full in the human report (default 50; counts stay exact)
  --json                 the report as one JSON document on stdout (every problem, up to 10000)
  -h, --help             this help

A progress bar is drawn on stderr when it is a terminal.
Exit codes: 0 verified, 1 tampering or loss found (any problem but info), 2 usage or environment error.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('verify-archive', argv, { ...COMMON_OPTIONS, ...ARCHIVE_OPTIONS, 'retention-days': { type: 'string' }, concurrency: { type: 'string' }, 'max-problems': { type: 'string' } });
    const maxProblems = intOption(values, 'max-problems', { min: 0, max: 10_000 }, 50)!;
    const retentionDays = intOption(values, 'retention-days', { min: 0, max: 36_500 });
    const concurrency = intOption(values, 'concurrency', { min: 1, max: 64 }, 8)!;
    const json = values.json === true;
    const archive = await openArchive(values, io.env);
    try {
      const trusted = await loadKeyring(values, archive);
      if (trusted.warning && !json) io.stderr(`warning: ${trusted.warning}\n`);
      const startedAt = io.now();
      let total = 0;
      const progress = io.stderrIsTTY && !json;
      if (progress) {
        for await (const item of archive.reader.list(`${archive.prefix}/`)) if (item.key.endsWith('.manifest.json')) total++;
      }
      let segments = 0;
      const onProgress = progress
        ? (p: VerifyProgress) => {
            if (p.phase === 'archive') segments++;
            io.stderr(renderProgress(segments, total, p.chainId));
          }
        : undefined;
      const report = await verifyArchive(
        prefetchingReader(archive.reader, concurrency),
        {
          prefix: archive.prefix,
          formats: { parseSegment: readSegment, parseManifest, parseCheckpoint },
          keyring: trusted.keyring,
          ...(retentionDays !== undefined ? { retention: { retentionMs: retentionDays * DAY_MS } } : {}),
          now: () => io.now(),
        },
        onProgress,
      );
      if (progress) io.stderr('\r\x1b[K');
      // An empty prefix is a wrong --prefix or bucket far more often than an archive: never call it verified.
      if (report.counts.objects === 0) {
        throw new CliError('environment', `nothing is archived under ${archive.location}: no objects under ${archive.prefix}/`, 'check --bucket / S3_BUCKET and --prefix / ARCHIVE_PREFIX (the archiver\'s ARCHIVE_PREFIX)');
      }
      const failing = failingFindings(report);
      const result: ArchiveVerification = {
        archive: { kind: archive.kind, location: archive.location, prefix: archive.prefix },
        keyring: {
          source: trusted.source,
          ...(trusted.path ? { path: trusted.path } : {}),
          keyIds: trusted.keyring.keys.map((k) => k.keyId),
          ...(trusted.warning ? { warning: trusted.warning } : {}),
        },
        retention: {
          checked: report.retentionChecked,
          minimumDays: retentionDays,
          ...(report.retentionChecked ? {} : { note: 'a local copy has no Object Lock metadata or versions; verify the bucket itself to prove retention' }),
        },
        startedAt: startedAt.toISOString(),
        finishedAt: io.now().toISOString(),
        report,
        verdict: failing === 0 ? 'verified' : 'failed',
        exitCode: failing === 0 ? EXIT_OK : EXIT_FINDINGS,
      };
      io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : renderReport(result, maxProblems));
      return result.exitCode;
    } finally {
      archive.close();
    }
  },
};
