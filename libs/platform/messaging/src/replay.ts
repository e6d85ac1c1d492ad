import { randomUUID } from 'node:crypto';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { retriable } from './retriable';
import { extractTraceContext, KafkaHeaders } from './trace-context';

const tracer = trace.getTracer('clonecast-messaging');

export interface ReplayedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** True while the follower is still reading what existed when it started. */
  replaying: boolean;
}

export interface FollowerOptions {
  /** How long a partition may stay silent before it counts as read to its end. */
  idleMs?: number;
  timeoutMs?: number;
  /** Keep reading new messages after catching up. */
  follow: boolean;
  /** Consumer-span name prefix for live (not replayed) messages, e.g. the service name. */
  traceAs?: string;
}

/**
 * Reads topics from the beginning to rebuild state (compacted configuration, saga projections,
 * processed-id sets), then optionally keeps following them. Uses its own throw-away consumer group.
 * `start()` resolves once the messages that existed at start have been read: a partition is done when its
 * last offset has been read, or when it stays silent for `idleMs` (transaction markers occupy offsets that
 * never reach a consumer, so the high watermark alone cannot tell).
 */
export class TopicFollower {
  private consumer?: Consumer;
  private readonly groupId = `clonecast-follower-${randomUUID()}`;
  private caughtUp = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: readonly string[],
    private readonly onMessage: (m: ReplayedMessage) => void | Promise<void>,
    private readonly options: FollowerOptions,
  ) {}

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(): Promise<number> {
    const pending = await this.endOffsets();
    let count = 0;
    let lastActivity = Date.now();
    let fetched = false;
    if (pending.size === 0 && !this.options.follow) {
      this.caughtUp = true;
      return 0;
    }
    const consumer = this.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    consumer.on(consumer.events.FETCH, () => (fetched = true));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        lastActivity = Date.now();
        const key = `${topic}:${partition}`;
        const last = pending.get(key);
        const replaying = !this.caughtUp && last !== undefined;
        if (!replaying && !this.options.follow) return;
        await this.deliver({ topic, partition, message, replaying });
        if (replaying) count += 1;
        if (last !== undefined && BigInt(message.offset) >= last) pending.delete(key);
      },
    });
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    while (pending.size > 0) {
      if (fetched && Date.now() - lastActivity > (this.options.idleMs ?? 1500)) break;
      if (Date.now() > deadline) throw new Error(`reading ${this.topics.join(', ')} to their end did not finish in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.caughtUp = true;
    if (!this.options.follow) await this.stop();
    return count;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    await consumer.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }

  private async deliver(m: ReplayedMessage): Promise<void> {
    if (m.replaying || !this.options.traceAs) return this.onMessage(m);
    const parent = extractTraceContext((m.message.headers ?? {}) as KafkaHeaders);
    const span = tracer.startSpan(
      `${m.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': m.topic,
          'clonecast.follower': this.options.traceAs,
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => this.onMessage(m));
    } finally {
      span.end();
    }
  }

  private async endOffsets(): Promise<Map<string, bigint>> {
    const admin = this.kafka.admin();
    await admin.connect();
    const pending = new Map<string, bigint>();
    try {
      for (const topic of this.topics) {
        for (const p of await retriable(() => admin.fetchTopicOffsets(topic))) {
          const high = BigInt(p.high);
          if (high > BigInt(p.low)) pending.set(`${topic}:${p.partition}`, high - 1n);
        }
      }
    } finally {
      await admin.disconnect();
    }
    return pending;
  }
}

/** Reads topics from the beginning to their end as of the call, then stops. */
export async function replayTopics(
  kafka: Kafka,
  topics: readonly string[],
  onMessage: (m: ReplayedMessage) => void | Promise<void>,
  options: Omit<FollowerOptions, 'follow' | 'traceAs'> = {},
): Promise<number> {
  return new TopicFollower(kafka, topics, onMessage, { ...options, follow: false }).start();
}
