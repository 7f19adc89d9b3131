import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { KafkaError } from './errors';
import {
  evaluateTopicPolicy,
  formatViolations,
  topicConfigs,
  type DescribedTopic,
  type PolicyViolation,
  type TopicNames,
  type TopicPolicy,
} from './topic-policy';

const ROLES = ['events', 'sealed', 'alerts'] as const;

/** Reads partition counts, replication factors and effective configs of the audit topics that exist. */
export async function describeTopics(admin: Admin, names: TopicNames): Promise<Partial<Record<keyof TopicNames, DescribedTopic>>> {
  const existing = new Set(await admin.listTopics());
  const present = ROLES.filter((role) => existing.has(names[role]));
  if (present.length === 0) return {};
  const topicNamesPresent = present.map((role) => names[role]);
  const [{ topics }, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: topicNamesPresent }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: topicNamesPresent.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    }),
  ]);
  const described: Partial<Record<keyof TopicNames, DescribedTopic>> = {};
  for (const role of present) {
    const name = names[role];
    const meta = topics.find((t) => t.name === name);
    const resource = configs.resources.find((r) => r.resourceName === name);
    if (!meta || !resource) continue;
    described[role] = {
      name,
      partitions: meta.partitions.length,
      replicationFactor: Math.min(...meta.partitions.map((p) => p.replicas.length)),
      configs: Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue])),
    };
  }
  return described;
}

/** The violations of the policy, empty when the topics are safe. */
export async function checkTopics(admin: Admin, names: TopicNames, policy: Pick<TopicPolicy, 'minInsyncReplicas'>): Promise<PolicyViolation[]> {
  return evaluateTopicPolicy(names, await describeTopics(admin, names), policy);
}

/**
 * Services call this at start: it throws a `topic_unsafe` (or `topic_missing`)
 * KafkaError that lists every violation, so a service never runs on topics that
 * could lose audit records.
 */
export async function assertTopicsSafe(admin: Admin, names: TopicNames, policy: Pick<TopicPolicy, 'minInsyncReplicas'>): Promise<void> {
  const violations = await checkTopics(admin, names, policy);
  if (violations.length === 0) return;
  const missing = violations.every((v) => v.setting === 'existence');
  throw new KafkaError(
    missing ? 'topic_missing' : 'topic_unsafe',
    `refusing to run: the audit topics would allow loss of audit records:\n${formatViolations(violations)}`,
    { details: { violations } },
  );
}

/**
 * Creates whichever audit topics are missing, with the policy's configs, then
 * checks all of them. Existing topics are never altered: a topic that violates
 * the policy is reported, not silently "fixed".
 */
export async function ensureTopics(admin: Admin, names: TopicNames, policy: TopicPolicy): Promise<{ created: string[] }> {
  const existing = new Set(await admin.listTopics());
  const toCreate = ROLES.filter((role) => !existing.has(names[role]));
  if (toCreate.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: toCreate.map((role) => ({
        topic: names[role],
        numPartitions: policy.partitions,
        replicationFactor: policy.replicationFactor,
        configEntries: Object.entries(topicConfigs(role, policy)).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  await assertTopicsSafe(admin, names, policy);
  return { created: toCreate.map((role) => names[role]) };
}
