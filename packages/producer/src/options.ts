import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import { EVENT_LIMITS, type AuditSource, type ValidationIssue } from '@auditseal/codec';
import { signingKeyFromSeed } from '@auditseal/core';
import { topicNames, type Logger } from '@auditseal/kafka';
import type { Kafka, SASLOptions } from 'kafkajs';
import { ProducerError } from './errors';
import type { BatchMetrics } from './event-batcher';
import type { KafkaSender } from './kafka-sender';
import type { EventSigningKey } from './prepare-event';

/** Options of `createAuditProducer`. Only `source.service` and a way to reach Kafka are required. */
export interface AuditProducerOptions {
  /** Kafka bootstrap brokers (`host:port`). Required unless `kafka` is given. */
  brokers?: string[];
  /** A kafkajs client to use instead of `brokers` (e.g. from `createKafkaClient` of @auditseal/kafka). */
  kafka?: Kafka;
  /** Client id for the kafkajs client the producer creates. Default `auditseal-producer-<service>`. */
  clientId?: string;
  /** `true`, or tls.connect options (`ca`, `cert`, `key`, `servername`) for a private CA or mTLS. */
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** Topic to write. Default `audit.events`. */
  topic?: string;
  /**
   * Who emits: filled into every event that has no `source`. `instance`
   * defaults to `<hostname>:<pid>`.
   */
  source: { service: string; instance?: string; region?: string | null };
  /**
   * Sign every event that carries no signature with this Ed25519 key
   * (FORMAT.md 8.5): a core `SigningKey` or `{ keyId, privateKey }` with the
   * 32-byte seed. `keyId` must be the key's id (`keyIdOf(publicKey)`).
   */
  signingKey?: EventSigningKey;
  /** How long a partial batch waits for more events before it is sent. Default 5 ms. */
  lingerMs?: number;
  /** Most events in one produce request. Default 1,000. */
  maxBatchEvents?: number;
  /**
   * Most bytes (values + keys) in one produce request. Default 1,000,000: with
   * record framing it stays under the 1 MiB `max.message.bytes` of the audit
   * topic policy. Lower it if your topic allows less.
   */
  maxBatchBytes?: number;
  /** Most events held (queued or in flight); further emits wait for room. Default 10,000. */
  maxBufferedEvents?: number;
  /** Most bytes held (queued or in flight); further emits wait for room. Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Largest encoded event accepted (codec limit). Default 256 KiB. */
  maxEventBytes?: number;
  /** Every emit settles within this many ms of the call: a receipt or `delivery_timeout`. Default 30,000. */
  deliveryTimeoutMs?: number;
  /** First retry backoff after a failed send, doubled per attempt with full jitter. Default 100 ms. */
  initialBackoffMs?: number;
  /** Largest retry backoff. Default 2,000 ms. */
  maxBackoffMs?: number;
  /** How long one produce request may take (client timeout and broker ack timeout). Default 10,000 ms. */
  requestTimeoutMs?: number;
  logger?: Logger;
  /** Called after every batch with what it did (events, bytes, attempts, duration, error). Must not throw. */
  onBatch?: (metrics: BatchMetrics) => void;
  /**
   * The transport. Default: a kafkajs idempotent producer (acks=all). Tests and
   * other transports may pass their own (see `KafkaSender` for the contract).
   */
  sender?: KafkaSender;
}

/** The defaults, for documentation and for tests that reason about them. */
export const PRODUCER_DEFAULTS = Object.freeze({
  topic: topicNames().events,
  lingerMs: 5,
  maxBatchEvents: 1_000,
  maxBatchBytes: 1_000_000,
  maxBufferedEvents: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxEventBytes: EVENT_LIMITS.maxEventBytes,
  deliveryTimeoutMs: 30_000,
  initialBackoffMs: 100,
  maxBackoffMs: 2_000,
  requestTimeoutMs: 10_000,
});

export interface ResolvedOptions {
  topic: string;
  source: AuditSource;
  signingKey: EventSigningKey | undefined;
  lingerMs: number;
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxBufferedEvents: number;
  maxBufferedBytes: number;
  maxEventBytes: number;
  deliveryTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
}

/** Largest key: a tenant is an identifier of at most 256 UTF-8 bytes (FORMAT.md 8.4). */
const MAX_KEY_BYTES = EVENT_LIMITS.maxIdentifierBytes;

/**
 * Validates options once, at creation (CONVENTIONS.md habit 4), and applies
 * defaults. Throws `invalid_options` naming every bad option. JavaScript
 * callers get the same checks the types give TypeScript callers.
 */
