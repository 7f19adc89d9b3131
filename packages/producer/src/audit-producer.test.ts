import { decodeEvent, decodeEventDetailed, eventSigningBytes, isUuidV7 } from '@auditseal/codec';
import { createKeyring, generateSigningKey, publicKeyEntry, verifySignature } from '@auditseal/core';
import { createAuditProducer, type AuditProducer } from './audit-producer';
import { ProducerError } from './errors';
import type { AuditProducerOptions } from './options';
import type { AuditEventInput } from './prepare-event';
import { FakeSender, kafkaLikeError } from './test-support/fake-sender';

const event = (overrides: Partial<AuditEventInput> = {}): AuditEventInput => ({
  tenant: 'acme',
  actor: { type: 'user', id: 'u-42' },
  action: 'invoice.approve',
  target: { type: 'invoice', id: 'inv-7' },
  outcome: 'SUCCESS',
  ...overrides,
});

const source = { service: 'billing-api', instance: 'billing-api-7f9c', region: 'eu-west-1' };

/** The error `fn` throws synchronously. */
function thrown(fn: () => unknown): ProducerError {
  try {
    fn();
  } catch (error) {
    return error as ProducerError;
  }
  throw new Error('expected a synchronous throw');
}

describe('createAuditProducer', () => {
  let producers: AuditProducer[] = [];
  const create = (options: Partial<AuditProducerOptions> = {}) => {
    const sender = new FakeSender();
    const producer = createAuditProducer({ sender, source, lingerMs: 1, ...options });
    producers.push(producer);
    return { producer, sender };
  };
  afterEach(async () => {
    await Promise.all(producers.map((p) => p.close({ timeoutMs: 0 })));
    producers = [];
  });

  describe('when options are invalid', () => {
    it('throws invalid_options naming every bad option', () => {
      const error = thrown(() =>
        createAuditProducer({ brokers: ['no-port'], source: { service: ' padded ' }, lingerMs: -1, maxBufferedBytes: 10, topic: 'bad topic' } as AuditProducerOptions),
      );
      expect(error).toBeInstanceOf(ProducerError);
      expect(error.code).toBe('invalid_options');
      const paths = (error.details.issues as { path: string }[]).map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['brokers[0]', 'topic', 'source.service', 'lingerMs', 'maxBufferedBytes']));
      for (const path of ['brokers[0]', 'topic', 'source.service', 'lingerMs', 'maxBufferedBytes']) expect(error.message).toContain(path);
    });

    it('requires brokers, a kafka client or a sender', () => {
      expect(thrown(() => createAuditProducer({ source } as AuditProducerOptions)).message).toContain('brokers');
    });
  });

  describe('emit', () => {
    describe('when the event omits eventId, eventTime and source', () => {
      it('fills them in: a new UUIDv7, now in microseconds, the producer source', async () => {
        const { producer, sender } = create();
        const before = Date.now() * 1000;
        const receipt = await producer.emit(event());
        const after = Date.now() * 1000;
        const sent = decodeEvent(sender.sentRecords[0]!.value);
        expect(isUuidV7(sent.eventId)).toBe(true);
        expect(receipt.eventId).toBe(sent.eventId);
        expect(sent.eventTime).toBeGreaterThanOrEqual(before);
        expect(sent.eventTime).toBeLessThanOrEqual(after);
        expect(sent.source).toEqual(source);
      });

      it('defaults source.instance to <hostname>:<pid>', async () => {
        const { producer, sender } = create({ source: { service: 'billing-api' } });
        await producer.emit(event());
        expect(decodeEvent(sender.sentRecords[0]!.value).source).toEqual({ service: 'billing-api', instance: expect.stringMatching(new RegExp(`:${process.pid}$`)), region: null });
      });
    });

    it('keeps the eventId, eventTime and source the caller gives', async () => {
      const { producer, sender } = create();
      const given = { eventId: '01890a5d-ac96-774b-bcce-b302099a8057', eventTime: 1_700_000_000_123_456, source: { service: 'other', instance: 'i-1' } };
      await producer.emit(event(given));
      expect(decodeEvent(sender.sentRecords[0]!.value)).toMatchObject({ ...given, source: { ...given.source, region: null } });
    });

    it('keys the record by tenant', async () => {
      const { producer, sender } = create();
      await Promise.all([producer.emit(event({ tenant: 'acme' })), producer.emit(event({ tenant: 'globex' }))]);
      expect(sender.sentRecords.map((r) => r.key)).toEqual(['acme', 'globex']);
    });

    describe('when the event is invalid', () => {
      const bad = { tenant: '', actor: { type: 'user' }, action: 'x.y', target: { type: 'doc', id: 'd' }, outcome: 'MAYBE', bogus: 1 } as unknown as AuditEventInput;

      it('throws synchronously, before returning a promise, an invalid_event naming every bad field; nothing is queued', () => {
        const { producer, sender } = create();
        const error = thrown(() => producer.emit(bad));
        expect(error).toBeInstanceOf(ProducerError);
        expect(error).toMatchObject({ code: 'invalid_event', retriable: false });
        const paths = (error.details.issues as { path: string }[]).map((i) => i.path);
        expect(paths).toEqual(expect.arrayContaining(['tenant', 'actor.id', 'outcome', 'bogus']));
        for (const path of ['tenant', 'actor.id', 'outcome', 'bogus']) expect(error.message).toContain(path);
        expect(producer.stats().bufferedEvents).toBe(0);
        expect(sender.calls).toHaveLength(0);
      });

      it('is caught by try { await emit() } catch', async () => {
        const { producer } = create();
        let caught: unknown;
        try {
          await producer.emit(bad);
        } catch (error) {
          caught = error;
        }
        expect(caught).toMatchObject({ code: 'invalid_event' });
      });

      it('rejects a value that is not an object', () => {
        const { producer } = create();
        expect(thrown(() => producer.emit(null as unknown as AuditEventInput))).toMatchObject({ code: 'invalid_event', details: { issues: [{ path: '' }] } });
      });

      it('reports a __proto__ key (as JSON.parse makes) as an unknown field, and takes no field from it', () => {
        const { producer, sender } = create();
        const parsed = JSON.parse(`{"__proto__": {"tenant": "globex"}, ${JSON.stringify(event()).slice(1)}`) as AuditEventInput;
        const error = thrown(() => producer.emit(parsed));
        expect(error).toMatchObject({ code: 'invalid_event', details: { issues: [{ path: '__proto__', message: 'unknown field' }] } });
        expect(sender.calls).toHaveLength(0);
      });
    });

    it('rejects with closed after close()', async () => {
      const { producer } = create();
      await producer.close();
      await expect(producer.emit(event())).rejects.toMatchObject({ code: 'closed' });
    });
  });

  describe('emitMany', () => {
    it('sends the events in order and resolves with their receipts in input order', async () => {
      const { producer, sender } = create();
      const receipts = await producer.emitMany([event({ tenant: 'a' }), event({ tenant: 'b' }), event({ tenant: 'c' })]);
      expect(sender.sentRecords.map((r) => r.key)).toEqual(['a', 'b', 'c']);
      expect(receipts.map((r) => r.eventId)).toEqual(sender.sentRecords.map((r) => decodeEvent(r.value).eventId));
    });

    it('throws synchronously when any event is invalid, naming index and field, and sends none', () => {
      const { producer, sender } = create();
      const error = thrown(() => producer.emitMany([event(), event({ tenant: '' }), event(), event({ action: '' as string, outcome: 'NOPE' as 'SUCCESS' })]));
      expect(error.code).toBe('invalid_event');
      expect((error.details.issues as { path: string }[]).map((i) => i.path)).toEqual(['[1].tenant', '[3].outcome', '[3].action']);
      expect(producer.stats().bufferedEvents).toBe(0);
      expect(sender.calls).toHaveLength(0);
    });

    it('when some fail, rejects after all settled, listing the failed indexes and the receipts of the rest', async () => {
      const { producer, sender } = create({ maxBatchEvents: 1 });
      sender.behavior = (records) => {
        if (records[0]!.key === 'refused') throw kafkaLikeError('TOPIC_AUTHORIZATION_FAILED', false);
      };
      const error = (await producer.emitMany([event(), event({ tenant: 'refused' }), event()]).catch((e: unknown) => e)) as ProducerError;
      expect(error).toMatchObject({ code: 'send_failed', retriable: false });
      expect(error.details.failures).toEqual([expect.objectContaining({ index: 1, code: 'send_failed' })]);
      const receipts = error.details.receipts as unknown[];
      expect(receipts[0]).not.toBeNull();
      expect(receipts[1]).toBeNull();
      expect(receipts[2]).not.toBeNull();
    });
  });

  describe('with a signingKey', () => {
    it('signs each event with Ed25519 over eventSigningBytes, verifiable with the public key', async () => {
      const key = generateSigningKey();
      const { producer, sender } = create({ signingKey: key });
      await producer.emit(event());
      const { event: sent, signedBytes } = decodeEventDetailed(sender.sentRecords[0]!.value);
      expect(sent.signature?.keyId).toBe(key.keyId);
      expect(signedBytes).toEqual(eventSigningBytes(sent));
      const keyring = createKeyring([publicKeyEntry(key, new Date(0))]);
      const verdict = verifySignature(signedBytes!, sent.signature!.value, key.keyId, keyring, new Date());
      expect(verdict.ok).toBe(true);
    });

    it('refuses a keyId that is not the id of the key', () => {
      const key = generateSigningKey();
      const error = thrown(() => createAuditProducer({ sender: new FakeSender(), source, signingKey: { keyId: '0000000000000000', privateKey: key.privateKey } }));
      expect(error).toMatchObject({ code: 'invalid_options' });
      expect(error.message).toContain(key.keyId);
    });
  });
});
