import { evaluateTopicPolicy, topicConfigs, topicNames, type DescribedTopic, type TopicPolicy } from './topic-policy';

const policy: TopicPolicy = { partitions: 4, replicationFactor: 3, minInsyncReplicas: 2, maxEventMessageBytes: 1_048_576 };
const names = topicNames('t.');

function safeTopic(role: 'events' | 'sealed' | 'alerts', overrides: Partial<DescribedTopic> = {}, configs: Record<string, string> = {}): DescribedTopic {
  return { name: names[role], partitions: 4, replicationFactor: 3, configs: { ...topicConfigs(role, policy), ...configs }, ...overrides };
}

const allSafe = () => ({ events: safeTopic('events'), sealed: safeTopic('sealed'), alerts: safeTopic('alerts') });

describe('evaluateTopicPolicy', () => {
  describe('when the topics were created with topicConfigs', () => {
    it('finds no violation', () => {
      expect(evaluateTopicPolicy(names, allSafe(), policy)).toEqual([]);
    });
  });

  describe('when a topic would lose records', () => {
    it.each([
      ['retention.ms', '604800000'],
      ['retention.bytes', '1073741824'],
      ['cleanup.policy', 'compact'],
      ['cleanup.policy', 'compact,delete'],
      ['unclean.leader.election.enable', 'true'],
      ['min.insync.replicas', '1'],
    ])('reports %s=%s', (setting, value) => {
      const described = { ...allSafe(), events: safeTopic('events', {}, { [setting]: value }) };
      const violations = evaluateTopicPolicy(names, described, policy);
      expect(violations).toEqual([expect.objectContaining({ topic: 't.audit.events', setting, actual: value })]);
    });

    it('reports a missing topic', () => {
      const { alerts: _alerts, ...described } = allSafe();
      expect(evaluateTopicPolicy(names, described, policy)).toEqual([expect.objectContaining({ topic: 't.audit.alerts', setting: 'existence' })]);
    });

    it('reports a replication factor below min.insync.replicas', () => {
      const described = { ...allSafe(), sealed: safeTopic('sealed', { replicationFactor: 1 }) };
      expect(evaluateTopicPolicy(names, described, policy)).toEqual([expect.objectContaining({ setting: 'replication.factor' })]);
    });
  });

  describe('when events and sealed differ', () => {
    it('reports a partition mismatch', () => {
      const described = { ...allSafe(), sealed: safeTopic('sealed', { partitions: 3 }) };
      expect(evaluateTopicPolicy(names, described, policy)).toEqual([expect.objectContaining({ topic: 't.audit.sealed', setting: 'partitions', actual: '3' })]);
    });

    it('reports a sealed topic whose messages cannot hold the largest input record', () => {
      const described = { ...allSafe(), sealed: safeTopic('sealed', {}, { 'max.message.bytes': '1048576' }) };
      expect(evaluateTopicPolicy(names, described, policy)).toEqual([expect.objectContaining({ setting: 'max.message.bytes' })]);
    });
  });
});
