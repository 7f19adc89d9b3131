import { SEALED_ENTRY_LIMITS, decodeEventDetailed, type SealedEntry, type WriterSchemaRegistry } from '@auditseal/codec';
import { locationEvidence, type EntryLocation } from './check-chain';
import { finding, type FindingSink } from './findings';

/**
 * FORMAT.md §9.3 step 5: the value of an `EVENT` entry is an audit.events
 * value that decodes as an event (§8.6) — the chainer accepted it as one.
 * The chain hash covers the value, so a failure here is not a later
 * tampering but the chainer sealing as an event what it should have
 * rejected (a bug, or an event forged before sealing).
 *
 * Not checked (yet): producer signatures of signed events (they need the
 * producers' keyring), and that `REJECTED` values still fail with their
 * recorded reason — an `UNKNOWN_SCHEMA` record may decode once the verifier
 * knows a newer schema (§8.7), so that is no evidence of anything.
 */

export interface EventValueOptions {
  /** Writer schemas the verifier knows (default: codec's registry). */
  registry?: WriterSchemaRegistry;
  /**
   * Size limit for decoding. Default: the sealed entry limit (8 MiB), not
   * the producers' 256 KiB, so a deployment with a larger configured limit
   * is not reported.
   */
  maxEventBytes?: number;
}

/** Checks one entry's value; resolves to whether it passed. */
export function checkEventValue(entry: SealedEntry, where: EntryLocation, options: EventValueOptions, sink: FindingSink): boolean {
  if (entry.kind !== 'EVENT') return true;
  try {
    decodeEventDetailed(entry.value, {
      maxEventBytes: options.maxEventBytes ?? SEALED_ENTRY_LIMITS.maxEntryBytes,
      ...(options.registry ? { registry: options.registry } : {}),
    });
    return true;
  } catch (error) {
    const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'malformed';
    sink(
      finding({
        kind: 'invalid_entry',
        severity: 'high',
        chainId: entry.chainId,
        seqs: { first: entry.seq, last: entry.seq },
        expected: 'an EVENT value that decodes as an audit event (FORMAT.md §8.6)',
        actual: code,
        message: `entry ${entry.seq} is an EVENT whose value does not decode: ${String((error as Error)?.message ?? error).slice(0, 300)}`,
        ...locationEvidence(where),
        details: { field: 'value', code },
      }),
    );
    return false;
  }
}
