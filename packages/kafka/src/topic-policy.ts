/**
 * The topic policy of DESIGN.md "Data flow": audit topics keep everything
 * forever and are never compacted, and the events and sealed topics have the
 * same partition count (partition p of audit.sealed is the chain of partition p
 * of audit.events). This module is pure: it evaluates described configs;
 * `topic-admin.ts` does the I/O.
 */

export interface TopicNames {
  events: string;
  sealed: string;
  alerts: string;
}

/** Topic names, optionally prefixed (tests and multi-tenant clusters use a prefix). */
export function topicNames(prefix = ''): TopicNames {
  return { events: `${prefix}audit.events`, sealed: `${prefix}audit.sealed`, alerts: `${prefix}audit.alerts` };
}

export interface TopicPolicy {
  /** Partitions of audit.events and audit.sealed (alerts get the same). */
  partitions: number;
  replicationFactor: number;
  /** Required min.insync.replicas; 2 in production (DESIGN.md), 1 on a single local broker. */
  minInsyncReplicas: number;
  /** max.message.bytes of audit.events. */
  maxEventMessageBytes: number;
}

/** A sealed entry carries the input record verbatim plus at most this much framing. */
export const SEALED_ENTRY_OVERHEAD_BYTES = 64 * 1024;

export const DEFAULT_TOPIC_POLICY: TopicPolicy = {
  partitions: 4,
  replicationFactor: 3,
  minInsyncReplicas: 2,
  maxEventMessageBytes: 1024 * 1024,
};

/** Configs each audit topic is created with. */
export function topicConfigs(role: keyof TopicNames, policy: TopicPolicy): Record<string, string> {
  const maxMessageBytes = role === 'events' ? policy.maxEventMessageBytes : policy.maxEventMessageBytes + SEALED_ENTRY_OVERHEAD_BYTES;
  return {
    'retention.ms': '-1',
    'retention.bytes': '-1',
    'cleanup.policy': 'delete',
    'min.insync.replicas': String(policy.minInsyncReplicas),
    'unclean.leader.election.enable': 'false',
    'max.message.bytes': String(maxMessageBytes),
  };
}

export interface DescribedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Effective config values (topic overrides and broker defaults). */
  configs: Record<string, string | undefined>;
}

export interface PolicyViolation {
  topic: string;
  setting: string;
  actual: string;
  expected: string;
  why: string;
}

/**
 * Every way in which the described topics would allow an audit record to be
 * lost. An empty list means the topics are safe to run on.
 */
export function evaluateTopicPolicy(
  names: TopicNames,
  described: Partial<Record<keyof TopicNames, DescribedTopic>>,
  policy: Pick<TopicPolicy, 'minInsyncReplicas'>,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const role of ['events', 'sealed', 'alerts'] as const) {
    const topic = described[role];
    const name = names[role];
    if (!topic) {
      violations.push({ topic: name, setting: 'existence', actual: 'missing', expected: 'exists', why: 'run `auditseal topics ensure` to create it' });
      continue;
    }
    const c = topic.configs;
    const check = (setting: string, ok: boolean, expected: string, why: string) => {
      if (!ok) violations.push({ topic: name, setting, actual: c[setting] ?? 'unset', expected, why });
    };
    check('retention.ms', c['retention.ms'] === '-1', '-1', 'finite retention deletes audit records');
    check('retention.bytes', c['retention.bytes'] === '-1', '-1', 'size-based retention deletes audit records');
    check('cleanup.policy', c['cleanup.policy'] === 'delete', 'delete', 'compaction drops records that share a key');
    check('unclean.leader.election.enable', c['unclean.leader.election.enable'] !== 'true', 'false', 'an unclean leader election loses acknowledged records');
    const minIsr = Number(c['min.insync.replicas'] ?? '1');
    check('min.insync.replicas', minIsr >= policy.minInsyncReplicas, `>= ${policy.minInsyncReplicas}`, 'acks=all is only as durable as the in-sync replicas it waits for');
    if (topic.replicationFactor < minIsr) {
      violations.push({
        topic: name,
        setting: 'replication.factor',
        actual: String(topic.replicationFactor),
        expected: `>= min.insync.replicas (${minIsr})`,
        why: 'no write could ever be acknowledged',
      });
    }
  }
  const { events, sealed } = described;
  if (events && sealed) {
    if (events.partitions !== sealed.partitions) {
      violations.push({
        topic: names.sealed,
        setting: 'partitions',
        actual: String(sealed.partitions),
        expected: `${events.partitions} (same as ${names.events})`,
        why: 'partition p of the sealed topic is the chain of partition p of the events topic',
      });
    }
    const eventMax = Number(events.configs['max.message.bytes'] ?? NaN);
    const sealedMax = Number(sealed.configs['max.message.bytes'] ?? NaN);
    if (Number.isFinite(eventMax) && Number.isFinite(sealedMax) && sealedMax < eventMax + SEALED_ENTRY_OVERHEAD_BYTES) {
      violations.push({
        topic: names.sealed,
        setting: 'max.message.bytes',
        actual: String(sealedMax),
        expected: `>= ${eventMax + SEALED_ENTRY_OVERHEAD_BYTES}`,
        why: `a sealed entry carries an input record of up to ${eventMax} bytes verbatim and must always fit`,
      });
    }
  }
  return violations;
}

export function formatViolations(violations: PolicyViolation[]): string {
  return violations.map((v) => `  - ${v.topic}: ${v.setting} is ${v.actual}, must be ${v.expected} (${v.why})`).join('\n');
}
