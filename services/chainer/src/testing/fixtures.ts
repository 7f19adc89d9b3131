import { encodeEvent, encodeSingleObject, eventSigningBytes, schemas, uuidv7, type AuditEvent } from '@auditseal/codec';
import { createKeyring, generateSigningKey, publicKeyEntry, sign, type PublicKeyring, type SigningKey } from '@auditseal/core';

/** Input records of every kind the chainer must tell apart (unit and integration tests). */

export function validEvent(i = 0, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: uuidv7(),
    eventTime: Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + i,
    tenant: 'acme',
    actor: { type: 'user', id: 'alice' },
    action: 'invoice.approve',
    target: { type: 'invoice', id: `inv-${i}` },
    outcome: 'SUCCESS',
    source: { service: 'billing', instance: 'billing-1' },
    ...overrides,
  };
}

export function signedEvent(key: SigningKey, event: AuditEvent): Buffer {
  const signature = sign(eventSigningBytes(event), key);
  return encodeEvent({ ...event, signature: { keyId: key.keyId, value: signature } });
}

/** A signature by `key` over another event's bytes, put on `event`: a forgery. */
export function forgedEvent(key: SigningKey, event: AuditEvent): Buffer {
  const signature = sign(eventSigningBytes({ ...event, action: 'invoice.delete' }), key);
  return encodeEvent({ ...event, signature: { keyId: key.keyId, value: signature } });
}

/** Decodes under the v1 schema but breaks a rule of FORMAT.md 8.4 (eventId is not a UUIDv7). */
export function invalidEventBytes(): Buffer {
  const event = { ...validEvent(), eventId: 'not-a-uuid' };
  const plain = {
    ...event,
    actor: { displayName: null, ip: null, userAgent: null, ...event.actor },
    target: { name: null, ...event.target },
    source: { region: null, ...event.source },
    outcomeReason: null,
    correlationId: null,
    traceId: null,
    attributes: {},
    payload: null,
    signature: null,
  };
  return encodeSingleObject(schemas.auditEvent.fingerprint, schemas.auditEvent.type.toBuffer(plain));
}

/** A single-object header with a fingerprint no known schema has. */
export function unknownSchemaBytes(): Buffer {
  const valid = encodeEvent(validEvent());
  const out = Buffer.from(valid);
  out.writeBigUInt64LE(0x0123456789abcdefn, 2);
  return out;
}

export function truncatedEventBytes(): Buffer {
  const valid = encodeEvent(validEvent());
  return valid.subarray(0, Math.floor(valid.length / 2));
}

export function keyringOf(...keys: SigningKey[]): PublicKeyring {
  return createKeyring(keys.map((k) => publicKeyEntry(k, new Date(Date.UTC(2020, 0, 1)))));
}

export { generateSigningKey };
