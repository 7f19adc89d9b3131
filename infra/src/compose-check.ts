import { entryPointsIn, type RepoFacts } from './repo-facts';

/**
 * Checks a parsed docker-compose.yml (the Compose specification's shape) against
 * the repository: every service has an image or a build, every AuditSeal
 * container runs an entry point that exists, sets only environment variables
 * that entry point reads, and has a health check on its health server's port;
 * dependencies name defined services; Kafka and versitygw run the versions
 * infra/local pins. Pure: returns the problems found (empty = fine).
 */

const TOP_LEVEL_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include', 'models']);

/** Service attributes of the Compose specification that this repo may use. */
const SERVICE_KEYS = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'depends_on', 'healthcheck',
  'restart', 'stop_grace_period', 'stop_signal', 'user', 'working_dir', 'read_only', 'tmpfs', 'networks', 'profiles', 'labels',
  'container_name', 'hostname', 'deploy', 'secrets', 'configs', 'mem_limit', 'cpus', 'init', 'logging', 'security_opt', 'cap_drop',
]);
const RESTART_POLICIES = new Set(['no', 'always', 'on-failure', 'unless-stopped']);
const DEPENDENCY_CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `environment` as a map or as a `NAME=value` list. */
export function environmentOf(service: Doc): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map((item) => String(item).split(/=(.*)/s).slice(0, 2) as [string, string]));
  if (isMap(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
  return {};
}

/** `command` as words (a string command is split on whitespace, as Compose does without a shell). */
export function commandOf(service: Doc): string[] {
  const command = service.command;
  if (Array.isArray(command)) return command.map(String);
  if (typeof command === 'string') return command.split(/\s+/).filter(Boolean);
  return [];
}

/** Whether the service runs this repo's image (it is built from the Dockerfile). */
export function isOurs(service: Doc): boolean {
  return service.build !== undefined;
}

function imageVersion(image: unknown, repository: string): string | undefined {
  if (typeof image !== 'string' || !image.startsWith(`${repository}:`)) return undefined;
  return image.slice(repository.length + 1);
}

export function checkCompose(doc: unknown, facts: RepoFacts, options: { dockerfileExists: (path: string) => boolean }): string[] {
  const problems: string[] = [];
  if (!isMap(doc)) return ['docker-compose.yml is not a YAML mapping'];
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key "${key}"`);
  }
  const services = doc.services;
  if (!isMap(services) || Object.keys(services).length === 0) return [...problems, '"services" must be a non-empty mapping'];
  const declaredVolumes = new Set(isMap(doc.volumes) ? Object.keys(doc.volumes) : []);
  let kafkaSeen = false;
  let versitygwSeen = false;

  for (const [name, raw] of Object.entries(services)) {
    const at = `service "${name}"`;
    if (!isMap(raw)) {
      problems.push(`${at} is not a mapping`);
      continue;
    }
    const service = raw;
    for (const key of Object.keys(service)) if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${at}: unknown key "${key}"`);
    if (service.image === undefined && service.build === undefined) problems.push(`${at}: needs an image or a build`);
    if (service.restart !== undefined && !RESTART_POLICIES.has(String(service.restart))) problems.push(`${at}: unknown restart policy "${String(service.restart)}"`);

    // depends_on: defined services, known conditions, health checks where health is awaited.
    const dependsOn = service.depends_on;
    const dependencies: [string, unknown][] = Array.isArray(dependsOn) ? dependsOn.map((d) => [String(d), undefined]) : isMap(dependsOn) ? Object.entries(dependsOn) : [];
    for (const [dependency, spec] of dependencies) {
      const target = services[dependency];
      if (!isMap(target)) {
        problems.push(`${at}: depends_on names an undefined service "${dependency}"`);
        continue;
      }
      const condition = isMap(spec) ? spec.condition : undefined;
      if (condition !== undefined && !DEPENDENCY_CONDITIONS.has(String(condition))) problems.push(`${at}: depends_on ${dependency}: unknown condition "${String(condition)}"`);
      if (condition === 'service_healthy' && !isMap(target.healthcheck)) problems.push(`${at}: waits for ${dependency} to be healthy, but ${dependency} has no healthcheck`);
    }

    // Named volumes must be declared at the top level.
    if (Array.isArray(service.volumes)) {
      for (const volume of service.volumes) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : isMap(volume) ? String(volume.source ?? '') : '';
        if (source && !/^[./~]/.test(source) && !declaredVolumes.has(source)) problems.push(`${at}: volume "${source}" is not declared under the top-level "volumes"`);
      }
    }

    const kafkaVersion = imageVersion(service.image, 'apache/kafka');
    if (kafkaVersion !== undefined) {
      kafkaSeen = true;
      if (kafkaVersion !== facts.pins.kafka) problems.push(`${at}: apache/kafka:${kafkaVersion} but infra/local/infra.sh pins Kafka ${facts.pins.kafka}`);
    }
    const versitygwVersion = imageVersion(service.image, 'versity/versitygw');
    if (versitygwVersion !== undefined) {
      versitygwSeen = true;
      if (versitygwVersion !== facts.pins.versitygw) problems.push(`${at}: versity/versitygw:${versitygwVersion} but infra/local/infra.sh pins versitygw ${facts.pins.versitygw}`);
    }

    if (!isOurs(service)) continue;
    problems.push(...checkOurService(at, service, facts, options));
  }
  if (!kafkaSeen) problems.push('no apache/kafka service');
  if (!versitygwSeen) problems.push('no versity/versitygw service');
  return problems;
}

