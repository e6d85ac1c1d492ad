import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { Envelope, TopicDescriptor } from '@clonecast/contracts';
import type { KafkaContext } from './kafka';

/**
 * Watches topics for the first envelope that matches. It joins before anything is published and reads
 * from the latest offsets, so it sees exactly what the request causes.
 */
export class EventWatch {
  private found?: Envelope;
  private notify?: (e: Envelope) => void;

  private constructor(private readonly consumer: Consumer) {}

  static async start(ctx: KafkaContext, topics: readonly TopicDescriptor[], match: (e: Envelope) => boolean): Promise<EventWatch> {
    const consumer = ctx.kafka.consumer({ groupId: `clonecast-cli-${randomUUID()}`, readUncommitted: false });
    const watch = new EventWatch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => ctx.names.of(t)), fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (watch.found || !message.value) return;
        try {
          const envelope = JSON.parse(message.value.toString('utf8')) as Envelope;
          if (match(envelope)) {
            watch.found = envelope;
            watch.notify?.(envelope);
          }
        } catch {
          // not an envelope: not what we wait for
        }
      },
    });
    await joined;
    return watch;
  }

  next(timeoutMs: number): Promise<Envelope> {
    if (this.found) return Promise.resolve(this.found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no outcome within ${timeoutMs / 1000} s (is the stack running? npm run stack:up)`)), timeoutMs);
      this.notify = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
