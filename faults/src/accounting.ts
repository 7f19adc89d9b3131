/**
 * The loss/duplicate accounting of a fault scenario, pure: what the producers
 * had acknowledged against what audit.sealed and the archive hold. A record is
 * named by a string key — the event id for valid events, `<partition>:<offset>`
 * of audit.events for raw records that carry no id.
 */

export interface AccountingInput {
  /** Keys of every record a producer got an acknowledgement for (acks=all). */
  acknowledged: readonly string[];
  /** Keys of the entries of audit.sealed, one per entry (a key seen twice is a duplicate). */
  sealed: readonly string[];
  /** Keys of the entries of every archived segment, one per entry. */
  archived: readonly string[];
}

export interface Accounting {
  acknowledged: number;
  sealed: number;
  archived: number;
  /** Acknowledged keys missing from audit.sealed or from the archive (each key counted once). */
  lost: number;
  /** Keys present more than once in audit.sealed or in the archive (each key counted once). */
  duplicated: number;
  /** A few of the lost and duplicated keys, for the failure message. */
  examples: { lost: string[]; duplicated: string[] };
}

const EXAMPLES = 5;

export function accountRecords(input: AccountingInput): Accounting {
  const sealed = countKeys(input.sealed);
  const archived = countKeys(input.archived);
  const lost = new Set<string>();
  for (const key of input.acknowledged) if (!sealed.has(key) || !archived.has(key)) lost.add(key);
  const duplicated = new Set<string>();
  for (const counts of [sealed, archived]) for (const [key, n] of counts) if (n > 1) duplicated.add(key);
  return {
    acknowledged: new Set(input.acknowledged).size,
    sealed: input.sealed.length,
    archived: input.archived.length,
    lost: lost.size,
    duplicated: duplicated.size,
    examples: { lost: [...lost].slice(0, EXAMPLES), duplicated: [...duplicated].slice(0, EXAMPLES) },
  };
}

function countKeys(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
