import type { PublicKeyring } from '@auditseal/core';
import type { Finding } from '@auditseal/verify';

/**
 * Without VERIFIER_KEYRING the verifier trusts the keys the archive publishes
 * (`<prefix>/v1/keys/`), read at the start of each pass. The archiver
 * publishes a new key (first start, rotation) just before it signs with it,
 * so a pass that began a moment earlier meets manifests, checkpoints and key
 * files signed by a key its snapshot lacks — a race, not tampering.
 *
 * Findings that say only "unknown key" are held until the pass ends; then
 * the archive's keys are read again. A key now published: the findings are
 * dropped (their chains, having findings, are verified from scratch by the
 * next pass, with the key). Still unknown: they are raised.
 */

/** The key id a finding blames on the keyring not holding it; undefined for any other finding. */
export function unknownKeyOf(f: Finding): string | undefined {
  const details = (f.details ?? {}) as Record<string, unknown>;
  const keyId = typeof details.keyId === 'string' ? details.keyId : undefined;
  if (f.kind === 'key_file_mismatch') return f.actual === 'unknown key' ? keyId : undefined;
  if (f.kind === 'manifest_signature_invalid' || f.kind === 'checkpoint_signature_invalid') return details.reason === 'unknown_key' ? keyId : undefined;
  return undefined;
}

/** Splits held findings into those still to raise and those a key published since explains. */
export async function settleUnknownKeys(held: readonly Finding[], reload: () => Promise<PublicKeyring>): Promise<{ raise: Finding[]; explained: Finding[] }> {
  if (held.length === 0) return { raise: [], explained: [] };
  const known = new Set((await reload()).keys.map((k) => k.keyId));
  const raise: Finding[] = [];
  const explained: Finding[] = [];
  for (const f of held) (known.has(unknownKeyOf(f) ?? '') ? explained : raise).push(f);
  return { raise, explained };
}
