import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCompose } from './compose-check';
import { loadYamlDocuments } from './load-yaml';
import { readRepoFacts, REPO_ROOT, type RepoFacts } from './repo-facts';

type Compose = { services: Record<string, Record<string, unknown>>; [key: string]: unknown };

const facts = readRepoFacts();
const loadCompose = (): Compose => loadYamlDocuments(join(REPO_ROOT, 'docker-compose.yml'))[0] as Compose;
const check = (doc: unknown, f: RepoFacts = facts) => checkCompose(doc, f, { dockerfileExists: (path) => existsSync(join(REPO_ROOT, path)) });
const env = (doc: Compose, service: string) => doc.services[service]!.environment as Record<string, string>;

describe('docker-compose.yml', () => {
  describe('as committed', () => {
    it('parses strictly (no syntax error, duplicate key or dangling alias)', () => {
      expect(() => loadCompose()).not.toThrow();
    });

    it('agrees with the repo: entry points, env vars, health checks, dependencies, pinned versions', () => {
      expect(check(loadCompose())).toEqual([]);
    });

    it('runs Kafka, versitygw, the init step, the three services and the demo producer', () => {
      const commands = Object.values(loadCompose().services).map((s) => JSON.stringify([s.image, s.command]));
      for (const wanted of ['apache/kafka', 'versity/versitygw', 'topics ensure', 'probe.mjs s3', 'services/chainer/dist/main.js', 'services/archiver/dist/main.js', 'services/verifier/dist/main.js', 'services/demo/dist/main.js","produce","--rate","200']) {
        expect(commands.some((c) => c.includes(wanted))).toBe(true);
      }
    });

    it('creates the bucket the archiver and the verifier use', () => {
      const doc = loadCompose();
      const init = JSON.stringify(doc.services.init!.command);
      expect(init).toContain(`probe.mjs s3 ${env(doc, 'archiver').S3_ENDPOINT} ${env(doc, 'archiver').S3_BUCKET} `);
      expect(env(doc, 'verifier').S3_BUCKET).toBe(env(doc, 'archiver').S3_BUCKET);
      expect(env(doc, 'verifier').VERIFIER_RETENTION_DAYS).toBe(env(doc, 'archiver').ARCHIVER_RETENTION_DAYS);
    });
  });

  describe('when a service is renamed in the repo', () => {
    it('reports the compose service that runs the missing entry point', () => {
      const renamed: RepoFacts = {
        ...facts,
        entryPointExists: (p) => !p.startsWith('services/chainer/') && facts.entryPointExists(p),
        envRead: (p) => (p.startsWith('services/chainer/') ? undefined : facts.envRead(p)),
      };
      expect(check(loadCompose(), renamed)).toEqual([
        'service "chainer": runs services/chainer/dist/main.js, but the repo has no such entry point (services/chainer/src/main.ts)',
      ]);
    });
  });

  describe('when the compose file names an entry point that does not exist', () => {
    it('reports it', () => {
      const doc = loadCompose();
      doc.services.verifier!.command = ['node', 'services/verifyer/dist/main.js'];
      expect(check(doc)).toContain('service "verifier": runs services/verifyer/dist/main.js, but the repo has no such entry point (services/verifyer/src/main.ts)');
    });
  });

  describe('when an env var is misspelled', () => {
    it('reports the variable and the entry point that never reads it', () => {
      const doc = loadCompose();
      const archiverEnv = env(doc, 'archiver');
      archiverEnv.ARCHIVER_RETENTION_DAY = archiverEnv.ARCHIVER_RETENTION_DAYS!;
      delete archiverEnv.ARCHIVER_RETENTION_DAYS;
      expect(check(doc)).toEqual(['service "archiver": sets ARCHIVER_RETENTION_DAY, which services/archiver/dist/main.js never reads']);
    });

    it('also for a variable another service reads but this one does not', () => {
      const doc = loadCompose();
      env(doc, 'verifier').AUDITSEAL_MIN_INSYNC_REPLICAS = '1';
      expect(check(doc)).toEqual(['service "verifier": sets AUDITSEAL_MIN_INSYNC_REPLICAS, which services/verifier/dist/main.js never reads']);
    });
  });

  describe('when the health check is not on the service port', () => {
    it('reports it', () => {
      const doc = loadCompose();
      env(doc, 'chainer').HTTP_PORT = '9000';
      expect(check(doc)).toEqual([expect.stringMatching(/^service "chainer": healthcheck must request \/healthz or \/readyz on port 9000 \(HTTP_PORT\)/)]);
    });
  });

  describe('when an image version drifts from infra/local/infra.sh', () => {
    it('reports Kafka and versitygw', () => {
      const doc = loadCompose();
      doc.services.kafka!.image = 'apache/kafka:4.0.0';
      doc.services.s3!.image = 'versity/versitygw:v1.7.0';
      expect(check(doc)).toEqual([
        `service "kafka": apache/kafka:4.0.0 but infra/local/infra.sh pins Kafka ${facts.pins.kafka}`,
        `service "s3": versity/versitygw:v1.7.0 but infra/local/infra.sh pins versitygw ${facts.pins.versitygw}`,
      ]);
    });
  });

  describe('when the shape is wrong', () => {
    it('reports unknown top-level and service keys, a service without image or build, and a bad dependency', () => {
      const doc = loadCompose();
      doc.servces = {};
      doc.services.extra = { enviroment: {} };
      (doc.services.chainer!.depends_on as Record<string, unknown>).kafak = { condition: 'service_healthy' };
      expect(check(doc)).toEqual([
        'unknown top-level key "servces"',
        'service "chainer": depends_on names an undefined service "kafak"',
        'service "extra": unknown key "enviroment"',
        'service "extra": needs an image or a build',
      ]);
    });

    it('reports a missing Dockerfile and an undeclared volume', () => {
      const doc = loadCompose();
      (doc.services.archiver!.build as Record<string, unknown>).dockerfile = 'Dockerfile.missing';
      doc.services.archiver!.volumes = ['keys:/var/lib/auditseal/keys'];
      expect(check(doc)).toEqual([
        'service "archiver": volume "keys" is not declared under the top-level "volumes"',
        'service "archiver": builds from Dockerfile.missing, which does not exist',
      ]);
    });

    it('rejects a document that is not a mapping', () => {
      expect(check(['services'])).toEqual(['docker-compose.yml is not a YAML mapping']);
    });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const stages = [...text.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\S+))?/gim)];

  it('is multi-stage and copies only from stages it defines', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set(stages.map((m) => m[1]).filter(Boolean));
    for (const m of text.matchAll(/COPY\s+--from=(\S+)/g)) expect(names.has(m[1]!)).toBe(true);
  });

  it('installs with the pnpm that package.json pins (corepack), frozen lockfile, production dependencies only', () => {
    expect(text).toMatch(/corepack enable/);
    expect(text).toMatch(/pnpm install --offline --frozen-lockfile\b/);
    expect(text).toMatch(/pnpm install --offline --frozen-lockfile --prod/);
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).packageManager).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
  });

  it('runs the final stage as a non-root user', () => {
    const finalStage = text.slice(stages[stages.length - 1]!.index);
    const users = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users[users.length - 1]);
  });

  it('keeps dependencies, outputs and local data out of the build context (.dockerignore)', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.local', '.git']) expect(ignored).toContain(entry);
  });
});