function checkOurService(at: string, service: Doc, facts: RepoFacts, options: { dockerfileExists: (path: string) => boolean }): string[] {
  const problems: string[] = [];
  const build = service.build;
  const context = typeof build === 'string' ? build : isMap(build) ? String(build.context ?? '.') : '.';
  const dockerfile = isMap(build) && build.dockerfile !== undefined ? String(build.dockerfile) : 'Dockerfile';
  const dockerfilePath = `${context.replace(/\/$/, '')}/${dockerfile}`.replace(/^\.\//, '');
  if (!options.dockerfileExists(dockerfilePath)) problems.push(`${at}: builds from ${dockerfilePath}, which does not exist`);

  const entries = entryPointsIn(commandOf(service));
  if (entries.length === 0) problems.push(`${at}: its command runs no entry point of the repo (services/<name>/dist/main.js)`);
  const readable = new Set<string>();
  for (const entry of entries) {
    const names = facts.envRead(entry);
    if (names === undefined) problems.push(`${at}: runs ${entry}, but the repo has no such entry point (${entry.replace(/\/dist\/main\.js$/, '/src/main.ts')})`);
    else for (const n of names) readable.add(n);
  }
  const env = environmentOf(service);
  if (entries.length > 0 && entries.every((e) => facts.entryPointExists(e))) {
    for (const variable of Object.keys(env)) {
      if (!readable.has(variable)) problems.push(`${at}: sets ${variable}, which ${entries.join(' / ')} never reads`);
    }
  }

  // A long-running service with a health server: restart policy and a health check on its port.
  const server = entries.find((e) => facts.defaultHttpPort(e) !== undefined);
  if (server !== undefined) {
    if (service.restart === undefined || service.restart === 'no') problems.push(`${at}: a long-running service needs a restart policy`);
    const port = env.HTTP_PORT ?? String(facts.defaultHttpPort(server));
    const healthcheck = service.healthcheck;
    const test = isMap(healthcheck) ? (Array.isArray(healthcheck.test) ? healthcheck.test.join(' ') : String(healthcheck.test ?? '')) : '';
    const paths = [facts.healthPaths.liveness, facts.healthPaths.readiness];
    if (!test) problems.push(`${at}: no healthcheck`);
    else if (!paths.some((p) => test.includes(`:${port}${p}`))) problems.push(`${at}: healthcheck must request ${paths.join(' or ')} on port ${port} (HTTP_PORT), got: ${test}`);
  }
  return problems;
}
