import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the deployment files must agree with, read from the repository's own
 * sources (not copied into the checks): which entry points exist, which
 * environment variables each entry point reads, the default health port of
 * each service, the health paths, and the versions infra/local pins.
 */

export const REPO_ROOT = join(__dirname, '..', '..');

export interface RepoFacts {
  /** Whether a path a container runs (`services/<x>/dist/main.js`, `infra/local/probe.mjs`) exists in the repo (dist is built from src). */
  entryPointExists(path: string): boolean;
  /** Environment variables the entry point reads (from its sources); undefined when the entry point does not exist. */
  envRead(path: string): ReadonlySet<string> | undefined;
  /** Default HTTP_PORT of the service behind an entry point; undefined when it has no health server. */
  defaultHttpPort(path: string): number | undefined;
  /** Paths the health server answers (packages/runtime/src/service-server.ts). */
  healthPaths: { liveness: string; readiness: string };
  /** Versions pinned by infra/local/infra.sh. */
  pins: { kafka: string; versitygw: string };
}

/** `services/<x>/dist/main.js` → `services/<x>`; undefined for any other path. */
export function serviceDirOf(path: string): string | undefined {
  return /^services\/([a-z0-9-]+)\/dist\/main\.js$/.exec(path)?.[1];
}

/** Every path a command runs: node service entry points and scripts of infra/ or scripts/. */
export function entryPointsIn(command: readonly string[]): string[] {
  const found = new Set<string>();
  for (const word of command) {
    for (const m of word.matchAll(/(?:^|[\s/.])((?:services\/[a-z0-9-]+\/dist\/main\.js)|(?:(?:infra|scripts)\/[\w./-]+\.m?js))\b/g)) found.add(m[1]!);
  }
  return [...found];
}

/**
 * Environment variable names a source text reads: the keys of a zod env schema
 * (`  NAME: env.…` / `NAME: z.…`) and member reads of an environment object
 * (`process.env.NAME`, `env.NAME`, `io.env.NAME`, `environment.NAME`, `env['NAME']`).
 */
export function envNamesIn(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*:\s*(?:env|z)\s*\./gm)) names.add(m[1]!);
  for (const m of source.matchAll(/\b(?:env|environment)\s*(?:\?\.|\.)\s*([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
  for (const m of source.matchAll(/\b(?:env|environment)\s*(?:\?\.)?\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]!);
  return names;
}

/**
 * Environment fragments a package shares with the services (today
 * packages/runtime's loadKafkaSecurity: KAFKA_SSL_*, KAFKA_SASL_*): the
 * variables a file of `dir` reads, keyed by each function it exports. A
 * service that calls one of them reads its variables.
 */
export function sharedEnvFragments(dir: string): Map<string, ReadonlySet<string>> {
  const fragments = new Map<string, ReadonlySet<string>>();
  for (const file of sourceFiles(dir)) {
    const source = readFileSync(file, 'utf8');
    const names = envNamesIn(source);
    if (names.size === 0) continue;
    for (const m of source.matchAll(/^export (?:async )?function (\w+)/gm)) fragments.set(m[1]!, names);
  }
  return fragments;
}

/** The variables of the shared fragments that `source` calls. */
export function fragmentEnvNamesIn(source: string, fragments: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const names = new Set<string>();
  for (const [fn, vars] of fragments) if (new RegExp(`\\b${fn}\\(`).test(source)) for (const v of vars) names.add(v);
  return names;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing' && entry.name !== '__fixtures__') out.push(...sourceFiles(path));
    } else if (/\.(ts|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Reads the facts from the repository at `root`. */
export function readRepoFacts(root = REPO_ROOT): RepoFacts {
  const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');
  const sourcesOf = (path: string): string[] | undefined => {
    const service = serviceDirOf(path);
    if (service !== undefined) {
      return existsSync(join(root, 'services', service, 'src', 'main.ts')) ? sourceFiles(join(root, 'services', service, 'src')) : undefined;
    }
    return /^(infra|scripts)\//.test(path) && existsSync(join(root, path)) ? [join(root, path)] : undefined;
  };
  const envCache = new Map<string, ReadonlySet<string> | undefined>();
  const fragments = sharedEnvFragments(join(root, 'packages', 'runtime', 'src'));

  const server = read('packages', 'runtime', 'src', 'service-server.ts');
  const served = [...server.matchAll(/url === '(\/[a-z]+)'/g)].map((m) => m[1]!);
  const infraSh = read('infra', 'local', 'infra.sh');
  const pin = (name: string) => {
    const value = new RegExp(`^${name}=(\\S+)$`, 'm').exec(infraSh)?.[1];
    if (!value) throw new Error(`infra/local/infra.sh does not set ${name}`);
    return value;
  };

  return {
    entryPointExists: (path) => sourcesOf(path) !== undefined,
    envRead(path) {
      if (!envCache.has(path)) {
        const files = sourcesOf(path);
        envCache.set(
          path,
          files &&
            new Set(
              files.flatMap((file) => {
                const source = readFileSync(file, 'utf8');
                return [...envNamesIn(source), ...fragmentEnvNamesIn(source, fragments)];
              }),
            ),
        );
      }
      return envCache.get(path);
    },
    defaultHttpPort(path) {
      const service = serviceDirOf(path);
      const config = service && join(root, 'services', service, 'src', 'config.ts');
      if (!config || !existsSync(config)) return undefined;
      const m = /HTTP_PORT:\s*env\.int\([^)]*\)\.default\('(\d+)'\)/.exec(readFileSync(config, 'utf8'));
      return m ? Number(m[1]) : undefined;
    },
    healthPaths: {
      liveness: served.find((p) => p === '/healthz') ?? '(no /healthz in service-server.ts)',
      readiness: served.find((p) => p === '/readyz') ?? '(no /readyz in service-server.ts)',
    },
    pins: { kafka: pin('KAFKA_VERSION'), versitygw: pin('VERSITYGW_VERSION') },
  };
}
