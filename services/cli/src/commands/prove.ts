import { readFileSync, writeFileSync } from 'node:fs';
import { archiveLayout, parseCheckpoint, verifyCheckpointSignature } from '@auditseal/archive';
import { decodeEvent, isUuidV7, toCoreEntry } from '@auditseal/codec';
import { createKeyring, entryBodyHash, inclusionProof, serializeKeyring, toHex, type PublicKeyEntry } from '@auditseal/core';
import { ARCHIVE_HELP, ARCHIVE_OPTIONS, COMMON_OPTIONS, parseCommandArgs, stringOption } from '../args';
import { loadKeyring, openArchive, readKeyringFile } from '../archive-source';
import { BUNDLE_FORMAT, eventOf, sealedEntryBytes, verifyBundle, type EvidenceBundle } from '../bundle';
import { CliError, EXIT_FINDINGS, EXIT_OK, errorText, usageError } from '../errors';
import { eventJson } from '../event-json';
import type { CliIo } from '../io';
import { verifiedSegments, type ScanSummary, type VerifiedSegment } from '../verified-segments';
import type { Command } from './command';

export const proveCommand: Command = {
  name: 'prove',
  summary: 'build an evidence bundle proving one event is in the archive',
  help: `Usage: auditseal prove <event id> [--bucket B] [--prefix P] | --dir <local copy>
                           [--keyring file] [--out bundle.json] [--json]

Finds the event (scanning verified segments in order), and writes an evidence
bundle (docs/FORMAT.md §11): the sealed entry (bytes and a decoded summary), its
entry hash and chain link fields, the RFC 6962 inclusion proof of its hash in
its segment's Merkle root, the signed manifest as stored, the first signed
checkpoint at or after the entry (if any) and the public keys that signed them.
Check it anywhere with \`auditseal verify-proof <file> --keyring <file>\`.

${ARCHIVE_HELP}

Options:
  --out <file>           write the bundle here (default: stdout)
  --json                 with --out: a JSON summary on stdout
  -h, --help             this help

Exit codes: 0 bundle written, 1 the event is not in the archive or a segment
failed verification on the way, 2 usage or environment error.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('prove', argv, { ...COMMON_OPTIONS, ...ARCHIVE_OPTIONS, out: { type: 'string' } }, 1);
    const eventId = positionals[0];
    if (!eventId) throw usageError('prove: give the event id (a UUIDv7)', 'see `auditseal prove --help`');
    if (!isUuidV7(eventId)) throw usageError(`prove: ${JSON.stringify(eventId)} is not a UUIDv7 event id in canonical lowercase form`);
    const outPath = stringOption(values, 'out');
    const archive = await openArchive(values, io.env);
    try {
      const trusted = await loadKeyring(values, archive);
      if (trusted.warning) io.stderr(`warning: ${trusted.warning}\n`);
      const summary: ScanSummary = { segmentsVerified: 0, entriesVerified: 0, segmentsWithoutManifest: [] };
      let found: { segment: VerifiedSegment; index: number } | undefined;
      // The id is an Avro string inside the value, so its UTF-8 text appears verbatim: a cheap filter before decoding.
      const needle = Buffer.from(eventId, 'utf8');
      for await (const segment of verifiedSegments(archive, trusted.keyring, summary)) {
        const index = segment.entries.findIndex((e) => {
          if (e.kind !== 'EVENT' || Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength).indexOf(needle) < 0) return false;
          try {
            return decodeEvent(e.value).eventId === eventId;
          } catch {
            return false;
          }
        });
        if (index >= 0) {
          found = { segment, index };
          break;
        }
      }
      if (!found) {
        throw new CliError('verification_failed', `event ${eventId} is not in the archive ${archive.location} (${summary.segmentsVerified} verified segments, ${summary.entriesVerified} entries searched)`);
      }
      const { segment, index } = found;
      const entry = segment.entries[index]!;
      const m = segment.manifest;
      // The first checkpoint at or after the entry whose signature verifies.
      const layout = archiveLayout(archive.prefix);
      let checkpoint: EvidenceBundle['checkpoint'] = null;
      let checkpointKeyId: string | undefined;
      for await (const item of archive.reader.list(layout.checkpointsPrefix(entry.chainId))) {
        const headSeq = layout.parseCheckpointKey(entry.chainId, item.key);
        if (headSeq === undefined || headSeq < entry.seq) continue;
        const bytes = await archive.reader.get(item.key);
        if (!bytes) continue;
        try {
          const cp = parseCheckpoint(bytes);
          if (cp.chainId !== entry.chainId || cp.headSeq !== headSeq || !verifyCheckpointSignature(cp, trusted.keyring).ok) continue;
          checkpoint = { key: item.key, json: Buffer.from(bytes).toString('utf8') };
          checkpointKeyId = cp.keyId;
          break;
        } catch {
          continue; // verify-archive reports unreadable checkpoints
        }
      }
      const keyIds = new Set([m.keyId, ...(checkpointKeyId ? [checkpointKeyId] : [])]);
      const keys: PublicKeyEntry[] = trusted.keyring.keys.filter((k) => keyIds.has(k.keyId));
      const bundle: EvidenceBundle = {
        format: BUNDLE_FORMAT,
        createdAt: io.now().toISOString(),
        eventId,
        archive: archive.location,
        entry: {
          sealedEntry: Buffer.from(sealedEntryBytes(entry)).toString('base64'),
          chainId: entry.chainId,
          seq: entry.seq,
          bodyHash: toHex(entryBodyHash(toCoreEntry(entry))),
          prevHash: toHex(entry.prevHash),
          hash: toHex(entry.hash),
          event: eventJson(eventOf(entry), entry),
        },
        inclusion: {
          segmentKey: segment.segmentKey,
          leafIndex: index,
          treeSize: m.entryCount,
          proof: inclusionProof(
            segment.entries.map((e) => e.hash),
            index,
          ).map(toHex),
          merkleRoot: toHex(m.merkleRoot),
        },
        manifest: { key: segment.manifestKey, json: Buffer.from(segment.manifestBytes).toString('utf8') },
        checkpoint,
        keys: JSON.parse(serializeKeyring(createKeyring(keys))),
      };
      // Never hand out a bundle that does not verify with the keys it was built from.
      const self = verifyBundle(JSON.parse(JSON.stringify(bundle)), trusted.keyring);
      if (!self.valid) throw new Error(`internal: the bundle does not verify: ${self.reason}`);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (outPath) {
        try {
          writeFileSync(outPath, text);
        } catch (error) {
          throw new CliError('environment', `cannot write ${outPath}: ${errorText(error)}`);
        }
        const info = { eventId, out: outPath, chainId: entry.chainId, seq: entry.seq, segmentKey: segment.segmentKey, checkpoint: checkpoint?.key ?? null, keyring: trusted.source };
        if (values.json === true) io.stdout(`${JSON.stringify(info)}\n`);
        else io.stderr(`wrote evidence bundle ${outPath}: event ${eventId} is ${entry.chainId} seq ${entry.seq} in ${segment.segmentKey}${checkpoint ? `, checkpoint ${checkpoint.key}` : ', no checkpoint covers it yet'}\n`);
      } else io.stdout(text);
      return EXIT_OK;
    } finally {
      archive.close();
    }
  },
};

export const verifyProofCommand: Command = {
  name: 'verify-proof',
  summary: 'check an evidence bundle offline with only the public keys',
  help: `Usage: auditseal verify-proof <bundle.json> --keyring <file> [--json]

Checks an evidence bundle (docs/FORMAT.md §11) offline — no S3, no Kafka —
against the public keyring you trust:
  1. the sealed entry decodes and holds the event the bundle names;
  2. SHA-256 of its entry body and its chain link recompute to its hash;
  3. the manifest's signature verifies with a key valid at its createdAt;
  4. the inclusion proof leads from the entry hash to the manifest's Merkle root
     (leaf seq − firstSeq of entryCount leaves);
  5. the checkpoint, if present, is signed, of the same chain, at or after the entry.

Options:
  --keyring <file>       the public keyring (FORMAT.md §6.4); required
  --json                 the result as JSON
  -h, --help             this help

Exit codes: 0 valid, 1 invalid (the reason is printed), 2 usage error or unreadable file.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('verify-proof', argv, { ...COMMON_OPTIONS, keyring: { type: 'string' } }, 1);
    const path = positionals[0];
    if (!path) throw usageError('verify-proof: give the bundle file', 'see `auditseal verify-proof --help`');
    const keyringPath = stringOption(values, 'keyring');
    if (!keyringPath) throw usageError('verify-proof: --keyring <file> is required (the public keys you trust; a bundle cannot vouch for itself)');
    const keyring = readKeyringFile(keyringPath);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CliError('environment', `cannot read ${path}: ${errorText(error)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      doc = undefined;
      const result = { valid: false, reason: `not JSON: ${errorText(error)}`, checks: [] };
      io.stdout(values.json === true ? `${JSON.stringify(result)}\n` : `INVALID: ${result.reason}\n`);
      return EXIT_FINDINGS;
    }
    const result = verifyBundle(doc, keyring);
    if (values.json === true) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else {
      for (const c of result.checks) io.stdout(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(22)} ${c.detail}\n`);
      io.stdout(
        result.valid
          ? `VALID: event ${result.summary!.eventId} is ${result.summary!.chainId} seq ${result.summary!.seq}, in the segment signed at ${result.summary!.manifestCreatedAt}${result.summary!.checkpoint ? `, covered by the checkpoint at seq ${result.summary!.checkpoint.headSeq} (${result.summary!.checkpoint.time})` : ', no checkpoint in the bundle'}\n`
          : `INVALID: ${result.reason}\n`,
      );
    }
    return result.valid ? EXIT_OK : EXIT_FINDINGS;
  },
};
