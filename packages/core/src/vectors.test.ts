import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chainId,
  checkpointSigningBytes,
  consistencyProof,
  createChainLinker,
  encodeEntryBody,
  fromHex,
  genesisHash,
  inclusionProof,
  keyIdOf,
  linkHash,
  manifestSigningBytes,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  nodeCrypto,
  parseChainId,
  parseKeyring,
  portableCrypto,
  sealEntry,
  genesisHead,
  sign,
  signingKeyFromSeed,
  toHex,
  verifyChain,
  verifyConsistency,
  verifyInclusion,
  verifySignature,
  type CryptoBackend,
  type EntryBodyFields,
  type ManifestFields,
  type CheckpointFields,
  type ChainHead,
} from './index';

/*
 * The committed files in schemas/vectors/ are the contract of FORMAT.md.
 * These tests recompute every value from its inputs through both backends
 * and compare with the committed bytes; they never regenerate the files.
 */

const VECTORS = join(__dirname, '..', '..', '..', 'schemas', 'vectors');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (name: string): any => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));

interface FieldsJson {
  kind: 'event' | 'rejected';
  sourceOffset: string;
  sourceTimestampMs: string;
  sealedAtMicros: string;
  key: string | null;
  value: string;
  rejectReason: EntryBodyFields['rejectReason'];
  rejectDetail: string | null;
}

function fieldsFrom(json: FieldsJson): EntryBodyFields {
  return {
    kind: json.kind,
    sourceOffset: BigInt(json.sourceOffset),
    sourceTimestampMs: BigInt(json.sourceTimestampMs),
    sealedAtMicros: BigInt(json.sealedAtMicros),
    key: json.key === null ? null : fromHex(json.key),
    value: fromHex(json.value),
    rejectReason: json.rejectReason,
    rejectDetail: json.rejectDetail,
  };
}

const hexes = (list: string[]): Uint8Array[] => list.map((h) => fromHex(h));
const backends: [string, CryptoBackend][] = [
  ['node', nodeCrypto],
  ['portable', portableCrypto],
];

