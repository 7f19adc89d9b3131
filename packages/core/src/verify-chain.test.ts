import { genesisHash, genesisHead, sealEntry, type ChainHead } from './chain';
import { chainId } from './chain-id';
import { portableCrypto } from './crypto-portable';
import type { EntryBodyFields } from './entry-body';
import { toHex } from './bytes';
import { ChainVerifier, verifyChain, verifyChainAsync, type SealedEntry, type VerifiableEntry } from './verify-chain';

const ID = chainId({ cluster: 'c1', topic: 'audit.events', partition: 0 });
const OTHER = chainId({ cluster: 'c1', topic: 'audit.events', partition: 1 });

function body(i: number): EntryBodyFields {
  return i % 4 === 3
    ? { kind: 'rejected', sourceOffset: i, sourceTimestampMs: i, sealedAtMicros: i * 1000, key: null, value: new Uint8Array(0), rejectReason: 'malformed', rejectDetail: 'bad' }
    : { kind: 'event', sourceOffset: i, sourceTimestampMs: i, sealedAtMicros: i * 1000, key: Buffer.from('k'), value: Buffer.from(`v${i}`), rejectReason: 'none' };
}

function buildChain(n: number, id = ID, from: ChainHead = genesisHead(id)): SealedEntry[] {
  const out: SealedEntry[] = [];
  let head = from;
  for (let i = head.seq + 1; out.length < n; i++) {
    const s = sealEntry(body(i), head);
    out.push({ chainId: id, seq: s.seq, prevHash: s.prevHash, hash: s.hash, ...body(i) });
    head = s.head;
  }
  return out;
}

