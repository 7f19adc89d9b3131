import { entryPointsIn, type RepoFacts } from './repo-facts';

/**
 * Checks the Kubernetes manifests of infra/k8s against the repository. Every
 * Deployment: runs an entry point that exists, is given (env and envFrom
 * ConfigMaps) only variables that entry point reads, probes liveness and
 * readiness on the health server's paths and on the port HTTP_PORT makes it
 * listen on, has resource requests and a memory limit, runs non-root with a
 * read-only root filesystem, and is selected by a PodDisruptionBudget. Pure:
 * returns the problems found (empty = fine).
 */

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const mapAt = (v: unknown, ...path: string[]): Doc | undefined => {
  let at: unknown = v;
  for (const key of path) at = isMap(at) ? at[key] : undefined;
  return isMap(at) ? at : undefined;
};
const listAt = (v: unknown, ...path: string[]): unknown[] => {
  let at: unknown = v;
  for (const key of path) at = isMap(at) ? at[key] : undefined;
  return Array.isArray(at) ? at : [];
};

/** Whether every label of `selector` is carried by `labels` (an empty selector selects nothing here). */
export function selects(selector: Doc | undefined, labels: Doc | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels?.[k] === v);
}

export function checkManifests(docs: readonly unknown[], facts: RepoFacts, options: { required: readonly string[] }): string[] {
  const problems: string[] = [];
  const configMaps = new Map<string, Doc>();
  const deployments: Doc[] = [];
  const budgets: Doc[] = [];
  docs.forEach((doc, i) => {
    if (!isMap(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' || typeof mapAt(doc, 'metadata')?.name !== 'string') {
      problems.push(`document ${i + 1}: needs apiVersion, kind and metadata.name`);
      return;
    }
    const name = String(mapAt(doc, 'metadata')!.name);
    if (doc.kind === 'ConfigMap') configMaps.set(name, mapAt(doc, 'data') ?? {});
    if (doc.kind === 'Deployment') deployments.push(doc);
    if (doc.kind === 'PodDisruptionBudget') budgets.push(doc);
  });

  const running = new Set<string>();
  for (const deployment of deployments) {
    const name = String(mapAt(deployment, 'metadata')!.name);
    const at = `Deployment ${name}`;
    const template = mapAt(deployment, 'spec', 'template');
    const labels = mapAt(template, 'metadata', 'labels');
    if (!selects(mapAt(deployment, 'spec', 'selector', 'matchLabels'), labels)) problems.push(`${at}: spec.selector.matchLabels must select its pod template's labels`);
    const budget = budgets.find((b) => selects(mapAt(b, 'spec', 'selector', 'matchLabels'), labels));
    if (!budget) problems.push(`${at}: no PodDisruptionBudget selects its pods`);
    else if (mapAt(budget, 'spec')?.minAvailable === undefined && mapAt(budget, 'spec')?.maxUnavailable === undefined) problems.push(`${at}: its PodDisruptionBudget sets neither minAvailable nor maxUnavailable`);

    const pod = mapAt(template, 'spec');
    const podSecurity = mapAt(pod, 'securityContext');
    const volumes = new Set(listAt(pod, 'volumes').map((v) => String(mapAt(v)?.name)));
    const containers = listAt(pod, 'containers');
    if (containers.length === 0) problems.push(`${at}: no containers`);
    for (const raw of containers) {
      const container = mapAt(raw) ?? {};
      const where = `${at}, container ${String(container.name)}`;
      const command = [...listAt(container, 'command'), ...listAt(container, 'args')].map(String);
      const entries = entryPointsIn(command);
      if (entries.length === 0) problems.push(`${where}: its command runs no entry point of the repo (services/<name>/dist/main.js)`);
      const readable = new Set<string>();
      for (const entry of entries) {
        running.add(entry);
        const names = facts.envRead(entry);
        if (names === undefined) problems.push(`${where}: runs ${entry}, but the repo has no such entry point (${entry.replace(/\/dist\/main\.js$/, '/src/main.ts')})`);
        else for (const n of names) readable.add(n);
      }

      // The environment it gets: envFrom ConfigMaps first, env overriding.
      const env = new Map<string, string | undefined>();
      for (const from of listAt(container, 'envFrom')) {
        const ref = mapAt(from, 'configMapRef');
        if (!ref) continue;
        const data = configMaps.get(String(ref.name));
        if (!data) problems.push(`${where}: envFrom names ConfigMap ${String(ref.name)}, which the manifests do not define`);
        else for (const [k, v] of Object.entries(data)) env.set(k, String(v ?? ''));
      }
      for (const item of listAt(container, 'env')) {
        const e = mapAt(item);
        if (e && typeof e.name === 'string') env.set(e.name, e.value === undefined ? undefined : String(e.value));
      }
      if (entries.length > 0 && entries.every((e) => facts.entryPointExists(e))) {
        for (const variable of env.keys()) if (!readable.has(variable)) problems.push(`${where}: sets ${variable}, which ${entries.join(' / ')} never reads`);
      }

      // Probes on the health server: the port HTTP_PORT sets (or the service's default).
      const server = entries.find((e) => facts.defaultHttpPort(e) !== undefined);
      if (server !== undefined) {
        const httpPort = Number(env.get('HTTP_PORT') ?? facts.defaultHttpPort(server));
        const ports = listAt(container, 'ports').map((p) => mapAt(p) ?? {});
        if (!ports.some((p) => Number(p.containerPort) === httpPort)) problems.push(`${where}: no containerPort ${httpPort} (its HTTP_PORT)`);
        const probePort = (probe: Doc | undefined): number | undefined => {
          const port = mapAt(probe, 'httpGet')?.port;
          if (typeof port === 'number') return port;
          const named = ports.find((p) => p.name === port);
          return named ? Number(named.containerPort) : undefined;
        };
        for (const [kind, path] of [
          ['livenessProbe', facts.healthPaths.liveness],
          ['readinessProbe', facts.healthPaths.readiness],
        ] as const) {
          const probe = mapAt(container, kind);
          if (!probe) problems.push(`${where}: no ${kind}`);
          else {
            const actualPath = mapAt(probe, 'httpGet')?.path;
            if (actualPath !== path) problems.push(`${where}: ${kind} must GET ${path}, not ${String(actualPath)}`);
            if (probePort(probe) !== httpPort) problems.push(`${where}: ${kind} must use port ${httpPort} (HTTP_PORT), not ${String(mapAt(probe, 'httpGet')?.port)}`);
          }
        }
      }

      const resources = mapAt(container, 'resources');
      for (const [section, key] of [
        ['requests', 'cpu'],
        ['requests', 'memory'],
        ['limits', 'memory'],
      ] as const) {
        if (mapAt(resources, section)?.[key] === undefined) problems.push(`${where}: no resources.${section}.${key}`);
      }

      const security = mapAt(container, 'securityContext');
      if (security?.runAsNonRoot !== true && podSecurity?.runAsNonRoot !== true) problems.push(`${where}: must run with runAsNonRoot: true`);
      const uid = security?.runAsUser ?? podSecurity?.runAsUser;
      if (uid === 0) problems.push(`${where}: runAsUser 0 is root`);
      if (security?.readOnlyRootFilesystem !== true) problems.push(`${where}: needs securityContext.readOnlyRootFilesystem: true`);
      if (security?.allowPrivilegeEscalation !== false) problems.push(`${where}: needs securityContext.allowPrivilegeEscalation: false`);
      for (const mount of listAt(container, 'volumeMounts')) {
        const volume = String(mapAt(mount)?.name);
        if (!volumes.has(volume)) problems.push(`${where}: mounts volume ${volume}, which the pod does not define`);
      }
    }
  }
  for (const entry of options.required) if (!running.has(entry)) problems.push(`no Deployment runs ${entry}`);
  return problems;
}

/** Resource files a kustomization lists that are missing, and YAML files of the folder it does not list. */
export function checkKustomization(kustomization: unknown, filesInFolder: readonly string[]): string[] {
  const listed = listAt(kustomization, 'resources').map(String);
  if (listed.length === 0) return ['kustomization.yaml lists no resources'];
  const problems = listed.filter((file) => !filesInFolder.includes(file)).map((file) => `kustomization.yaml lists ${file}, which does not exist`);
  for (const file of filesInFolder) {
    if (/\.ya?ml$/.test(file) && file !== 'kustomization.yaml' && !listed.includes(file)) problems.push(`kustomization.yaml does not list ${file}`);
  }
  return problems;
}