export function resolveOptions(options: AuditProducerOptions): ResolvedOptions {
  const issues: ValidationIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path, message });
  if (typeof options !== 'object' || options === null) {
    throw new ProducerError('invalid_options', 'createAuditProducer needs an options object');
  }

  const hasKafka = options.kafka !== undefined;
  const hasSender = options.sender !== undefined;
  if (!hasKafka && !hasSender) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) bad('brokers', 'must be a non-empty array of "host:port" (or pass `kafka`)');
    else options.brokers.forEach((b, i) => typeof b === 'string' && /^[^\s:]+:\d+$/.test(b) ? undefined : bad(`brokers[${i}]`, `must be "host:port", got ${JSON.stringify(b)}`));
  }

  const topic = options.topic ?? PRODUCER_DEFAULTS.topic;
  if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) bad('topic', 'must be a Kafka topic name ([a-zA-Z0-9._-], 1–249 characters)');

  let source: AuditSource = { service: '', instance: '' };
  const given = options.source as AuditProducerOptions['source'] | undefined;
  if (typeof given !== 'object' || given === null) {
    bad('source', 'is required: { service, instance?, region? }');
  } else {
    const identifier = (path: string, value: unknown) => {
      if (typeof value !== 'string' || value.trim() !== value || value === '' || Buffer.byteLength(value) > MAX_KEY_BYTES) {
        bad(path, `must be a non-empty string of at most ${MAX_KEY_BYTES} bytes without leading or trailing white space`);
      }
    };
    identifier('source.service', given.service);
    const instance = given.instance ?? defaultInstance();
    identifier('source.instance', instance);
    if (given.region !== undefined && given.region !== null) identifier('source.region', given.region);
    source = { service: given.service, instance, region: given.region ?? null };
  }

  let signingKey: EventSigningKey | undefined;
  if (options.signingKey !== undefined) {
    const key = options.signingKey;
    if (typeof key !== 'object' || key === null || !(key.privateKey instanceof Uint8Array) || key.privateKey.length !== 32) {
      bad('signingKey.privateKey', 'must be the 32-byte Ed25519 private seed (Uint8Array)');
    } else {
      const derived = signingKeyFromSeed(key.privateKey).keyId;
      if (key.keyId !== derived) bad('signingKey.keyId', `must be the id of the key (${derived}), got ${JSON.stringify(key.keyId)}`);
      else signingKey = { keyId: key.keyId, privateKey: key.privateKey };
    }
  }

  const int = (name: Exclude<keyof typeof PRODUCER_DEFAULTS, 'topic'>, min: number): number => {
    const value = (options as unknown as Record<string, unknown>)[name] ?? PRODUCER_DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      bad(name, `must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
      return PRODUCER_DEFAULTS[name];
    }
    return value;
  };
  const resolved: ResolvedOptions = {
    topic,
    source,
    signingKey,
    lingerMs: int('lingerMs', 0),
    maxBatchEvents: int('maxBatchEvents', 1),
    maxBatchBytes: int('maxBatchBytes', 1),
    maxBufferedEvents: int('maxBufferedEvents', 1),
    maxBufferedBytes: int('maxBufferedBytes', 1),
    maxEventBytes: int('maxEventBytes', 64),
    deliveryTimeoutMs: int('deliveryTimeoutMs', 1),
    initialBackoffMs: int('initialBackoffMs', 1),
    maxBackoffMs: int('maxBackoffMs', 1),
    requestTimeoutMs: int('requestTimeoutMs', 1),
  };
  // Any valid event must fit an empty buffer and an empty batch, or it could never be sent.
  const largest = resolved.maxEventBytes + MAX_KEY_BYTES;
  if (resolved.maxBufferedBytes < largest) bad('maxBufferedBytes', `must be at least maxEventBytes + ${MAX_KEY_BYTES} (${largest}) so that any valid event fits`);
  if (resolved.maxBatchBytes < largest) bad('maxBatchBytes', `must be at least maxEventBytes + ${MAX_KEY_BYTES} (${largest}) so that any valid event fits`);
  if (resolved.maxBackoffMs < resolved.initialBackoffMs) bad('maxBackoffMs', 'must be at least initialBackoffMs');
  if (options.onBatch !== undefined && typeof options.onBatch !== 'function') bad('onBatch', 'must be a function');

  if (issues.length > 0) {
    throw new ProducerError('invalid_options', `invalid producer options: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
      details: { issues },
    });
  }
  return resolved;
}

function defaultInstance(): string {
  return `${hostname()}:${process.pid}`.slice(0, MAX_KEY_BYTES);
}