const flip = (h: Uint8Array) => {
  const c = Uint8Array.from(h);
  c[0]! ^= 1;
  return c;
};

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('verifyChain', () => {
  describe('when the chain is intact', () => {
    it('returns ok with the head and count', () => {
      const entries = buildChain(12);
      const result = verifyChain(entries, { chainId: ID });
      expect(result).toEqual({ ok: true, chainId: ID, checked: 12, head: { chainId: ID, seq: 11, hash: entries[11]!.hash } });
    });

    it('also accepts links known only by body hash, and an empty chain', () => {
      const links = buildChain(5).map((e) => {
        const s = sealEntry(body(e.seq), { chainId: ID, seq: e.seq - 1, hash: e.prevHash });
        return { chainId: ID, seq: e.seq, prevHash: e.prevHash, hash: e.hash, bodyHash: s.bodyHash };
      });
      expect(verifyChain(links, { chainId: ID }).ok).toBe(true);
      expect(verifyChain([], { chainId: ID })).toMatchObject({ ok: true, checked: 0, head: { seq: -1, hash: genesisHash(ID) } });
    });

    it('agrees with the portable backend', () => {
      expect(verifyChain(buildChain(8), { chainId: ID, backend: portableCrypto })).toMatchObject({ ok: true, checked: 8 });
    });
  });

  describe('when continuing from a known head', () => {
    it('verifies the continuation only', () => {
      const entries = buildChain(10);
      const from: ChainHead = { chainId: ID, seq: 5, hash: entries[5]!.hash };
      expect(verifyChain(entries.slice(6), { chainId: ID, from })).toMatchObject({ ok: true, checked: 4, head: { seq: 9 } });
    });

    it('reports bad_prev_hash when the head does not match', () => {
      const entries = buildChain(10);
      const from: ChainHead = { chainId: ID, seq: 5, hash: entries[4]!.hash };
      const result = verifyChain(entries.slice(6), { chainId: ID, from });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'bad_prev_hash', seq: 6, index: 0 } });
    });

    it('reports a gap when the continuation starts late', () => {
      const entries = buildChain(10);
      const result = verifyChain(entries.slice(7), { chainId: ID, from: { chainId: ID, seq: 5, hash: entries[5]!.hash } });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'gap', seq: 6, expected: '6', actual: '7' } });
    });
  });

  describe('when one entry is tampered with', () => {
    const cases: [string, (e: SealedEntry[]) => VerifiableEntry[], Record<string, unknown>][] = [
      ['a missing entry', (e) => [...e.slice(0, 4), ...e.slice(5)], { kind: 'gap', seq: 4, index: 4, expected: '4', actual: '5' }],
      ['a missing first entry', (e) => e.slice(1), { kind: 'gap', seq: 0, index: 0, expected: '0', actual: '1' }],
      ['the same entry twice', (e) => [...e.slice(0, 5), e[4]!, ...e.slice(5)], { kind: 'duplicate', seq: 4, index: 5, expected: '5', actual: '4' }],
      ['a second, different entry 4', (e) => [...e.slice(0, 5), { ...e[4]!, value: Buffer.from('forged') }, ...e.slice(5)], { kind: 'fork', seq: 4, index: 5 }],
      ['same hash but other content at seq 4', (e) => [...e.slice(0, 5), { ...e[4]!, value: Buffer.from('x') }], { kind: 'fork', seq: 4 }],
      ['an old entry replayed', (e) => [...e.slice(0, 6), e[2]!], { kind: 'out_of_order', seq: 2, index: 6, expected: '6', actual: '2' }],
      ['swapped entries', (e) => [...e.slice(0, 3), e[4]!, e[3]!, ...e.slice(5)], { kind: 'gap', seq: 3, expected: '3', actual: '4' }],
      ['a changed value', (e) => e.map((x) => (x.seq === 6 ? { ...x, value: Buffer.from('changed') } : x)), { kind: 'bad_hash', seq: 6, index: 6 }],
      ['a changed key', (e) => e.map((x) => (x.seq === 2 ? { ...x, key: null } : x)), { kind: 'bad_hash', seq: 2 }],
      ['a changed timestamp', (e) => e.map((x) => (x.seq === 7 ? { ...x, sealedAtMicros: 1 } : x)), { kind: 'bad_hash', seq: 7 }],
      ['a rejected entry turned into an event', (e) => e.map((x) => (x.seq === 3 ? { ...x, kind: 'event', rejectReason: 'none', rejectDetail: null } : x)), { kind: 'bad_hash', seq: 3 }],
      ['a changed hash', (e) => e.map((x) => (x.seq === 5 ? { ...x, hash: flip(x.hash) } : x)), { kind: 'bad_hash', seq: 5 }],
      ['a changed prevHash', (e) => e.map((x) => (x.seq === 8 ? { ...x, prevHash: flip(x.prevHash) } : x)), { kind: 'bad_prev_hash', seq: 8 }],
      ['an entry of another chain', (e) => e.map((x) => (x.seq === 1 ? { ...x, chainId: OTHER } : x)), { kind: 'wrong_chain', seq: 1, expected: ID, actual: OTHER }],
      ['a spliced entry from another chain', (e) => [...e.slice(0, 3), buildChain(4, OTHER)[3]!, ...e.slice(4)], { kind: 'wrong_chain', seq: 3 }],
      ['a relabelled entry of another chain', (e) => [...e.slice(0, 3), { ...buildChain(4, OTHER)[3]!, chainId: ID }], { kind: 'bad_prev_hash', seq: 3 }],
      ['a malformed hash', (e) => e.map((x) => (x.seq === 4 ? { ...x, hash: x.hash.subarray(1) } : x)), { kind: 'malformed', seq: 4 }],
      ['a malformed seq', (e) => e.map((x) => (x.seq === 4 ? { ...x, seq: -4 } : x)), { kind: 'malformed', seq: 4 }],
      ['invalid body fields', (e) => e.map((x) => (x.seq === 2 ? { ...x, rejectReason: 'bogus' as never } : x)), { kind: 'malformed', seq: 2 }],
    ];

    it.each(cases)('detects %s at the right seq', async (_name, tamper, expected) => {
      const tampered = tamper(buildChain(10));
      const result = verifyChain(tampered, { chainId: ID });
      expect(result.ok).toBe(false);
      expect(result).toMatchObject({ failure: expected });
      expect(await verifyChainAsync(asAsync(tampered), { chainId: ID })).toEqual(result);
      expect(verifyChain(tampered, { chainId: ID, backend: portableCrypto })).toEqual(result);
    });

    it('reports the hashes as evidence', () => {
      const entries = buildChain(6);
      const forged = { ...entries[3]!, hash: flip(entries[3]!.hash) };
      const result = verifyChain([...entries.slice(0, 3), forged], { chainId: ID });
      expect(result).toMatchObject({ ok: false, checked: 3, head: { seq: 2 }, failure: { expected: toHex(entries[3]!.hash), actual: toHex(forged.hash) } });
    });
  });

  describe('when several entries are bad', () => {
    it('reports only the first', () => {
      const e = buildChain(10);
      const tampered = e.map((x) => (x.seq >= 4 ? { ...x, value: Buffer.from('z') } : x));
      expect(verifyChain(tampered, { chainId: ID })).toMatchObject({ ok: false, checked: 4, failure: { seq: 4 } });
    });
  });

  describe('when the input is not an entry at all', () => {
    it('reports malformed instead of throwing', () => {
      expect(verifyChain([null as never], { chainId: ID })).toMatchObject({ ok: false, failure: { kind: 'malformed', seq: 0 } });
      expect(verifyChain([{ seq: 0 } as never], { chainId: ID })).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    });
  });

  describe('when the options are invalid', () => {
    it('throws for a bad chain id or a foreign head', () => {
      expect(() => verifyChain([], { chainId: 'x' })).toThrow(expect.objectContaining({ code: 'invalid_chain_id' }));
      expect(() => verifyChain([], { chainId: ID, from: genesisHead(OTHER) })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    });
  });
});

