#!/usr/bin/env node
// Regenerates the AuditSeal test vectors in schemas/vectors/ from the built
// @auditseal/core (run `pnpm --filter @auditseal/core vectors`, which builds
// first). Everything here is deterministic: fixed inputs, fixed test keys,
// RFC 8032 deterministic signatures. merkle-rfc6962.json is NOT generated: it
// is copied from transparency-dev/merkle and only checked by the tests.
//
// The committed files are the contract: the unit tests recompute every value
// through both backends and compare with the committed bytes, so a change in
// output is a format change and must be deliberate (and documented in
// docs/FORMAT.md).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const core = require('../dist/index.js');
const { toHex, fromHex } = core;
const utf8 = (text) => new TextEncoder().encode(text);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas', 'vectors');

function both(compute) {
  const a = compute(core.nodeCrypto);
  const b = compute(core.portableCrypto);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`backends disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return a;
}

function write(name, doc) {
  writeFileSync(join(outDir, name), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote schemas/vectors/${name}`);
}

const ascii = (s) => toHex(utf8(s));

// Vector JSON form of entry body fields: bytes as hex, 64-bit integers as decimal strings.
function fieldsJson(f) {
  return {
    kind: f.kind,
    sourceOffset: String(f.sourceOffset),
    sourceTimestampMs: String(f.sourceTimestampMs),
    sealedAtMicros: String(f.sealedAtMicros),
    key: f.key == null ? null : toHex(f.key),
    value: toHex(f.value),
    rejectReason: f.rejectReason,
    rejectDetail: f.rejectDetail ?? null,
  };
}

const T0 = 1795723200000; // 2026-11-26T20:00:00.000Z
const event = (offset, key, value) => ({
  kind: 'event',
  sourceOffset: offset,
  sourceTimestampMs: T0 + offset,
  sealedAtMicros: (T0 + offset) * 1000 + 250,
  key: key === null ? null : utf8(key),
  value: typeof value === 'string' ? fromHex(value) : value,
  rejectReason: 'none',
});

// ---------------------------------------------------------------- genesis.json
const chainIds = [
  { cluster: 'test-cluster', topic: 'audit.events', partition: 0 },
  { cluster: 'test-cluster', topic: 'audit.events', partition: 1 },
  { cluster: 'prod-eu-1', topic: 'audit.events', partition: 2147483647 },
  { cluster: 'A_b-9.x', topic: 'T', partition: 10 },
];
write('genesis.json', {
  description:
    'Chain ids and genesis hashes. genesis = SHA-256("auditseal/v1/genesis" || u32be(len(chainId)) || chainId); it is the prevHash of seq 0. invalidChainIds must all be rejected by a parser.',
  spec: 'docs/FORMAT.md §2, §4.1',
  genesisTag: 'auditseal/v1/genesis',
  genesisTagHex: ascii('auditseal/v1/genesis'),
  valid: chainIds.map((parts) => {
    const id = core.chainId(parts);
    const idBytes = utf8(id);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, idBytes.length);
    return {
      chainId: id,
      ...parts,
      genesisInputHex: ascii('auditseal/v1/genesis') + toHex(len) + toHex(idBytes),
      genesisHash: both((b) => toHex(core.genesisHash(id, b))),
    };
  }),
  invalidChainIds: [
    { chainId: 'auditseal/v1/test-cluster/audit.events', why: 'missing partition' },
    { chainId: 'auditseal/v1/test-cluster/audit.events/01', why: 'leading zero in partition' },
    { chainId: 'auditseal/v1/test-cluster/audit.events/-1', why: 'negative partition' },
    { chainId: 'auditseal/v1/test-cluster/audit.events/2147483648', why: 'partition above 2^31-1' },
    { chainId: 'auditseal/v1//audit.events/0', why: 'empty cluster' },
    { chainId: 'auditseal/v1/test cluster/audit.events/0', why: 'space in cluster' },
    { chainId: 'auditseal/v1/test-cluster/audit/events/0', why: 'slash in topic (too many segments)' },
    { chainId: 'auditseal/v1/../audit.events/0', why: '".." as a name' },
    { chainId: 'auditseal/v2/test-cluster/audit.events/0', why: 'wrong prefix' },
    { chainId: 'AUDITSEAL/v1/test-cluster/audit.events/0', why: 'prefix is case-sensitive' },
    { chainId: `auditseal/v1/${'c'.repeat(250)}/audit.events/0`, why: 'cluster longer than 249' },
    { chainId: 'auditseal/v1/test-cluster/audit.évents/0', why: 'non-ASCII in topic' },
  ],
});

