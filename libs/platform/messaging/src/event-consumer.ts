import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Partitioners, type Consumer, type EachMessagePayload, type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { envelopeHeadSchema, type Envelope, type TopicDescriptor } from '@clonecast/contracts';
import { createEnvelope, formatZodIssues } from './envelope-factory';
import { DlqStage, InvalidMessageError } from './errors';
import { Outgoing, toKafkaMessage } from './publisher';
import { replayTopics } from './replay';
import { processedTopicConfig } from './topic-admin';
import type { TopicNames } from './topic-names';
import { extractTraceContext, KafkaHeaders } from './trace-context';

const tracer = trace.getTracer('clonecast-messaging');

export interface IncomingEvent<D = unknown> {
  envelope: Envelope<string, D>;
  topic: TopicDescriptor;
  partition: number;
  offset: string;
  key: string | null;
}

/** A handler returns the events its input causes; they are published atomically with the offset. */
export type EventHandler = (event: IncomingEvent) => Promise<readonly Outgoing[]>;

export type Outcome = 'processed' | 'duplicate' | 'dead-lettered';

/** Hooks for metrics; the messaging library itself stays free of a metrics backend. */
export interface ConsumerObserver {
  onOutcome?(topic: string, outcome: Outcome, seconds: number): void;
  onDeadLetter?(topic: string, stage: DlqStage, reason: string): void;
}

export interface EventConsumerOptions {
  groupId: string;
  /** Stable per replica: keys the transactional producer so a restarted replica fences its predecessor. */
  instanceId: string;
  source: string;
  handlers: ReadonlyMap<TopicDescriptor, EventHandler>;
  names: TopicNames;
  partitions: number;
  retry?: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  observer?: ConsumerObserver;
  log?: (level: 'log' | 'warn' | 'error', message: string) => void;
}

