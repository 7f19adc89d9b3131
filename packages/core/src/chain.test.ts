import { createHash } from 'node:crypto';
import { ChainLinker, createChainLinker, entryBodyHash, genesisHash, genesisHead, linkHash, sealEntry, type ChainHead } from './chain';
import { chainId } from './chain-id';
import { nodeCrypto } from './crypto-node';
import { portableCrypto } from './crypto-portable';
import { encodeEntryBody, type EntryBodyFields } from './entry-body';

const ID = chainId({ cluster: 'c1', topic: 'audit.events', partition: 0 });
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const fields = (offset: number): EntryBodyFields => ({
  kind: 'event',
  sourceOffset: offset,
  sourceTimestampMs: 1_700_000_000_000 + offset,
  sealedAtMicros: 1_700_000_000_000_000 + offset,
  key: Buffer.from('tenant'),
  value: Buffer.from(`value ${offset}`),
  rejectReason: 'none',
});

describe('genesisHash', () => {
  describe('when computed', () => {
    it('is SHA-256("auditseal/v1/genesis" ‖ u32(len) ‖ chain id)', () => {
      expect(genesisHash(ID)).toEqual(sha(Buffer.from('auditseal/v1/genesis'), u32(ID.length), Buffer.from(ID)));
    });

    it('differs per chain id and returns a copy callers may mutate', () => {
      const other = chainId({ cluster: 'c1', topic: 'audit.events', partition: 1 });
      expect(genesisHash(ID)).not.toEqual(genesisHash(other));
      genesisHash(ID).fill(0);
      expect(genesisHash(ID)).toEqual(genesisHash(ID, portableCrypto));
    });
  });

  describe('when the chain id is invalid', () => {
    it('throws invalid_chain_id', () => {
      expect(() => genesisHash('not-a-chain')).toThrow(expect.objectContaining({ code: 'invalid_chain_id' }));
    });
  });
});

describe('linkHash', () => {
  describe('when computed', () => {
    it('is SHA-256(tag ‖ u32(len) ‖ chain id ‖ u64(seq) ‖ prevHash ‖ bodyHash)', () => {
      const prevHash = sha(Buffer.from('prev'));
      const bodyHash = sha(Buffer.from('body'));
      for (const seq of [0, 1, 2 ** 32 + 7, Number.MAX_SAFE_INTEGER]) {
        const expected = sha(Buffer.from('auditseal/v1/link'), u32(ID.length), Buffer.from(ID), u64(seq), prevHash, bodyHash);
        expect(linkHash({ chainId: ID, seq, prevHash, bodyHash })).toEqual(expected);
        expect(linkHash({ chainId: ID, seq, prevHash, bodyHash }, portableCrypto)).toEqual(expected);
      }
    });
  });

  describe('when an input is malformed', () => {
    const h = new Uint8Array(32);
    it.each([
      ['negative seq', { seq: -1 }, 'invalid_seq'],
      ['fractional seq', { seq: 0.5 }, 'invalid_seq'],
      ['unsafe seq', { seq: 2 ** 53 }, 'invalid_seq'],
      ['short prevHash', { prevHash: new Uint8Array(31) }, 'invalid_hash'],
      ['long bodyHash', { bodyHash: new Uint8Array(33) }, 'invalid_hash'],
      ['bad chain id', { chainId: 'x' }, 'invalid_chain_id'],
    ])('rejects %s', (_name, patch, code) => {
      expect(() => linkHash({ chainId: ID, seq: 0, prevHash: h, bodyHash: h, ...patch })).toThrow(expect.objectContaining({ code }));
    });
  });
});

describe('sealEntry', () => {
  describe('when sealing from the genesis head', () => {
    it('links seq 0 to genesis and advances the head', () => {
      const head = genesisHead(ID);
      expect(head.seq).toBe(-1);
      const first = sealEntry(fields(0), head);
      expect(first.seq).toBe(0);
      expect(first.prevHash).toEqual(genesisHash(ID));
      expect(first.bodyHash).toEqual(sha(encodeEntryBody(fields(0))));
      expect(first.bodyHash).toEqual(entryBodyHash(fields(0)));
      expect(first.hash).toEqual(linkHash({ chainId: ID, seq: 0, prevHash: genesisHash(ID), bodyHash: first.bodyHash }));
      expect(first.head).toEqual({ chainId: ID, seq: 0, hash: first.hash });
      const second = sealEntry(fields(1), first.head);
      expect([second.seq, second.prevHash]).toEqual([1, first.hash]);
    });
  });

  describe('when the same entries are sealed with both backends', () => {
    it('produces the same chain', () => {
      let a: ChainHead = genesisHead(ID, nodeCrypto);
      let b: ChainHead = genesisHead(ID, portableCrypto);
      for (let i = 0; i < 20; i++) {
        a = sealEntry(fields(i), a, nodeCrypto).head;
        b = sealEntry(fields(i), b, portableCrypto).head;
        expect(a).toEqual(b);
      }
    });
  });

  describe('when the body fields are invalid', () => {
    it('throws invalid_entry and leaves the linker usable', () => {
      expect(() => sealEntry({ ...fields(0), rejectReason: 'malformed' }, genesisHead(ID))).toThrow(expect.objectContaining({ code: 'invalid_entry' }));
      expect(sealEntry(fields(0), genesisHead(ID)).seq).toBe(0);
    });
  });
});

describe('ChainLinker', () => {
  describe('when sealing a stream of bodies', () => {
    it('matches the free functions and returns fresh arrays each time', () => {
      const linker = createChainLinker(ID);
      let head = linker.genesisHead();
      const hashes: Uint8Array[] = [];
      for (let i = 0; i < 50; i++) {
        const body = encodeEntryBody(fields(i));
        const sealed = linker.sealBody(head, body);
        expect(sealed).toEqual(sealEntry(fields(i), head));
        hashes.push(sealed.hash);
        head = sealed.head;
      }
      expect(new Set(hashes.map((h) => Buffer.from(h).toString('hex'))).size).toBe(50);
      expect(hashes[0]!.buffer).not.toBe(hashes[1]!.buffer);
    });
  });

  describe('when given a head of another chain', () => {
    it('throws invalid_argument', () => {
      const linker = new ChainLinker(ID);
      const other = genesisHead(chainId({ cluster: 'c1', topic: 'audit.events', partition: 9 }));
      expect(() => linker.sealBody(other, new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    });
  });
});
