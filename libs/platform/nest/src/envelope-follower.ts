import type { Envelope, TopicDescriptor } from '@clonecast/contracts';
import { Kafka, TopicFollower, TopicNames } from '@clonecast/platform/messaging';
import type { Readiness } from './readiness';

export interface FollowedEvent {
  topic: TopicDescriptor;
  /** The envelope, or null for a tombstone on a compacted topic. */
  envelope: Envelope | null;
  key: string | null;
  replaying: boolean;
}

/**
 * Keeps in-memory state in step with topics: replays them from the beginning at start, then follows.
 * Messages that do not match their contract are skipped here (the transactional consumers dead-letter them).
 */
export async function followEnvelopes(
  deps: { kafka: Kafka; names: TopicNames; readiness: Readiness; service: string },
  name: string,
  topics: readonly TopicDescriptor[],
  apply: (event: FollowedEvent) => void | Promise<void>,
): Promise<TopicFollower> {
  const byName = new Map(topics.map((t) => [deps.names.of(t), t]));
  const follower = new TopicFollower(
    deps.kafka,
    [...byName.keys()],
    async ({ topic, message, replaying }) => {
      const descriptor = byName.get(topic);
      if (!descriptor) return;
      const key = message.key?.toString() ?? null;
      if (message.value === null) return apply({ topic: descriptor, envelope: null, key, replaying });
      let raw: unknown;
      try {
        raw = JSON.parse(message.value.toString('utf8'));
      } catch {
        return;
      }
      const parsed = descriptor.envelope.safeParse(raw);
      if (parsed.success) await apply({ topic: descriptor, envelope: parsed.data as Envelope, key, replaying });
    },
    { follow: true, traceAs: deps.service },
  );
  deps.readiness.register(name, () => follower.ready);
  await follower.start();
  return follower;
}
