import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyring } from '@auditseal/core';
import { verifyBundle } from './bundle';
import { buildFixtureArchive, keyringJson, writeFixtureToDir } from './testing/archive-fixture';
import { runInMemory } from './testing/run-cli';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Fields a verifier does not rely on (FORMAT.md §11: informational). */
const INFORMATIONAL = [/^createdAt$/, /^archive$/, /^keys(\.|$)/, /^inclusion\.(leafIndex|treeSize|merkleRoot)$/, /^checkpoint\.key$/];

function leaves(value: Json, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k))];
}

function setAt(root: Json, path: string, value: Json | undefined): void {
  const parts = path.split('.');
  let node = root as Record<string, Json>;
  for (const p of parts.slice(0, -1)) node = node[p] as Record<string, Json>;
  const last = parts.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function getAt(root: Json, path: string): Json {
  return path.split('.').reduce<Json>((n, p) => (n as Record<string, Json>)[p] as Json, root);
}

/** A deterministic PRNG, so a failing case can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('verifyBundle', () => {
  let bundle: Json;
  const keyring = parseKeyring(keyringJson());
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditseal-bundle-'));
    try {
      const fixture = await buildFixtureArchive({ partitions: [0], entriesPerChain: 25, segmentSize: 10 });
      writeFixtureToDir(fixture, dir);
      const run = await runInMemory(['prove', fixture.events[8]!.eventId, '--dir', dir]);
      expect(run.code).toBe(0);
      bundle = JSON.parse(run.stdout) as Json;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the bundle prove wrote', () => {
    expect(verifyBundle(bundle, keyring)).toMatchObject({ valid: true });
  });

  describe('when the input is not a bundle', () => {
    it.each([null, 1, 'x', [], {}, { format: 'auditseal/v1/evidence-bundle' }])('returns invalid for %p, never throws', (input) => {
      expect(verifyBundle(input, keyring)).toMatchObject({ valid: false });
    });
  });

  describe('when any field is changed, removed or retyped (fuzz, 600 cases)', () => {
    it('never throws, and accepts only changes to informational fields', () => {
      const random = rng(20261127);
      const paths = leaves(bundle).filter((p) => p !== '');
      const values = (old: Json): Array<Json | undefined> => [
        undefined,
        null,
        0,
        -1,
        1.5,
        '',
        'x',
        [],
        {},
        true,
        typeof old === 'string' && old.length > 0 ? old.slice(0, -1) : 'y',
        typeof old === 'string' && old.length > 0 ? old.slice(0, Math.floor(old.length / 2)) + String.fromCharCode((old.charCodeAt(Math.floor(old.length / 2)) ^ 1) & 0x7f || 65) + old.slice(Math.floor(old.length / 2) + 1) : 'z',
        typeof old === 'number' ? old + 1 : 7,
      ];
      for (let i = 0; i < 600; i++) {
        const copy = JSON.parse(JSON.stringify(bundle)) as Json;
        const path = paths[Math.floor(random() * paths.length)]!;
        const old = getAt(copy, path);
        const choices = values(old);
        const next = choices[Math.floor(random() * choices.length)];
        if (JSON.stringify(next) === JSON.stringify(old)) continue;
        setAt(copy, path, next);
        let result;
        expect(() => (result = verifyBundle(copy, keyring))).not.toThrow();
        // The checkpoint is optional: a bundle without one is valid (and says so), one with a bad one is not.
        // Signatures cover fields, not JSON text (FORMAT.md §10.3): text that parses to the same document is the same manifest.
        const sameDocument = () => {
          try {
            return typeof next === 'string' && typeof old === 'string' && JSON.stringify(JSON.parse(next)) === JSON.stringify(JSON.parse(old));
          } catch {
            return false;
          }
        };
        const allowed = INFORMATIONAL.some((r) => r.test(path)) || (path === 'checkpoint' && next == null) || (path.endsWith('.json') && sameDocument());
        if (result!.valid) expect({ path, next, allowed }).toEqual({ path, next, allowed: true });
      }
    });
  });
});
