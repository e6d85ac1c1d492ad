import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Envelope, TopicDescriptor } from '@clonecast/contracts';

/** The broker the integration tier runs against; set by global-setup.js. Throws, never skips. */
export function brokers(): string[] {
  const value = process.env['KAFKA_BROKERS'];
  if (!value) throw new Error('KAFKA_BROKERS is not set: run integration tests through their jest.int.config.js (globalSetup finds a broker)');
  return value.split(',').map((b) => b.trim());
}

export function testKafka(clientId = 'clonecast-test'): Kafka {
  return new Kafka({ clientId, brokers: brokers(), logLevel: logLevel.NOTHING });
}

/** A topic prefix unique to one test run (use as KAFKA_TOPIC_PREFIX), so tests never see each other's messages. */
export function uniqueTopicPrefix(label: string): string {
  return `t-${label}-${randomUUID().slice(0, 8)}.`;
}

export interface ReceivedMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  envelope?: Envelope;
}

/**
 * Collects messages of one broker topic from its beginning. `waitFor` resolves with the first message that
 * matches, or rejects with what was seen when the timeout passes.
 */
export class TopicProbe {
  readonly received: ReceivedMessage[] = [];
  private readonly waiters: { match: (m: ReceivedMessage) => boolean; resolve: (m: ReceivedMessage) => void }[] = [];
  private readonly consumer;

  private constructor(kafka: Kafka, readonly topic: string) {
    this.consumer = kafka.consumer({ groupId: `probe-${randomUUID()}`, readUncommitted: false });
  }

  static async start(kafka: Kafka, topic: string): Promise<TopicProbe> {
    const probe = new TopicProbe(kafka, topic);
    await probe.consumer.connect();
    await probe.consumer.subscribe({ topic, fromBeginning: true });
    await probe.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v)?.toString() ?? '';
        let envelope: Envelope | undefined;
        try {
          envelope = message.value ? (JSON.parse(message.value.toString()) as Envelope) : undefined;
        } catch {
          envelope = undefined;
        }
        const received: ReceivedMessage = { key: message.key?.toString() ?? null, value: message.value, headers, ...(envelope ? { envelope } : {}) };
        probe.received.push(received);
        for (const w of [...probe.waiters]) {
          if (w.match(received)) {
            probe.waiters.splice(probe.waiters.indexOf(w), 1);
            w.resolve(received);
          }
        }
      },
    });
    return probe;
  }

  waitFor(match: (m: ReceivedMessage) => boolean, timeoutMs = 30_000): Promise<ReceivedMessage> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching message on ${this.topic} within ${timeoutMs} ms; saw ${this.received.length}: ${this.received.map((r) => r.envelope?.type ?? r.value?.toString().slice(0, 60)).join(', ')}`));
      }, timeoutMs);
      this.waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Waits for an event of `topic` (under the topic prefix) that satisfies `match`. */
export async function waitForEvent(
  kafka: Kafka,
  prefix: string,
  topic: TopicDescriptor,
  match: (e: Envelope) => boolean,
  timeoutMs = 30_000,
): Promise<Envelope> {
  const probe = await TopicProbe.start(kafka, prefix + topic.name);
  try {
    const m = await probe.waitFor((r) => r.envelope !== undefined && match(r.envelope), timeoutMs);
    return m.envelope as Envelope;
  } finally {
    await probe.stop();
  }
}
