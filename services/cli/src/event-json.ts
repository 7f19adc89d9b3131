import type { AuditEvent, SealedEntry } from '@auditseal/codec';
import { toHex } from '@auditseal/core';

/** µs since the epoch → RFC 3339 UTC with 6 fractional digits (eventTime keeps microseconds). */
export function microsToIso(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString();
  const extra = String(((micros % 1000) + 1000) % 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${extra}Z`;
}

/** An event as plain JSON (times as text, bytes as base64), with where it is sealed. */
export function eventJson(event: AuditEvent, entry: SealedEntry): Record<string, unknown> {
  return {
    eventId: event.eventId,
    eventTime: microsToIso(event.eventTime),
    tenant: event.tenant,
    actor: { type: event.actor.type, id: event.actor.id, displayName: event.actor.displayName ?? null, ip: event.actor.ip ?? null, userAgent: event.actor.userAgent ?? null },
    action: event.action,
    target: { type: event.target.type, id: event.target.id, name: event.target.name ?? null },
    outcome: event.outcome,
    outcomeReason: event.outcomeReason ?? null,
    source: { service: event.source.service, instance: event.source.instance, region: event.source.region ?? null },
    correlationId: event.correlationId ?? null,
    traceId: event.traceId ?? null,
    attributes: event.attributes ?? {},
    payload: event.payload ? Buffer.from(event.payload).toString('base64') : null,
    signature: event.signature ? { keyId: event.signature.keyId, value: Buffer.from(event.signature.value).toString('base64') } : null,
    seal: { chainId: entry.chainId, seq: entry.seq, hash: toHex(entry.hash), sealedAt: microsToIso(entry.sealedAt) },
  };
}

export const CSV_COLUMNS = [
  'eventId',
  'eventTime',
  'tenant',
  'actorType',
  'actorId',
  'actorDisplayName',
  'actorIp',
  'action',
  'targetType',
  'targetId',
  'targetName',
  'outcome',
  'outcomeReason',
  'sourceService',
  'sourceInstance',
  'sourceRegion',
  'correlationId',
  'traceId',
  'attributes',
  'chainId',
  'seq',
  'entryHash',
] as const;

export function eventCsvFields(event: AuditEvent, entry: SealedEntry): string[] {
  return [
    event.eventId,
    microsToIso(event.eventTime),
    event.tenant,
    event.actor.type,
    event.actor.id,
    event.actor.displayName ?? '',
    event.actor.ip ?? '',
    event.action,
    event.target.type,
    event.target.id,
    event.target.name ?? '',
    event.outcome,
    event.outcomeReason ?? '',
    event.source.service,
    event.source.instance,
    event.source.region ?? '',
    event.correlationId ?? '',
    event.traceId ?? '',
    JSON.stringify(event.attributes ?? {}),
    entry.chainId,
    String(entry.seq),
    toHex(entry.hash),
  ];
}