/**
 * Consume → parse → handle → publish, exactly once per event id:
 * - each input is processed in one Kafka transaction that holds its outputs, a marker on the group's
 *   compacted "processed" topic and the consumer offset, so a crash at any point leaves either all or none;
 * - the processed ids are read back from that topic at start, so an envelope sent twice (even across a
 *   restart) yields one outcome;
 * - undecodable or invalid messages, and messages whose handler keeps failing, go to `<topic>.dlq` with the
 *   original bytes and x-dlq-* headers, in the same transaction: the partition never blocks;
 * - partitions are consumed one message at a time, so events with the same key stay in order.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly processed = new Set<string>();
  private readonly byBrokerTopic = new Map<string, TopicDescriptor>();
  private joined = false;
  private running = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: EventConsumerOptions,
  ) {
    for (const topic of options.handlers.keys()) this.byBrokerTopic.set(options.names.of(topic), topic);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.producer = kafka.producer({
      transactionalId: `${options.groupId}.${options.instanceId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 30_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT, REBALANCING } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => (this.joined = true));
    for (const e of [CRASH, STOP, DISCONNECT, REBALANCING]) this.consumer.on(e, () => (this.joined = false));
  }

  /** Ready = connected and a member of the consumer group. */
  get ready(): boolean {
    return this.running && this.joined;
  }

  get processedTopic(): string {
    return this.options.names.processedOf(this.options.groupId);
  }

  static processedTopicConfig(names: TopicNames, groupId: string, partitions: number) {
    return processedTopicConfig(names.processedOf(groupId), partitions);
  }

  async start(): Promise<void> {
    await replayTopics(this.kafka, [this.processedTopic], ({ message }) => {
      if (message.key) this.processed.add(message.key.toString());
    });
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.byBrokerTopic.keys()], fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: (payload) => this.onMessage(payload),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    // disconnect waits for the message in flight; its transaction commits its offset
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async onMessage({ topic: brokerTopic, partition, message }: EachMessagePayload): Promise<void> {
    const topic = this.byBrokerTopic.get(brokerTopic);
    if (!topic) throw new Error(`no handler for ${brokerTopic}`);
    const started = process.hrtime.bigint();
    const headers = (message.headers ?? {}) as KafkaHeaders;
    const parent = extractTraceContext(headers);
    const span = tracer.startSpan(
      `${brokerTopic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': brokerTopic,
          'messaging.consumer.group.name': this.options.groupId,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
          'service.name.consumer': this.options.source,
        },
      },
      parent,
    );
    const nextOffset = (BigInt(message.offset) + 1n).toString();
    try {
      const outcome = await context.with(trace.setSpan(parent, span), () =>
        this.process(topic, brokerTopic, partition, message, nextOffset, span.setAttribute.bind(span)),
      );
      span.setAttribute('clonecast.outcome', outcome);
      this.options.observer?.onOutcome?.(topic.name, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error; // kafkajs retries from the last committed offset
    } finally {
      span.end();
    }
  }

  private async process(
    topic: TopicDescriptor,
    brokerTopic: string,
    partition: number,
    message: KafkaMessage,
    nextOffset: string,
    annotate: (key: string, value: string) => unknown,
  ): Promise<Outcome> {
    const decoded = decode(message.value);
    if (!decoded.ok) {
      return this.deadLetter(topic, brokerTopic, partition, message, nextOffset, 'decode', decoded.reason);
    }
    const head = envelopeHeadSchema.safeParse(decoded.value);
    if (head.success) {
      annotate('messaging.message.id', head.data.id);
      annotate('clonecast.request_id', head.data.requestId);
      if (this.processed.has(head.data.id)) {
        await this.commit(brokerTopic, partition, nextOffset, []);
        return 'duplicate';
      }
    }
    const parsed = topic.envelope.safeParse(decoded.value);
    if (!parsed.success) {
      return this.deadLetter(topic, brokerTopic, partition, message, nextOffset, 'validate',
        `does not match ${topic.name}: ${formatZodIssues(parsed.error.issues)}`);
    }
    const envelope = parsed.data as Envelope;
    const event: IncomingEvent = { envelope, topic, partition, offset: message.offset, key: message.key?.toString() ?? null };

    let outputs: readonly Outgoing[];
    try {
      outputs = await this.handleWithRetry(event);
    } catch (error) {
      const stage: DlqStage = error instanceof InvalidMessageError ? error.stage : 'handle';
      return this.deadLetter(topic, brokerTopic, partition, message, nextOffset, stage, (error as Error).message);
    }
    const messages = outputs.map((out, index) => {
      const sameTypeBefore = outputs.slice(0, index).filter((o) => o.topic === out.topic).length;
      const outEnvelope = createEnvelope(out.topic, out.data, {
        source: this.options.source,
        requestId: out.requestId ?? envelope.requestId,
        causationId: envelope.id,
        index: sameTypeBefore,
      });
      return { topic: this.options.names.of(out.topic), message: toKafkaMessage(out.topic, outEnvelope) };
    });
    messages.push({
      topic: this.processedTopic,
      message: { key: envelope.id, value: JSON.stringify({ topic: topic.name, partition, offset: message.offset, at: new Date().toISOString() }) },
    });
    await this.commit(brokerTopic, partition, nextOffset, messages);
    this.processed.add(envelope.id);
    return 'processed';
  }

  private async handleWithRetry(event: IncomingEvent): Promise<readonly Outgoing[]> {
    const handler = this.options.handlers.get(event.topic);
    if (!handler) throw new Error(`no handler for ${event.topic.name}`);
    const retry = this.options.retry ?? { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await handler(event);
      } catch (error) {
        if (error instanceof InvalidMessageError || attempt >= retry.attempts || !this.running) throw error;
        const delay = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
        this.options.log?.('warn', `${event.topic.name} ${event.envelope.id}: attempt ${attempt} failed (${(error as Error).message}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async deadLetter(
    topic: TopicDescriptor,
    brokerTopic: string,
    partition: number,
    message: KafkaMessage,
    nextOffset: string,
    stage: DlqStage,
    reason: string,
  ): Promise<Outcome> {
    this.options.log?.('warn', `${brokerTopic}[${partition}]@${message.offset} → DLQ (${stage}): ${reason}`);
    const headers: KafkaHeaders = {
      ...((message.headers ?? {}) as KafkaHeaders),
      'x-dlq-reason': reason.slice(0, 2000),
      'x-dlq-stage': stage,
      'x-dlq-source-topic': brokerTopic,
      'x-dlq-source-partition': String(partition),
      'x-dlq-source-offset': message.offset,
      'x-dlq-consumer-group': this.options.groupId,
      'x-dlq-at': new Date().toISOString(),
    };
    const dlq: Message = { key: message.key, value: message.value, headers };
    await this.commit(brokerTopic, partition, nextOffset, [{ topic: this.options.names.dlqOf(topic), message: dlq }]);
    this.options.observer?.onDeadLetter?.(topic.name, stage, reason);
    return 'dead-lettered';
  }

  private async commit(brokerTopic: string, partition: number, nextOffset: string, messages: { topic: string; message: Message }[]): Promise<void> {
    const tx = await this.producer.transaction();
    try {
      for (const { topic, message } of messages) await tx.send({ topic, messages: [message] });
      await tx.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [{ topic: brokerTopic, partitions: [{ partition, offset: nextOffset }] }],
      });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }
  }
}

function decode(value: Buffer | null): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === null) return { ok: false, reason: 'empty message (null value)' };
  try {
    return { ok: true, value: JSON.parse(value.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}
