import type { AuditEventInput } from '@auditseal/producer';

/*
 * The demo workload: what a small fleet of services would emit, plus a few bad
 * records that a broken or hostile producer could write straight to
 * audit.events. Pure and deterministic: a seeded PRNG, no clock, no I/O — the
 * same seed gives the same workload, which the unit tests rely on. The SDK
 * fills eventId, eventTime and the producer instance at emit time.
 */

/** mulberry32: a tiny 32-bit PRNG, good enough for a synthetic workload (not for anything secret). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ServiceProfile {
  service: string;
  instances: number;
  actions: ReadonlyArray<{ action: string; target: string }>;
}

/** Who emits, and the vocabulary of each service. */
export const DEMO_SERVICES: readonly ServiceProfile[] = [
  {
    service: 'identity',
    instances: 3,
    actions: [
      { action: 'user.login', target: 'session' },
      { action: 'user.logout', target: 'session' },
      { action: 'user.mfa.challenge', target: 'session' },
      { action: 'user.password.change', target: 'user' },
      { action: 'role.grant', target: 'role' },
    ],
  },
  {
    service: 'billing-api',
    instances: 2,
    actions: [
      { action: 'invoice.create', target: 'invoice' },
      { action: 'invoice.approve', target: 'invoice' },
      { action: 'payment.refund', target: 'payment' },
      { action: 'subscription.cancel', target: 'subscription' },
    ],
  },
  {
    service: 'storage-gateway',
    instances: 4,
    actions: [
      { action: 'object.read', target: 'object' },
      { action: 'object.write', target: 'object' },
      { action: 'object.delete', target: 'object' },
      { action: 'bucket.policy.update', target: 'bucket' },
    ],
  },
  {
    service: 'admin-console',
    instances: 1,
    actions: [
      { action: 'settings.update', target: 'settings' },
      { action: 'user.invite', target: 'user' },
      { action: 'apikey.create', target: 'api_key' },
      { action: 'audit.export', target: 'report' },
    ],
  },
];

/** Tenants, the first ones busier (weights). */
export const DEMO_TENANTS: ReadonlyArray<{ tenant: string; weight: number }> = [
  { tenant: 'acme', weight: 35 },
  { tenant: 'globex', weight: 25 },
  { tenant: 'initech', weight: 15 },
  { tenant: 'umbrella', weight: 12 },
  { tenant: 'hooli', weight: 8 },
  { tenant: 'stark-industries', weight: 5 },
];

/** Outcome mix: mostly success, some failures and denials, a few unknown. */
const OUTCOMES: ReadonlyArray<{ outcome: AuditEventInput['outcome']; weight: number; reasons: readonly string[] }> = [
  { outcome: 'SUCCESS', weight: 82, reasons: [] },
  { outcome: 'FAILURE', weight: 9, reasons: ['upstream timeout', 'validation failed: amount must be positive', 'conflict: resource was modified', 'quota exceeded'] },
  { outcome: 'DENIED', weight: 8, reasons: ['missing permission', 'MFA required', 'tenant suspended', 'IP not in allow list'] },
  { outcome: 'UNKNOWN', weight: 1, reasons: ['client disconnected before the result'] },
];

const ACTOR_TYPES: ReadonlyArray<{ type: string; weight: number }> = [
  { type: 'user', weight: 70 },
  { type: 'service', weight: 15 },
  { type: 'api_key', weight: 12 },
  { type: 'system', weight: 3 },
];

const USER_AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0', 'Mozilla/5.0 (Macintosh) Safari/605.1.15', 'auditseal-demo-cli/1.0', 'okhttp/4.12.0'];

function pickWeighted<T extends { weight: number }>(items: readonly T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1]!;
}

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.min(items.length - 1, Math.floor(r * items.length))]!;
}

