import { DEFAULT_TOPIC_POLICY, checkTopics, ensureTopics, formatViolations, type PolicyViolation } from '@auditseal/kafka';
import { COMMON_OPTIONS, intOption, parseCommandArgs } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, usageError } from '../errors';
import type { CliIo } from '../io';
import { KAFKA_HELP, KAFKA_OPTIONS, connectKafka } from '../kafka';
import type { Command } from './command';

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'ensure or check the audit topics against the topic policy',
  help: `Usage: auditseal topics ensure|check [--partitions N] [--replication-factor N]
                                [--min-insync-replicas N] [--brokers …] [--topic-prefix P] [--json]

The topic policy (DESIGN.md "Data flow"): audit.events, audit.sealed and audit.alerts
keep everything forever (retention.ms=-1, retention.bytes=-1), are never compacted,
min.insync.replicas ≥ the required value, no unclean leader election, and the
events and sealed topics have the same partition count.

  check    lists every violation (exit 1 when there is one)
  ensure   creates the missing topics with the policy's configs, then checks; existing
           topics are never altered, only reported

${KAFKA_HELP}

Options:
  --partitions <N>            partitions of created topics (default ${DEFAULT_TOPIC_POLICY.partitions})
  --replication-factor <N>    replication factor of created topics (default ${DEFAULT_TOPIC_POLICY.replicationFactor})
  --min-insync-replicas <N>   required min.insync.replicas (env AUDITSEAL_MIN_INSYNC_REPLICAS, default ${DEFAULT_TOPIC_POLICY.minInsyncReplicas}; 1 only on one local broker)
  --json                      the result as JSON
  -h, --help                  this help

Exit codes: 0 the topics are safe, 1 a violation, 2 usage error or Kafka unreachable.
`,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      'topics',
      argv,
      { ...COMMON_OPTIONS, ...KAFKA_OPTIONS, partitions: { type: 'string' }, 'replication-factor': { type: 'string' }, 'min-insync-replicas': { type: 'string' } },
      1,
    );
    const action = positionals[0];
    if (action !== 'ensure' && action !== 'check') throw usageError(`topics: give ensure or check${action ? `, not ${JSON.stringify(action)}` : ''}`, 'see `auditseal topics --help`');
    const envMinIsr = io.env.AUDITSEAL_MIN_INSYNC_REPLICAS;
    if (envMinIsr !== undefined && !/^\d+$/.test(envMinIsr)) throw usageError(`AUDITSEAL_MIN_INSYNC_REPLICAS must be a whole number, got ${JSON.stringify(envMinIsr)}`);
    const policy = {
      ...DEFAULT_TOPIC_POLICY,
      partitions: intOption(values, 'partitions', { min: 1, max: 10_000 }, DEFAULT_TOPIC_POLICY.partitions)!,
      replicationFactor: intOption(values, 'replication-factor', { min: 1, max: 32 }, DEFAULT_TOPIC_POLICY.replicationFactor)!,
      minInsyncReplicas: intOption(values, 'min-insync-replicas', { min: 1, max: 32 }, envMinIsr !== undefined ? Number(envMinIsr) : DEFAULT_TOPIC_POLICY.minInsyncReplicas)!,
    };
    const k = await connectKafka(values, io.env, io.stderr);
    try {
      let created: string[] = [];
      let violations: PolicyViolation[];
      if (action === 'ensure') {
        try {
          created = (await ensureTopics(k.admin, k.names, policy)).created;
          violations = [];
        } catch (error) {
          const details = (error as { details?: { violations?: PolicyViolation[] } }).details;
          if (!details?.violations) throw new CliError('environment', `creating topics failed: ${(error as Error).message}`, undefined, { cause: error });
          violations = details.violations;
        }
      } else violations = await checkTopics(k.admin, k.names, policy);
      const safe = violations.length === 0;
      if (values.json === true) io.stdout(`${JSON.stringify({ action, topics: k.names, brokers: k.brokers, policy, created, violations, safe }, null, 2)}\n`);
      else {
        if (created.length) io.stdout(`created ${created.join(', ')}\n`);
        io.stdout(safe ? `topics ${Object.values(k.names).join(', ')} meet the policy (min.insync.replicas ≥ ${policy.minInsyncReplicas})\n` : `UNSAFE: the audit topics would allow loss of audit records:\n${formatViolations(violations)}\n`);
      }
      return safe ? EXIT_OK : EXIT_FINDINGS;
    } finally {
      await k.close();
    }
  },
};
