import type { Finding } from '@auditseal/verify';

/**
 * One record of `audit.alerts`: a finding with its id, when this verifier
 * first saw it, and who saw it. Schema: schemas/alert.v1.schema.json (JSON
 * Schema 2020-12). The record key is the id, so a consumer (and a restarted
 * verifier) can tell distinct problems apart.
 */
export interface AlertV1 {
  format: 'auditseal/v1/alert';
  id: string;
  kind: Finding['kind'];
  severity: Finding['severity'];
  chainId: string;
  seqRange?: { first: number; last: number };
  expected?: string;
  actual?: string;
  object?: { key: string; versionId?: string };
  offsets?: Finding['offsets'];
  message: string;
  details?: Finding['details'];
  firstSeenAt: string;
  verifierInstance: string;
}

export const ALERT_FORMAT = 'auditseal/v1/alert';

export function toAlert(id: string, f: Finding, firstSeenAt: Date, verifierInstance: string): AlertV1 {
  const alert: AlertV1 = { format: ALERT_FORMAT, id, kind: f.kind, severity: f.severity, chainId: f.chainId, message: f.message, firstSeenAt: firstSeenAt.toISOString(), verifierInstance };
  if (f.seqs) alert.seqRange = { first: f.seqs.first, last: f.seqs.last };
  if (f.expected !== undefined) alert.expected = f.expected;
  if (f.actual !== undefined) alert.actual = f.actual;
  if (f.object) alert.object = { ...f.object };
  if (f.offsets) alert.offsets = { ...f.offsets };
  if (f.details) alert.details = f.details;
  return alert;
}

/**
 * The id of an `audit.alerts` record, read back at start (the set of raised
 * findings). Untrusted bytes (anyone with write access to the topic): anything
 * that is not an alert is ignored, never thrown.
 */
export function alertIdOf(key: Buffer | null, value: Buffer | null): string | undefined {
  if (key && /^[0-9a-f]{32}$/.test(key.toString('utf8'))) return key.toString('utf8');
  if (!value) return undefined;
  try {
    const doc = JSON.parse(value.toString('utf8')) as { format?: unknown; id?: unknown };
    return doc.format === ALERT_FORMAT && typeof doc.id === 'string' && /^[0-9a-f]{32}$/.test(doc.id) ? doc.id : undefined;
  } catch {
    return undefined;
  }
}