// ------------------------------------------------------------- entry-body.json
const bodyCases = [
  { name: 'event with key', fields: event(0, 'tenant-1', '7b226b696e64223a226c6f67696e227d') },
  { name: 'event without key (Kafka null key)', fields: event(1, null, 'c30100112233445566778899') },
  { name: 'event with empty (present, zero-length) key', fields: { ...event(2, null, 'aa'), key: new Uint8Array(0) } },
  { name: 'event with empty value', fields: event(3, 'tenant-1', '') },
  {
    name: 'rejected, malformed, with detail',
    fields: { ...event(4, 'tenant-2', 'deadbeef'), kind: 'rejected', rejectReason: 'malformed', rejectDetail: 'missing magic byte 0xC3 0x01' },
  },
  {
    name: 'rejected, too_large, no detail, no key',
    fields: { ...event(5, null, '00'.repeat(40)), kind: 'rejected', rejectReason: 'too_large' },
  },
  {
    name: 'rejected with non-ASCII detail (UTF-8)',
    fields: { ...event(6, 'tenant-3', 'c301'), kind: 'rejected', rejectReason: 'invalid_event', rejectDetail: 'champ « actor » vide — ✓' },
  },
  {
    name: '64-bit extremes: max offset, "no timestamp" (-1), negative sealing time',
    fields: {
      kind: 'rejected',
      sourceOffset: 9223372036854775807n,
      sourceTimestampMs: -1n,
      sealedAtMicros: -9223372036854775808n,
      key: null,
      value: new Uint8Array(0),
      rejectReason: 'unknown_schema',
      rejectDetail: '',
    },
  },
  ...['bad_signature', 'missing_signature'].map((reason, i) => ({
    name: `rejected, ${reason}`,
    fields: { ...event(7 + i, 'svc', 'c301'), kind: 'rejected', rejectReason: reason },
  })),
];
const invalidBodies = [
  { name: 'event with a reject reason', fields: { ...event(0, null, ''), rejectReason: 'malformed' }, why: 'kind event requires rejectReason none' },
  { name: 'rejected without reason', fields: { ...event(0, null, ''), kind: 'rejected' }, why: 'kind rejected requires a reason other than none' },
  { name: 'event with detail', fields: { ...event(0, null, ''), rejectDetail: 'x' }, why: 'rejectDetail only on rejected entries' },
  { name: 'negative offset', fields: { ...event(0, null, ''), sourceOffset: -1 }, why: 'sourceOffset is 0 … 2^63-1' },
  { name: 'offset above 2^63-1', fields: { ...event(0, null, ''), sourceOffset: 9223372036854775808n }, why: 'sourceOffset is 0 … 2^63-1' },
  {
    name: 'detail longer than 1024 bytes',
    fields: { ...event(0, null, ''), kind: 'rejected', rejectReason: 'malformed', rejectDetail: 'é'.repeat(513) },
    why: 'rejectDetail is at most 1024 UTF-8 bytes (513 × 2 = 1026)',
  },
];
for (const c of invalidBodies) {
  try {
    core.encodeEntryBody(c.fields);
    throw new Error(`invalid case accepted: ${c.name}`);
  } catch (error) {
    if (error.code !== 'invalid_entry') throw error;
  }
}
write('entry-body.json', {
  description:
    'Entry bodies: fields -> canonical bytes (bodyHex) -> SHA-256 (bodyHash). Bytes are hex, 64-bit integers decimal strings, key null = absent. invalid cases must be rejected by an encoder.',
  spec: 'docs/FORMAT.md §3',
  valid: bodyCases.map((c) => {
    const body = core.encodeEntryBody(c.fields);
    return { name: c.name, fields: fieldsJson(c.fields), bodyHex: toHex(body), bodyHash: both((b) => toHex(b.sha256(body))) };
  }),
  invalid: invalidBodies.map((c) => ({ name: c.name, fields: fieldsJson(c.fields), why: c.why })),
});

