import { once } from 'node:events';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { decodeEvent, type AuditEvent } from '@auditseal/codec';
import { ARCHIVE_HELP, ARCHIVE_OPTIONS, COMMON_OPTIONS, choiceOption, parseCommandArgs, stringOption, timeOption } from '../args';
import { loadKeyring, openArchive } from '../archive-source';
import { csvRecord } from '../csv';
import { CliError, EXIT_OK, errorText, usageError } from '../errors';
import { CSV_COLUMNS, eventCsvFields, eventJson } from '../event-json';
import type { CliIo } from '../io';
import { verifiedSegments, type ScanSummary } from '../verified-segments';
import type { Command } from './command';

export interface EventFilter {
  tenant?: string;
  action?: string;
  actor?: string;
  /** Inclusive, ms. */
  fromMs?: number;
  /** Exclusive, ms. */
  toMs?: number;
}

export function matches(event: AuditEvent, f: EventFilter): boolean {
  if (f.tenant !== undefined && event.tenant !== f.tenant) return false;
  if (f.action !== undefined && event.action !== f.action) return false;
  if (f.actor !== undefined && event.actor.id !== f.actor) return false;
  const ms = event.eventTime / 1000;
  if (f.fromMs !== undefined && ms < f.fromMs) return false;
  if (f.toMs !== undefined && ms >= f.toMs) return false;
  return true;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export events from verified segments as JSONL or CSV, filtered',
  help: `Usage: auditseal export [--bucket B] [--prefix P] | --dir <local copy> [--keyring file]
                       [--format jsonl|csv] [--tenant T] [--from ISO] [--to ISO]
                       [--action A] [--actor ID] [--out file] [--json]

Decodes the audit events of every archived segment, in chain and seq order.
Each segment is verified before anything from it is written: its manifest's
signature, size and SHA-256, every chain link from the manifest's prevHash to
its headHash, the entry count and the Merkle root, and continuity with the
previous segment. If a segment fails, the export stops with exit 1 (and
removes --out). Rejected entries (records that were not valid events) are
counted, not exported. A summary goes to stderr (with --json: to stdout as the
last JSON line when --out is given, else to stderr).

${ARCHIVE_HELP}

Options:
  --format jsonl|csv     output format (default jsonl). CSV: RFC 4180, a header row, CRLF,
                         attributes as a JSON object in one column
  --tenant <T>           only events of this tenant
  --action <A>           only this action (e.g. invoice.approve)
  --actor <ID>           only this actor id
  --from <ISO>           only events with eventTime ≥ this (e.g. 2026-11-26T00:00:00Z)
  --to <ISO>             only events with eventTime < this
  --out <file>           write here instead of stdout
  --json                 the summary as JSON
  -h, --help             this help

Exit codes: 0 exported, 1 a segment failed verification, 2 usage or environment error.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('export', argv, {
      ...COMMON_OPTIONS,
      ...ARCHIVE_OPTIONS,
      format: { type: 'string' },
      tenant: { type: 'string' },
      action: { type: 'string' },
      actor: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
    });
    const format = choiceOption(values, 'format', ['jsonl', 'csv'] as const, 'jsonl');
    const from = timeOption(values, 'from');
    const to = timeOption(values, 'to');
    if (from && to && from.getTime() >= to.getTime()) throw usageError('--from must be before --to');
    const filter: EventFilter = {};
    for (const name of ['tenant', 'action', 'actor'] as const) {
      const v = stringOption(values, name);
      if (v !== undefined) filter[name] = v;
    }
    if (from) filter.fromMs = from.getTime();
    if (to) filter.toMs = to.getTime();
    const outPath = stringOption(values, 'out');
    const json = values.json === true;

    const archive = await openArchive(values, io.env);
    let file: WriteStream | undefined;
    const summary: ScanSummary = { segmentsVerified: 0, entriesVerified: 0, segmentsWithoutManifest: [] };
    let exported = 0;
    let rejected = 0;
    let undecodable = 0;
    try {
      const trusted = await loadKeyring(values, archive);
      if (trusted.warning) io.stderr(`warning: ${trusted.warning}\n`);
      if (outPath) {
        file = createWriteStream(outPath);
        await new Promise<void>((res, rej) => file!.once('open', () => res()).once('error', rej)).catch((error: unknown) => {
          throw new CliError('environment', `cannot write ${outPath}: ${errorText(error)}`);
        });
      }
      const write = (text: string) => (file ? void file.write(text) : io.stdout(text));
      if (format === 'csv') write(csvRecord(CSV_COLUMNS));
      try {
        for await (const segment of verifiedSegments(archive, trusted.keyring, summary)) {
          for (const entry of segment.entries) {
            if (entry.kind !== 'EVENT') {
              rejected++;
              continue;
            }
            let event: AuditEvent;
            try {
              event = decodeEvent(entry.value);
            } catch {
              // Verified bytes that are not an event: verify-archive reports it (invalid_entry); nothing to export.
              undecodable++;
              continue;
            }
            if (!matches(event, filter)) continue;
            write(format === 'csv' ? csvRecord(eventCsvFields(event, entry)) : `${JSON.stringify(eventJson(event, entry))}\n`);
            exported++;
          }
          // Back-pressure once per segment: memory stays bounded by a segment's output.
          if (file?.writableNeedDrain) await once(file, 'drain');
          else if (!file) await io.drain?.();
        }
      } catch (error) {
        if (file) {
          file.destroy();
          rmSync(outPath!, { force: true });
        }
        if (error instanceof CliError) io.stderr(`export stopped after ${exported} events from ${summary.segmentsVerified} verified segments${outPath ? `; ${outPath} removed` : ''}\n`);
        throw error;
      }
      if (file) await new Promise<void>((res, rej) => file!.end((err?: Error | null) => (err ? rej(err) : res())));
      const result = {
        exported,
        format,
        filter: { ...filter, ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}) },
        verified: { segments: summary.segmentsVerified, entries: summary.entriesVerified, keyring: trusted.source },
        skipped: { rejectedEntries: rejected, undecodableEvents: undecodable, segmentsWithoutManifest: summary.segmentsWithoutManifest },
        archive: archive.location,
        ...(outPath ? { out: outPath } : {}),
      };
      if (json) (outPath ? io.stdout : io.stderr)(`${JSON.stringify(result)}\n`);
      else {
        io.stderr(
          `exported ${exported} events${outPath ? ` to ${outPath}` : ''} from ${summary.segmentsVerified} segments, each verified (manifest signature, SHA-256, chain links, Merkle root): ` +
            `${summary.entriesVerified} entries checked, ${rejected} rejected entries not exported${undecodable ? `, ${undecodable} undecodable` : ''}` +
            `${summary.segmentsWithoutManifest.length ? `; ${summary.segmentsWithoutManifest.length} segment(s) without a manifest NOT exported: ${summary.segmentsWithoutManifest.join(', ')}` : ''}\n`,
        );
      }
      return EXIT_OK;
    } finally {
      archive.close();
    }
  },
};
