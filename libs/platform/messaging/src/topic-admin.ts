import type { Admin, ITopicConfig } from 'kafkajs';
import type { TopicDescriptor } from '@clonecast/contracts';
import type { TopicNames } from './topic-names';

export interface TopicLayout {
  partitions: number;
  replicationFactor?: number;
}

const WEEK_MS = String(7 * 24 * 3600 * 1000);

/**
 * Creates the topics a service uses (and their DLQs) when they do not exist yet; the broker's
 * auto-creation is off so partition counts and compaction are decisions, not accidents.
 */
export async function ensureTopics(
  admin: Admin,
  names: TopicNames,
  topics: readonly TopicDescriptor[],
  layout: TopicLayout,
  extra: readonly ITopicConfig[] = [],
): Promise<void> {
  const wanted: ITopicConfig[] = [];
  for (const topic of topics) {
    wanted.push({
      topic: names.of(topic),
      numPartitions: layout.partitions,
      replicationFactor: layout.replicationFactor ?? -1,
      configEntries: topic.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
    });
    wanted.push({ topic: names.dlqOf(topic), numPartitions: layout.partitions, replicationFactor: layout.replicationFactor ?? -1 });
  }
  wanted.push(...extra);
  // Replicas and sibling services create overlapping topic sets at boot: retry until all exist.
  for (let attempt = 1; ; attempt += 1) {
    const existing = new Set(await admin.listTopics());
    const missing = dedupe(wanted).filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/** Compacted, time-bounded topic recording which event ids a consumer group has processed. */
export function processedTopicConfig(topic: string, partitions: number): ITopicConfig {
  return {
    topic,
    numPartitions: partitions,
    replicationFactor: -1,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact,delete' },
      { name: 'retention.ms', value: WEEK_MS },
    ],
  };
}

function dedupe(topics: ITopicConfig[]): ITopicConfig[] {
  const seen = new Map<string, ITopicConfig>();
  for (const t of topics) if (!seen.has(t.topic)) seen.set(t.topic, t);
  return [...seen.values()];
}