/** One good event; `index` only shapes ids (e.g. `inv-…`), the PRNG does the rest. */
export function nextEvent(random: () => number, index: number): AuditEventInput & { source: { service: string; instance: string } } {
  const profile = pick(DEMO_SERVICES, random());
  const { action, target } = pick(profile.actions, random());
  const tenant = pickWeighted(DEMO_TENANTS, random()).tenant;
  const actorType = pickWeighted(ACTOR_TYPES, random()).type;
  const outcome = pickWeighted(OUTCOMES, random());
  const actorId = actorType === 'user' ? `u-${Math.floor(random() * 500)}` : actorType === 'api_key' ? `key-${Math.floor(random() * 40)}` : `${profile.service}-worker`;
  const instance = `${profile.service}-${Math.floor(random() * profile.instances) + 1}`;
  const event: AuditEventInput & { source: { service: string; instance: string } } = {
    tenant,
    actor: {
      type: actorType,
      id: actorId,
      ...(actorType === 'user' ? { ip: `203.0.113.${Math.floor(random() * 254) + 1}`, userAgent: pick(USER_AGENTS, random()) } : {}),
    },
    action,
    target: { type: target, id: `${target.slice(0, 3)}-${index.toString(36)}` },
    outcome: outcome.outcome,
    source: { service: profile.service, instance },
    correlationId: `req-${Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')}`,
    attributes: { tenantTier: tenant === 'acme' || tenant === 'globex' ? 'enterprise' : 'standard', demo: 'true' },
  };
  if (outcome.reasons.length > 0) event.outcomeReason = pick(outcome.reasons, random());
  return event;
}

/** The kinds of bad record the demo writes, and the reject reason the chainer must give each (OPERATIONS.md "Chainer → Metrics"). */
export type BadRecordKind = 'malformed' | 'unknown_schema';

export interface BadRecord {
  kind: BadRecordKind;
  key: string;
  value: Buffer;
}

/**
 * A record no SDK would write: `malformed` is random bytes that do not start
 * with the Avro single-object marker; `unknown_schema` has the marker and a
 * fingerprint no writer schema has, then random bytes.
 */
export function badRecord(random: () => number, kind: BadRecordKind): BadRecord {
  const length = 16 + Math.floor(random() * 200);
  const value = Buffer.alloc(length);
  for (let i = 0; i < length; i++) value[i] = Math.floor(random() * 256);
  if (kind === 'malformed') {
    if (value[0] === 0xc3) value[0] = 0x00;
  } else {
    value[0] = 0xc3;
    value[1] = 0x01;
    // A fingerprint with this fixed tag in its first bytes: 2^-32 chance per
    // record that it is not unknown, and then only if the other 32 bits match too.
    value.write('demo', 2, 'latin1');
  }
  return { kind, key: pickWeighted(DEMO_TENANTS, random()).tenant, value };
}

/** One step of the workload: a good event for the SDK, or a bad record to write raw. */
export type WorkloadItem = { kind: 'event'; event: AuditEventInput } | { kind: 'bad'; record: BadRecord };

export interface WorkloadPlan {
  /** Good events; undefined = endless. */
  events: number | undefined;
  /** Bad records spread over a finite run (ignored when endless). */
  badRecords: number;
  /** In an endless run, one bad record after every this many good events. */
  badEvery: number;
  seed: number;
}

/** Good-event indexes after which a bad record is written: `bad` slots spread evenly over `events`. */
export function badSlots(events: number, bad: number): number[] {
  if (bad <= 0) return [];
  if (events <= 0) return Array.from({ length: bad }, () => 0);
  return Array.from({ length: bad }, (_, k) => Math.min(events, Math.floor(((k + 0.5) * events) / bad)));
}

/** How many bad records of each kind a finite plan writes: they alternate, malformed first. */
export function badRecordCounts(bad: number): Record<BadRecordKind, number> {
  return { malformed: Math.ceil(bad / 2), unknown_schema: Math.floor(bad / 2) };
}

/**
 * The workload as a sequence: `events` good events (or endless) with the bad
 * records interleaved. A finite plan yields exactly `events` events and
 * `badRecords` bad records.
 */
export function* workload(plan: WorkloadPlan): Generator<WorkloadItem> {
  const random = createPrng(plan.seed);
  let bad = 0;
  const nextBad = (): WorkloadItem => ({ kind: 'bad', record: badRecord(random, bad++ % 2 === 0 ? 'malformed' : 'unknown_schema') });
  if (plan.events === undefined) {
    for (let i = 0; ; i++) {
      if (plan.badEvery > 0 && i > 0 && i % plan.badEvery === 0) yield nextBad();
      yield { kind: 'event', event: nextEvent(random, i) };
    }
  }
  const slots = badSlots(plan.events, plan.badRecords);
  let s = 0;
  for (let i = 0; i <= plan.events; i++) {
    while (s < slots.length && slots[s] === i) {
      yield nextBad();
      s++;
    }
    if (i < plan.events) yield { kind: 'event', event: nextEvent(random, i) };
  }
}