describe('verifyChainAsync', () => {
  describe('when the stream fails early', () => {
    it('stops reading at the first failure', async () => {
      const entries = buildChain(10);
      let pulled = 0;
      async function* source() {
        for (const e of [...entries.slice(0, 3), ...entries.slice(4)]) {
          pulled++;
          yield e;
        }
      }
      const result = await verifyChainAsync(source(), { chainId: ID });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'gap', seq: 3 } });
      expect(pulled).toBe(4);
    });
  });

  describe('when given a sync iterable', () => {
    it('verifies it too', async () => {
      expect(await verifyChainAsync(buildChain(3), { chainId: ID })).toMatchObject({ ok: true, checked: 3 });
    });
  });
});

describe('ChainVerifier', () => {
  describe('when entries are pushed one at a time', () => {
    it('tracks the head and keeps returning the first failure', () => {
      const entries = buildChain(5);
      const v = new ChainVerifier({ chainId: ID });
      expect(v.push(entries[0]!)).toBeUndefined();
      expect(v.head.seq).toBe(0);
      const failure = v.push(entries[2]!);
      expect(failure).toMatchObject({ kind: 'gap', seq: 1 });
      expect(v.push(entries[1]!)).toBe(failure);
      expect(v.checked).toBe(1);
      expect(v.result()).toMatchObject({ ok: false, failure });
    });
  });

  describe('pushVerifiedLink (an entry whose hash was verified elsewhere)', () => {
    const run = (entries: SealedEntry[], verified: boolean) => {
      const v = new ChainVerifier({ chainId: ID });
      for (const e of entries) if ((verified ? v.pushVerifiedLink(e) : v.push(e)) !== undefined) break;
      return v.result();
    };

    it('moves the head as push does, without computing a hash', () => {
      const entries = buildChain(8);
      let hashed = 0;
      const counting = { ...portableCrypto, sha256: (...parts: Uint8Array[]) => (hashed++, portableCrypto.sha256(...parts)), sha256Into: (data: Uint8Array, out: Uint8Array, at: number) => (hashed++, portableCrypto.sha256Into(data, out, at)) };
      const v = new ChainVerifier({ chainId: ID, backend: counting });
      const before = hashed;
      for (const e of entries) expect(v.pushVerifiedLink(e)).toBeUndefined();
      expect(hashed).toBe(before);
      expect(v.result()).toEqual(run(entries, false));
    });

    it('still reports every failure that does not need the hash: gap, duplicate, fork, out of order, bad prevHash, wrong chain, malformed', () => {
      const e = buildChain(10);
      const cases: Array<[VerifiableEntry[], Record<string, unknown>]> = [
        [[...e.slice(0, 4), ...e.slice(5)], { kind: 'gap', seq: 4 }],
        [[...e.slice(0, 5), e[4]!], { kind: 'duplicate', seq: 4 }],
        [[...e.slice(0, 5), { ...e[4]!, hash: flip(e[4]!.hash) }], { kind: 'fork', seq: 4 }],
        [[...e.slice(0, 6), e[2]!], { kind: 'out_of_order', seq: 2 }],
        [e.map((x) => (x.seq === 8 ? { ...x, prevHash: flip(x.prevHash) } : x)), { kind: 'bad_prev_hash', seq: 8 }],
        [e.map((x) => (x.seq === 1 ? { ...x, chainId: OTHER } : x)), { kind: 'wrong_chain', seq: 1 }],
        [e.map((x) => (x.seq === 4 ? { ...x, hash: x.hash.subarray(1) } : x)), { kind: 'malformed', seq: 4 }],
      ];
      for (const [entries, failure] of cases) {
        expect(run(entries as SealedEntry[], true)).toMatchObject({ ok: false, failure });
        expect(run(entries as SealedEntry[], false)).toMatchObject({ ok: false, failure });
      }
    });

    it('takes the hash on trust: a changed value is not found (the caller vouches for the hash)', () => {
      const e = buildChain(6).map((x) => (x.seq === 3 ? { ...x, value: Buffer.from('changed') } : x));
      expect(run(e, false)).toMatchObject({ ok: false, failure: { kind: 'bad_hash', seq: 3 } });
      expect(run(e, true)).toMatchObject({ ok: true, head: { seq: 5 } });
    });
  });
});
