import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TOPIC_POLICY, evaluateTopicPolicy, topicNames, type DescribedTopic, type TopicNames } from '@auditseal/kafka';
import { checkKustomization, checkManifests } from './k8s-check';
import { loadYamlDocuments } from './load-yaml';
import { readRepoFacts, REPO_ROOT, type RepoFacts } from './repo-facts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- mutated in tests

const K8S = join(REPO_ROOT, 'infra', 'k8s');
const facts = readRepoFacts();
const SERVICES = ['services/chainer/dist/main.js', 'services/archiver/dist/main.js', 'services/verifier/dist/main.js'];
const kustomization = loadYamlDocuments(join(K8S, 'kustomization.yaml'))[0] as Doc;
const manifests = (): Doc[] => (kustomization.resources as string[]).flatMap((file) => loadYamlDocuments(join(K8S, file)) as Doc[]);
const check = (docs: readonly Doc[], f: RepoFacts = facts) => checkManifests(docs, f, { required: SERVICES });
const find = (docs: Doc[], kind: string, name: string): Doc => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
const container = (docs: Doc[], name: string): Doc => find(docs, 'Deployment', `auditseal-${name}`).spec.template.spec.containers[0];

describe('infra/k8s', () => {
  describe('as committed', () => {
    it('lists every manifest of the folder in kustomization.yaml, and nothing missing', () => {
      const files = readdirSync(K8S);
      expect(checkKustomization(kustomization, files)).toEqual([]);
    });

    it('agrees with the repo: entry points, env vars, probes, resources, security, disruption budgets', () => {
      expect(check(manifests())).toEqual([]);
    });

    it('never enables the archiver development key', () => {
      const env = container(manifests(), 'archiver').env as { name: string }[];
      expect(env.map((e) => e.name)).not.toContain('ARCHIVER_DEV_KEY');
      expect(env.map((e) => e.name)).toContain('ARCHIVER_SIGNING_KEY');
    });
  });

  describe('when a Deployment has no PodDisruptionBudget', () => {
    it('reports it', () => {
      const docs = manifests().filter((d) => !(d.kind === 'PodDisruptionBudget' && d.metadata.name === 'auditseal-archiver'));
      expect(check(docs)).toEqual(['Deployment auditseal-archiver: no PodDisruptionBudget selects its pods']);
    });
  });

  describe('when a probe does not match the health server', () => {
    it('reports a wrong path and a port that is not HTTP_PORT', () => {
      const docs = manifests();
      container(docs, 'chainer').livenessProbe.httpGet.path = '/health';
      container(docs, 'verifier').readinessProbe.httpGet.port = 9464;
      expect(check(docs)).toEqual([
        'Deployment auditseal-chainer, container chainer: livenessProbe must GET /healthz, not /health',
        'Deployment auditseal-verifier, container verifier: readinessProbe must use port 9466 (HTTP_PORT), not 9464',
      ]);
    });

    it('reports HTTP_PORT changed without the container port', () => {
      const docs = manifests();
      container(docs, 'archiver').env.find((e: Doc) => e.name === 'HTTP_PORT').value = '8080';
      expect(check(docs)).toEqual([
        'Deployment auditseal-archiver, container archiver: no containerPort 8080 (its HTTP_PORT)',
        'Deployment auditseal-archiver, container archiver: livenessProbe must use port 8080 (HTTP_PORT), not http',
        'Deployment auditseal-archiver, container archiver: readinessProbe must use port 8080 (HTTP_PORT), not http',
      ]);
    });
  });

  describe('when an env var is misspelled', () => {
    it('reports it, in env and in a ConfigMap', () => {
      const docs = manifests();
      container(docs, 'verifier').env.push({ name: 'VERIFIER_RETENTION_DAY', value: '1' });
      find(docs, 'ConfigMap', 'auditseal-kafka').data.KAFKA_BROKER = 'x:9092';
      const problems = check(docs);
      expect(problems).toContain('Deployment auditseal-verifier, container verifier: sets VERIFIER_RETENTION_DAY, which services/verifier/dist/main.js never reads');
      for (const svc of ['chainer', 'archiver', 'verifier']) {
        expect(problems).toContain(`Deployment auditseal-${svc}, container ${svc}: sets KAFKA_BROKER, which services/${svc}/dist/main.js never reads`);
      }
    });
  });

  describe('when a service is renamed in the repo', () => {
    it('reports the Deployment that runs the missing entry point', () => {
      const renamed: RepoFacts = { ...facts, entryPointExists: (p) => !p.includes('/verifier/'), envRead: (p) => (p.includes('/verifier/') ? undefined : facts.envRead(p)) };
      expect(check(manifests(), renamed)).toEqual([
        'Deployment auditseal-verifier, container verifier: runs services/verifier/dist/main.js, but the repo has no such entry point (services/verifier/src/main.ts)',
      ]);
    });

    it('reports a required service no Deployment runs', () => {
      const docs = manifests().filter((d) => !(d.kind === 'Deployment' && d.metadata.name === 'auditseal-chainer'));
      expect(check(docs)).toEqual(['no Deployment runs services/chainer/dist/main.js']);
    });
  });

  describe('when the security context or resources are weakened', () => {
    it('reports each', () => {
      const docs = manifests();
      const c = container(docs, 'chainer');
      delete c.securityContext.readOnlyRootFilesystem;
      c.securityContext.allowPrivilegeEscalation = true;
      delete c.resources.limits;
      find(docs, 'Deployment', 'auditseal-chainer').spec.template.spec.securityContext.runAsNonRoot = false;
      expect(check(docs)).toEqual([
        'Deployment auditseal-chainer, container chainer: no resources.limits.memory',
        'Deployment auditseal-chainer, container chainer: must run with runAsNonRoot: true',
        'Deployment auditseal-chainer, container chainer: needs securityContext.readOnlyRootFilesystem: true',
        'Deployment auditseal-chainer, container chainer: needs securityContext.allowPrivilegeEscalation: false',
      ]);
    });
  });

  describe('when kustomization.yaml and the folder disagree', () => {
    it('reports a missing file and an unlisted one', () => {
      expect(checkKustomization({ resources: ['chainer.yaml', 'gone.yaml'] }, ['kustomization.yaml', 'chainer.yaml', 'extra.yaml', 'README.md'])).toEqual([
        'kustomization.yaml lists gone.yaml, which does not exist',
        'kustomization.yaml does not list extra.yaml',
      ]);
    });
  });
});