// ------------------------------------------------------------ chain-links.json
function buildChain(id, fieldsList) {
  return both((b) => {
    let head = core.genesisHead(id, b);
    const linkPrefix = ascii('auditseal/v1/link');
    const idBytes = utf8(id);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, idBytes.length);
    const entries = fieldsList.map((fields) => {
      const sealed = core.sealEntry(fields, head, b);
      const seq = new Uint8Array(8);
      new DataView(seq.buffer).setBigUint64(0, BigInt(sealed.seq));
      const entry = {
        seq: sealed.seq,
        fields: fieldsJson(fields),
        bodyHex: toHex(core.encodeEntryBody(fields)),
        bodyHash: toHex(sealed.bodyHash),
        prevHash: toHex(sealed.prevHash),
        linkInputHex: linkPrefix + toHex(len) + toHex(idBytes) + toHex(seq) + toHex(sealed.prevHash) + toHex(sealed.bodyHash),
        hash: toHex(sealed.hash),
      };
      head = sealed.head;
      return entry;
    });
    return { chainId: id, genesisHash: toHex(core.genesisHash(id, b)), headSeq: head.seq, headHash: toHex(head.hash), entries };
  });
}
const chain0Id = core.chainId(chainIds[0]);
const chain1Id = core.chainId(chainIds[1]);
const chain0Fields = bodyCases.slice(0, 7).map((c) => c.fields);
const chain0 = buildChain(chain0Id, chain0Fields);
write('chain-links.json', {
  description:
    'Hash chains. hash_n = SHA-256("auditseal/v1/link" || u32be(len(chainId)) || chainId || u64be(seq) || hash_{n-1} || SHA-256(entry body)), hash_{-1} = genesis. linkInputHex is the exact SHA-256 input. The second chain seals the same first three bodies under another partition: every hash differs, so entries cannot be spliced between chains.',
  spec: 'docs/FORMAT.md §3, §4',
  linkTag: 'auditseal/v1/link',
  linkTagHex: ascii('auditseal/v1/link'),
  chains: [chain0, buildChain(chain1Id, chain0Fields.slice(0, 3))],
});

// ----------------------------------------------------------- merkle-proofs.json
const segmentLeaves = chain0.entries.map((e) => fromHex(e.hash));
const merkle = both((b) => {
  const n = segmentLeaves.length;
  const roots = [];
  const inclusion = [];
  const consistency = [];
  for (let size = 0; size <= n; size++) roots.push({ treeSize: size, root: toHex(core.merkleRoot(segmentLeaves.slice(0, size), b)) });
  for (let size = 1; size <= n; size++) {
    for (let index = 0; index < size; index++) {
      inclusion.push({ index, treeSize: size, proof: core.inclusionProof(segmentLeaves.slice(0, size), index, b).map(toHex) });
    }
    for (let m = 1; m <= size; m++) {
      consistency.push({ m, n: size, proof: core.consistencyProof(segmentLeaves.slice(0, size), m, b).map(toHex) });
    }
  }
  return { leafHashes: segmentLeaves.map((l) => toHex(core.merkleLeafHash(l, b))), roots, inclusion, consistency };
});
write('merkle-proofs.json', {
  description:
    'A segment tree: leaf data = the 32-byte entry hashes of the first chain in chain-links.json (seq 0..6). Roots for every prefix size, inclusion proofs for every index of every size, consistency proofs for every 1 <= m <= n <= 7. Indices are 0-based; proofs list the deepest sibling first.',
  spec: 'docs/FORMAT.md §5 (RFC 6962 §2.1)',
  chainId: chain0Id,
  leaves: segmentLeaves.map(toHex),
  ...merkle,
});