describe('schemas/vectors', () => {
  describe.each(backends)('with the %s backend', (_name, backend) => {
    describe('genesis.json', () => {
      const v = load('genesis.json');

      it('reproduces every chain id and genesis hash', () => {
        for (const c of v.valid) {
          expect(chainId({ cluster: c.cluster, topic: c.topic, partition: c.partition })).toBe(c.chainId);
          expect(toHex(backend.sha256(fromHex(c.genesisInputHex)))).toBe(c.genesisHash);
          expect(toHex(genesisHash(c.chainId, backend))).toBe(c.genesisHash);
        }
      });

      it('rejects every invalid chain id', () => {
        for (const c of v.invalidChainIds) expect(() => parseChainId(c.chainId)).toThrow(expect.objectContaining({ code: 'invalid_chain_id' }));
      });
    });

    describe('entry-body.json', () => {
      const v = load('entry-body.json');

      it('encodes every valid case to the committed bytes and hash', () => {
        for (const c of v.valid) {
          const body = encodeEntryBody(fieldsFrom(c.fields));
          expect({ name: c.name, body: toHex(body) }).toEqual({ name: c.name, body: c.bodyHex });
          expect(toHex(backend.sha256(body))).toBe(c.bodyHash);
        }
      });

      it('rejects every invalid case', () => {
        for (const c of v.invalid) expect(() => encodeEntryBody(fieldsFrom(c.fields))).toThrow(expect.objectContaining({ code: 'invalid_entry' }));
      });
    });

    describe('chain-links.json', () => {
      const v = load('chain-links.json');

      it('reproduces every link input, body hash and hash', () => {
        for (const chain of v.chains) {
          const linker = createChainLinker(chain.chainId, backend);
          expect(toHex(linker.genesis)).toBe(chain.genesisHash);
          let head: ChainHead = genesisHead(chain.chainId, backend);
          for (const e of chain.entries) {
            const fields = fieldsFrom(e.fields);
            expect(toHex(encodeEntryBody(fields))).toBe(e.bodyHex);
            expect(toHex(backend.sha256(fromHex(e.linkInputHex)))).toBe(e.hash);
            const sealed = sealEntry(fields, head, backend);
            expect([sealed.seq, toHex(sealed.prevHash), toHex(sealed.bodyHash), toHex(sealed.hash)]).toEqual([e.seq, e.prevHash, e.bodyHash, e.hash]);
            expect(toHex(linkHash({ chainId: chain.chainId, seq: e.seq, prevHash: fromHex(e.prevHash), bodyHash: fromHex(e.bodyHash) }, backend))).toBe(e.hash);
            head = sealed.head;
          }
          expect([head.seq, toHex(head.hash)]).toEqual([chain.headSeq, chain.headHash]);
        }
      });

      it('verifies each committed chain', () => {
        for (const chain of v.chains) {
          const entries = chain.entries.map((e: { seq: number; prevHash: string; hash: string; fields: FieldsJson }) => ({
            chainId: chain.chainId,
            seq: e.seq,
            prevHash: fromHex(e.prevHash),
            hash: fromHex(e.hash),
            ...fieldsFrom(e.fields),
          }));
          const result = verifyChain(entries, { chainId: chain.chainId, backend });
          expect(result).toMatchObject({ ok: true, checked: chain.entries.length });
        }
      });
    });

    describe('merkle-rfc6962.json', () => {
      const v = load('merkle-rfc6962.json');
      const leaves = hexes(v.leaves);

      it('reproduces the leaf hashes, node hashes and the roots of sizes 0..8', () => {
        expect(leaves.map((l) => toHex(merkleLeafHash(l, backend)))).toEqual(v.leafHashes);
        const lh = hexes(v.leafHashes);
        expect([0, 2, 4, 6].map((i) => toHex(merkleNodeHash(lh[i]!, lh[i + 1]!, backend)))).toEqual(v.nodeHashes.level1);
        for (const r of v.roots) expect(toHex(merkleRoot(leaves.slice(0, r.treeSize), backend))).toBe(r.root);
        expect(toHex(merkleRoot([], backend))).toBe(v.emptyRoot);
      });

      it('reproduces and verifies the reference inclusion proofs', () => {
        for (const p of v.inclusion) {
          expect(inclusionProof(leaves.slice(0, p.treeSize), p.index, backend).map(toHex)).toEqual(p.proof);
          const root = fromHex(v.roots[p.treeSize].root);
          expect(verifyInclusion({ leaf: leaves[p.index]! }, p.index, p.treeSize, hexes(p.proof), root, backend)).toEqual({ ok: true });
        }
      });

      it('reproduces and verifies the reference consistency proofs', () => {
        for (const p of v.consistency) {
          expect(consistencyProof(leaves.slice(0, p.n), p.m, backend).map(toHex)).toEqual(p.proof);
          const result = verifyConsistency(p.m, p.n, hexes(p.proof), fromHex(v.roots[p.m].root), fromHex(v.roots[p.n].root), backend);
          expect(result).toEqual({ ok: true });
        }
      });
    });

    describe('merkle-proofs.json', () => {
      const v = load('merkle-proofs.json');
      const leaves = hexes(v.leaves);

      it('uses the entry hashes of the first committed chain as leaves', () => {
        const chain = load('chain-links.json').chains[0];
        expect(v.leaves).toEqual(chain.entries.map((e: { hash: string }) => e.hash));
      });

      it('reproduces every root and proof, and verifies every proof', () => {
        expect(leaves.map((l) => toHex(merkleLeafHash(l, backend)))).toEqual(v.leafHashes);
        for (const r of v.roots) expect(toHex(merkleRoot(leaves.slice(0, r.treeSize), backend))).toBe(r.root);
        for (const p of v.inclusion) {
          expect(inclusionProof(leaves.slice(0, p.treeSize), p.index, backend).map(toHex)).toEqual(p.proof);
          expect(verifyInclusion({ leaf: leaves[p.index]! }, p.index, p.treeSize, hexes(p.proof), fromHex(v.roots[p.treeSize].root), backend).ok).toBe(true);
        }
        for (const p of v.consistency) {
          expect(consistencyProof(leaves.slice(0, p.n), p.m, backend).map(toHex)).toEqual(p.proof);
          expect(verifyConsistency(p.m, p.n, hexes(p.proof), fromHex(v.roots[p.m].root), fromHex(v.roots[p.n].root), backend).ok).toBe(true);
        }
      });
    });

    describe('signatures.json', () => {
      const v = load('signatures.json');

      it('reproduces the RFC 8032 §7.1 test vectors', () => {
        for (const c of v.rfc8032.cases) {
          const key = signingKeyFromSeed(fromHex(c.seed), backend);
          expect(toHex(key.publicKey)).toBe(c.publicKey);
          expect(toHex(sign(fromHex(c.message), key, backend))).toBe(c.signature);
          expect(backend.ed25519Verify(fromHex(c.signature), fromHex(c.message), fromHex(c.publicKey))).toBe(true);
        }
      });

      it('reproduces the test keys, their key ids and signatures', () => {
        for (const k of v.testKeys) {
          const key = signingKeyFromSeed(fromHex(k.seed), backend);
          expect([toHex(key.publicKey), key.keyId, keyIdOf(key.publicKey, backend)]).toEqual([k.publicKey, k.keyId, k.keyId]);
          expect(toHex(backend.sha256(fromHex(k.seed))).length).toBe(64);
        }
        const keys = v.testKeys.map((k: { seed: string }) => signingKeyFromSeed(fromHex(k.seed), backend));
        for (const s of v.signatures) {
          const key = keys.find((k: { keyId: string }) => k.keyId === s.keyId);
          expect(toHex(sign(fromHex(s.message), key, backend))).toBe(s.signature);
        }
      });

      it('parses the keyring and applies the validity windows', () => {
        const keyring = parseKeyring(v.keyringJson, backend);
        const message = fromHex(v.signatures[0].message);
        const keys = v.testKeys.map((k: { seed: string }) => signingKeyFromSeed(fromHex(k.seed), backend));
        for (const check of v.windowChecks) {
          const key = keys.find((k: { keyId: string }) => k.keyId === check.keyId) ?? keys[0];
          const result = verifySignature(message, sign(message, key, backend), check.keyId, keyring, new Date(check.at), backend);
          expect({ ...check, got: result.ok ? 'ok' : result.reason }).toEqual({ ...check, got: check.expect });
        }
      });
    });

    describe('manifest-signing.json', () => {
      const v = load('manifest-signing.json');
      const keys = load('signatures.json').testKeys.map((k: { seed: string }) => signingKeyFromSeed(fromHex(k.seed), backend));
      const keyring = parseKeyring(load('signatures.json').keyringJson, backend);
      const manifestFrom = (f: Record<string, unknown>): ManifestFields =>
        ({
          ...f,
          prevHash: fromHex(f.prevHash as string),
          headHash: fromHex(f.headHash as string),
          merkleRoot: fromHex(f.merkleRoot as string),
          segmentSha256: fromHex(f.segmentSha256 as string),
        }) as ManifestFields;

      it('reproduces the signing bytes and signatures, which verify under the keyring', () => {
        for (const c of v.cases) {
          const bytes = manifestSigningBytes(manifestFrom(c.fields));
          expect(toHex(bytes)).toBe(c.signingBytesHex);
          expect(new TextDecoder().decode(bytes)).toBe(c.signingText);
          const key = keys.find((k: { keyId: string }) => k.keyId === c.fields.keyId);
          expect(toHex(sign(bytes, key, backend))).toBe(c.signature);
          expect(verifySignature(bytes, fromHex(c.signature), c.fields.keyId, keyring, new Date(c.fields.createdAt), backend).ok).toBe(true);
        }
      });

      it('rejects every invalid case', () => {
        for (const c of v.invalid) {
          expect(() => manifestSigningBytes(manifestFrom({ ...v.cases[0].fields, ...c.patch }))).toThrow(
            expect.objectContaining({ code: 'invalid_manifest' }),
          );
        }
      });
    });

    describe('checkpoint-signing.json', () => {
      const v = load('checkpoint-signing.json');
      const keys = load('signatures.json').testKeys.map((k: { seed: string }) => signingKeyFromSeed(fromHex(k.seed), backend));
      const keyring = parseKeyring(load('signatures.json').keyringJson, backend);

      it('reproduces the signing bytes and signatures, which verify under the keyring', () => {
        for (const c of v.cases) {
          const bytes = checkpointSigningBytes({ ...c.fields, headHash: fromHex(c.fields.headHash) } as CheckpointFields);
          expect([toHex(bytes), new TextDecoder().decode(bytes)]).toEqual([c.signingBytesHex, c.signingText]);
          const key = keys.find((k: { keyId: string }) => k.keyId === c.fields.keyId);
          expect(toHex(sign(bytes, key, backend))).toBe(c.signature);
          expect(verifySignature(bytes, fromHex(c.signature), c.fields.keyId, keyring, new Date(c.fields.time), backend).ok).toBe(true);
        }
      });
    });
  });
});