describe('infra/k8s/strimzi/kafka-topics.yaml', () => {
  const topics = loadYamlDocuments(join(K8S, 'strimzi', 'kafka-topics.yaml')) as Doc[];
  const names = topicNames('');
  const described = (docs: Doc[]): Partial<Record<keyof TopicNames, DescribedTopic>> =>
    Object.fromEntries(
      (Object.keys(names) as (keyof TopicNames)[]).flatMap((role) => {
        const t = docs.find((d) => d.spec.topicName === names[role]);
        if (!t) return [];
        const configs = Object.fromEntries(Object.entries(t.spec.config as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        return [[role, { name: names[role], partitions: t.spec.partitions, replicationFactor: t.spec.replicas, configs }]];
      }),
    );

  it('declares every audit topic as a KafkaTopic that the services topic policy accepts (min.insync.replicas 2)', () => {
    expect(topics.every((t) => t.apiVersion === 'kafka.strimzi.io/v1beta2' && t.kind === 'KafkaTopic')).toBe(true);
    expect(evaluateTopicPolicy(names, described(topics), { minInsyncReplicas: DEFAULT_TOPIC_POLICY.minInsyncReplicas })).toEqual([]);
    expect(topics.map((t) => t.spec.replicas)).toEqual(topics.map(() => DEFAULT_TOPIC_POLICY.replicationFactor));
  });

  describe('when a topic would allow loss', () => {
    it('is refused by the same policy the services enforce', () => {
      const docs = loadYamlDocuments(join(K8S, 'strimzi', 'kafka-topics.yaml')) as Doc[];
      docs[0]!.spec.config['retention.ms'] = '604800000';
      docs[1]!.spec.partitions = 8;
      expect(evaluateTopicPolicy(names, described(docs), { minInsyncReplicas: 2 }).map((v) => `${v.topic} ${v.setting}`)).toEqual([
        'audit.events retention.ms',
        'audit.sealed partitions',
      ]);
    });
  });
});

describe('infra/k8s/strimzi/kafka-users.yaml', () => {
  const users = loadYamlDocuments(join(K8S, 'strimzi', 'kafka-users.yaml')) as Doc[];
  const names = topicNames('');
  type Acl = { resource: { type: string; name: string; patternType?: string }; operations: string[] };
  /** Whether `user` may do `operation` on topic `topic` (literal or prefix ACLs, as Kafka's simple authorizer matches them). */
  const may = (user: Doc, operation: string, topic: string) =>
    (user.spec.authorization.acls as Acl[]).some(
      (acl) =>
        acl.resource.type === 'topic' &&
        (acl.resource.patternType === 'prefix' ? topic.startsWith(acl.resource.name) : acl.resource.name === topic) &&
        (acl.operations.includes(operation) || acl.operations.includes('All')),
    );

  it('gives every service Deployment a SCRAM-SHA-512 KafkaUser whose Secret it mounts', () => {
    expect(users.every((u) => u.apiVersion === 'kafka.strimzi.io/v1beta2' && u.kind === 'KafkaUser' && u.spec.authentication.type === 'scram-sha-512' && u.spec.authorization.type === 'simple')).toBe(true);
    for (const service of ['chainer', 'archiver', 'verifier']) {
      const c = container(manifests(), service);
      const username = (c.env as Doc[]).find((e) => e.name === 'KAFKA_SASL_USERNAME')?.value;
      expect({ service, username }).toEqual({ service, username: `auditseal-${service}` });
      expect(users.map((u) => u.metadata.name)).toContain(username);
      const pod = find(manifests(), 'Deployment', `auditseal-${service}`).spec.template.spec;
      expect((pod.volumes as Doc[]).find((v) => v.name === 'kafka-user')?.secret.secretName).toBe(username);
      expect(pod.securityContext.fsGroup).toBe(1000);
    }
  });

  it('lets only producers write audit.events and only the chainer write audit.sealed (DESIGN.md "Access control")', () => {
    const writers = (topic: string) => users.filter((u) => may(u, 'Write', topic)).map((u) => u.metadata.name as string);
    expect(writers(names.sealed)).toEqual(['auditseal-chainer']);
    expect(writers(names.events)).toEqual(['billing-audit-producer']);
    expect(writers(names.alerts)).toEqual(['auditseal-verifier']);
    for (const operation of ['Delete', 'Alter', 'AlterConfigs', 'Create', 'All']) {
      expect({ operation, users: users.filter((u) => Object.values(names).some((t) => may(u, operation, t))).map((u) => u.metadata.name) }).toEqual({ operation, users: [] });
    }
  });

  it('lets each service read what it reads', () => {
    const user = (name: string) => users.find((u) => u.metadata.name === name)!;
    expect(may(user('auditseal-chainer'), 'Read', names.events) && may(user('auditseal-chainer'), 'Read', names.sealed)).toBe(true);
    expect(may(user('auditseal-archiver'), 'Read', names.sealed)).toBe(true);
    expect(Object.values(names).every((t) => may(user('auditseal-verifier'), 'Read', t))).toBe(true);
    expect(Object.values(names).every((t) => may(user('auditseal-chainer'), 'DescribeConfigs', t) && may(user('auditseal-archiver'), 'DescribeConfigs', t))).toBe(true);
  });
});
