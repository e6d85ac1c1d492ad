import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface ReplayedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface ReplayOptions {
  /** How long a partition may stay silent before it counts as read to its end. */
  idleMs?: number;
  timeoutMs?: number;
}

/**
 * Reads topics from the beginning up to their end as of the call, to rebuild state after a restart
 * (compacted configuration, saga projections, processed-id sets). Uses a throw-away consumer group
 * that is deleted afterwards. A partition counts as done when its last offset before the call has
 * been read, or when it stays silent for `idleMs` (transaction markers occupy offsets that never
 * reach a consumer, so the high watermark alone cannot tell).
 */
export async function replayTopics(
  kafka: Kafka,
  topics: readonly string[],
  onMessage: (m: ReplayedMessage) => void | Promise<void>,
  options: ReplayOptions = {},
): Promise<number> {
  if (topics.length === 0) return 0;
  const idleMs = options.idleMs ?? 1500;
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const high = BigInt(p.high);
        if (high > BigInt(p.low)) pending.set(`${topic}:${p.partition}`, high - 1n);
      }
    }
    if (pending.size === 0) return 0;

    const groupId = `clonecast-replay-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
    let count = 0;
    let lastActivity = Date.now();
    let fetched = false;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      consumer.on(consumer.events.FETCH, () => {
        fetched = true;
      });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          lastActivity = Date.now();
          const key = `${topic}:${partition}`;
          const last = pending.get(key);
          if (last === undefined) return; // written after the call started
          await onMessage({ topic, partition, message });
          count += 1;
          if (BigInt(message.offset) >= last) pending.delete(key);
        },
      });
      const deadline = Date.now() + (options.timeoutMs ?? 60_000);
      while (pending.size > 0) {
        if (fetched && Date.now() - lastActivity > idleMs) break;
        if (Date.now() > deadline) throw new Error(`replay of ${topics.join(', ')} did not finish in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return count;
  } finally {
    await admin.disconnect();
  }
}