// ------------------------------------------------------------- signatures.json
// Test keys: seed = SHA-256(ASCII label). Public test material — never use in production.
const seedOf = (label) => core.nodeCrypto.sha256(utf8(label));
const key1 = core.signingKeyFromSeed(seedOf('auditseal/v1/test-key/1'));
const key2 = core.signingKeyFromSeed(seedOf('auditseal/v1/test-key/2'));
// Key 1 signed until the rotation, key 2 since; what key 1 signed still verifies.
const ROTATION = '2026-11-26T21:00:00.000Z';
const keyring = core.createKeyring([
  core.publicKeyEntry(key1, new Date('2026-01-01T00:00:00.000Z'), new Date(ROTATION)),
  core.publicKeyEntry(key2, new Date(ROTATION)),
]);
const messages = ['', ascii('auditseal'), toHex(core.nodeCrypto.sha256(utf8('a segment')))];
const keyJson = (label, k) =>
  both((b) => {
    const again = core.signingKeyFromSeed(k.privateKey, b);
    return { label, seed: toHex(k.privateKey), publicKey: toHex(again.publicKey), keyId: again.keyId };
  });
write('signatures.json', {
  description:
    'Ed25519 (RFC 8032, pure) signatures, key ids and key validity windows. keyId = first 8 bytes of SHA-256(raw 32-byte public key) as lowercase hex. The test keys are public (seed = SHA-256 of the label): NEVER use them outside tests. windowChecks: a signature is accepted only if the signing time stated by the signed document is inside [notBefore, notAfter) of its key.',
  spec: 'docs/FORMAT.md §6',
  rfc8032: {
    source: 'RFC 8032 §7.1, TEST 1 and TEST 2',
    cases: [
      {
        seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
        publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        message: '',
        signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      },
      {
        seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
        publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        message: '72',
        signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      },
    ],
  },
  testKeys: [keyJson('auditseal/v1/test-key/1', key1), keyJson('auditseal/v1/test-key/2', key2)],
  signatures: [key1, key2].flatMap((k) =>
    messages.map((m) => ({ keyId: k.keyId, message: m, signature: both((b) => toHex(core.sign(fromHex(m), k, b))) })),
  ),
  keyringJson: core.serializeKeyring(keyring),
  windowChecks: [
    { keyId: key1.keyId, at: '2025-12-31T23:59:59.999Z', expect: 'not_yet_valid' },
    { keyId: key1.keyId, at: '2026-01-01T00:00:00.000Z', expect: 'ok' },
    { keyId: key1.keyId, at: '2026-11-26T20:59:59.999Z', expect: 'ok' },
    { keyId: key1.keyId, at: ROTATION, expect: 'expired' },
    { keyId: key2.keyId, at: '2026-11-26T20:59:59.999Z', expect: 'not_yet_valid' },
    { keyId: key2.keyId, at: ROTATION, expect: 'ok' },
    { keyId: key2.keyId, at: '2099-01-01T00:00:00.000Z', expect: 'ok' },
    { keyId: '0000000000000000', at: '2026-03-01T00:00:00.000Z', expect: 'unknown_key' },
  ],
});

// ------------------------------------------- manifest-signing.json / checkpoint-signing.json
const manifestJson = (m) => ({
  ...m,
  prevHash: toHex(m.prevHash),
  headHash: toHex(m.headHash),
  merkleRoot: toHex(m.merkleRoot),
  segmentSha256: toHex(m.segmentSha256),
});
const segmentKey = (id, first, last) =>
  `auditseal-archive/v1/${id}/segments/${String(first).padStart(20, '0')}-${String(last).padStart(20, '0')}.avro`;
