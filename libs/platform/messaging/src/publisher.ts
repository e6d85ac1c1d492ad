import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Envelope, TopicDescriptor } from '@clonecast/contracts';
import { createEnvelope, encodeEnvelope, EnvelopeMeta } from './envelope-factory';
import { injectTraceContext } from './trace-context';
import type { TopicNames } from './topic-names';

const tracer = trace.getTracer('clonecast-messaging');

export interface Outgoing {
  topic: TopicDescriptor;
  data: unknown;
  /** Correlation id; defaults to the causing event's. */
  requestId?: string;
}

/** Builds the Kafka message for an outgoing event: validated, keyed by the topic's key, traced. */
export function toKafkaMessage(topic: TopicDescriptor, envelope: Envelope): Message {
  return {
    key: topic.key(envelope.data as never),
    value: encodeEnvelope(topic, envelope),
    headers: injectTraceContext({ 'content-type': 'application/json', 'ce-type': envelope.type }),
  };
}

/**
 * Publishes events outside a consumer transaction (HTTP requests, timers, CLI). Idempotent producer:
 * broker-side retries never duplicate a message.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly names: TopicNames,
    private readonly source: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async publish<T extends string>(
    topic: TopicDescriptor<T>,
    data: unknown,
    meta: Omit<EnvelopeMeta, 'source'> & { source?: string },
  ): Promise<Envelope<T>> {
    const envelope = createEnvelope(topic, data, { ...meta, source: meta.source ?? this.source });
    await this.publishEnvelope(topic, envelope);
    return envelope;
  }

  /** Sends a ready envelope as it is (replays, tests, the CLI re-sending the same event). */
  async publishEnvelope(topic: TopicDescriptor, envelope: Envelope): Promise<void> {
    const name = this.names.of(topic);
    const span = tracer.startSpan(`${name} publish`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': name,
        'messaging.message.id': envelope.id,
        'clonecast.request_id': envelope.requestId,
      },
    });
    try {
      await context.with(trace.setSpan(context.active(), span), () =>
        this.producer.send({ topic: name, messages: [toKafkaMessage(topic, envelope)] }),
      );
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  /** Sends raw bytes (used by tests and tools to produce deliberately malformed messages). */
  async publishRaw(topic: string, value: Buffer | string, key?: string): Promise<void> {
    await this.producer.send({ topic, messages: [{ key: key ?? null, value }] });
  }

  /** Deletes a key from a compacted topic. */
  async publishTombstone(topic: TopicDescriptor, key: string): Promise<void> {
    await this.producer.send({ topic: this.names.of(topic), messages: [{ key, value: null }] });
  }

  onDisconnect(listener: () => void): void {
    this.producer.on(this.producer.events.DISCONNECT, listener);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