const lastEntry = chain0.entries[chain0.entries.length - 1];
const manifests = [
  {
    name: 'first segment of a chain (prevHash = genesis), COMPLIANCE',
    fields: {
      chainId: chain0Id,
      firstSeq: 0,
      lastSeq: 6,
      prevHash: fromHex(chain0.genesisHash),
      headHash: fromHex(lastEntry.hash),
      merkleRoot: fromHex(merkle.roots[7].root),
      entryCount: 7,
      segmentKey: segmentKey(chain0Id, 0, 6),
      segmentSha256: core.nodeCrypto.sha256(utf8('example segment object bytes')),
      segmentBytes: 4711,
      lockMode: 'COMPLIANCE',
      retainUntil: '2033-11-26T00:00:00.000Z',
      createdAt: '2026-11-26T20:01:00.000Z',
      keyId: key1.keyId,
    },
  },
  {
    name: 'a later segment (seq 3..4), GOVERNANCE, signed by the second key',
    fields: {
      chainId: chain0Id,
      firstSeq: 3,
      lastSeq: 4,
      prevHash: fromHex(chain0.entries[2].hash),
      headHash: fromHex(chain0.entries[4].hash),
      merkleRoot: core.merkleRoot(segmentLeaves.slice(3, 5)),
      entryCount: 2,
      segmentKey: segmentKey(chain0Id, 3, 4),
      segmentSha256: core.nodeCrypto.sha256(utf8('another segment object')),
      segmentBytes: 1234567,
      lockMode: 'GOVERNANCE',
      retainUntil: '2027-01-01T00:00:00.000Z',
      createdAt: '2026-12-01T08:30:15.123Z',
      keyId: key2.keyId,
    },
  },
];
const keyFor = (id) => [key1, key2].find((k) => k.keyId === id);
const signed = (bytesOf) => (c) => {
  const bytes = bytesOf(c.fields);
  return {
    signingText: new TextDecoder().decode(bytes),
    signingBytesHex: toHex(bytes),
    signature: both((b) => toHex(core.sign(bytes, keyFor(c.fields.keyId), b))),
  };
};
const invalidManifests = [
  { name: 'newline injected into segmentKey', patch: { segmentKey: 'a\nkeyId 0000000000000000' }, why: 'segmentKey must be printable ASCII without spaces' },
  { name: 'space in segmentKey', patch: { segmentKey: 'a b' }, why: 'segmentKey must be printable ASCII without spaces' },
  { name: 'entryCount inconsistent', patch: { entryCount: 8 }, why: 'entryCount must equal lastSeq - firstSeq + 1' },
  { name: 'non-canonical timestamp', patch: { createdAt: '2026-11-26T20:01:00Z' }, why: 'timestamps must be YYYY-MM-DDTHH:MM:SS.sssZ' },
  { name: 'offset timestamp', patch: { retainUntil: '2033-11-26T00:00:00.000+01:00' }, why: 'timestamps must be UTC (Z)' },
  { name: 'lower-case lock mode', patch: { lockMode: 'compliance' }, why: 'lockMode is COMPLIANCE or GOVERNANCE' },
  { name: 'upper-case key id', patch: { keyId: key1.keyId.toUpperCase() }, why: 'keyId is 16 lowercase hex characters' },
];
for (const c of invalidManifests) {
  try {
    core.manifestSigningBytes({ ...manifests[0].fields, ...c.patch });
    throw new Error(`invalid manifest accepted: ${c.name}`);
  } catch (error) {
    if (error.code !== 'invalid_manifest') throw error;
  }
}
write('manifest-signing.json', {
  description:
    'Segment manifest signing bytes: a text body, header line "auditseal/v1/manifest" then one "name value" line per field in fixed order, every line ending in LF (0x0a), hashes lowercase hex, integers decimal, times YYYY-MM-DDTHH:MM:SS.sssZ. signature = Ed25519 over signingBytes with the test key named by keyId (signatures.json). invalid cases (fields patched onto the first case) must be rejected.',
  spec: 'docs/FORMAT.md §7.1',
  cases: manifests.map((c) => ({ name: c.name, fields: manifestJson(c.fields), ...signed(core.manifestSigningBytes)(c) })),
  invalid: invalidManifests.map((c) => ({ name: c.name, patch: c.patch, why: c.why })),
});

const checkpoints = [
  {
    name: 'checkpoint of the head of the first chain',
    fields: { chainId: chain0Id, headSeq: 6, headHash: fromHex(lastEntry.hash), time: '2026-11-26T20:00:30.000Z', keyId: key1.keyId },
  },
  {
    name: 'checkpoint of seq 0, second key, signed at the rotation instant',
    fields: { chainId: chain0Id, headSeq: 0, headHash: fromHex(chain0.entries[0].hash), time: ROTATION, keyId: key2.keyId },
  },
];
write('checkpoint-signing.json', {
  description:
    'Checkpoint (signed chain head) signing bytes: header line "auditseal/v1/checkpoint" then chainId, headSeq, headHash, time, keyId lines, each "name value" + LF. signature = Ed25519 over signingBytes with the test key named by keyId (signatures.json).',
  spec: 'docs/FORMAT.md §7.2',
  cases: checkpoints.map((c) => ({
    name: c.name,
    fields: { ...c.fields, headHash: toHex(c.fields.headHash) },
    ...signed(core.checkpointSigningBytes)(c),
  })),
});
