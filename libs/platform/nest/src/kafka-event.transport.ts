import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { TopicDescriptor } from '@clonecast/contracts';
import {
  ensureTopics,
  EventConsumer,
  EventHandler,
  IncomingEvent,
  Kafka,
  Outgoing,
  TopicNames,
} from '@clonecast/platform/messaging';
import type { ServiceMetrics } from './metrics';
import type { Readiness } from './readiness';
import type { ServiceDefinition, ServiceEnv } from './tokens';

export const DEFAULT_PARTITIONS = 3;

/** Creates every topic a service touches (and the DLQs and its processed-id topic) before anything reads them. */
export async function ensureServiceTopics(kafka: Kafka, names: TopicNames, definition: ServiceDefinition): Promise<void> {
  const partitions = definition.partitions ?? DEFAULT_PARTITIONS;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, names, [...definition.consumes, ...definition.produces, ...(definition.follows ?? [])], { partitions }, [
      EventConsumer.processedTopicConfig(names, definition.name, 1),
    ]);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Nest transport that feeds `@EventPattern(topic.name)` handlers from the platform's EventConsumer.
 * A handler receives the validated envelope (and the IncomingEvent as context) and returns the
 * events it causes; the consumer publishes them in the same transaction as the offset.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer;

  constructor(
    private readonly deps: {
      kafka: Kafka;
      names: TopicNames;
      env: ServiceEnv;
      definition: ServiceDefinition;
      metrics: ServiceMetrics;
      readiness: Readiness;
    },
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { kafka, names, env, definition, metrics, readiness } = this.deps;
      const partitions = definition.partitions ?? DEFAULT_PARTITIONS;
      const handlers = new Map<TopicDescriptor, EventHandler>();
      for (const topic of definition.consumes) handlers.set(topic, this.handlerFor(topic));
      this.consumer = new EventConsumer(kafka, {
        groupId: definition.name,
        instanceId: env.SERVICE_INSTANCE_ID ?? 'default',
        source: definition.name,
        handlers,
        names,
        partitions,
        observer: metrics,
        log: (level, message) => this.logger[level](message),
      });
      const consumer = this.consumer;
      readiness.register('consumer', () => consumer.ready);
      await consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): void {
    // no transport-level events are exposed
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private handlerFor(topic: TopicDescriptor): EventHandler {
    const handler = this.getHandlerByPattern(topic.name);
    if (!handler) throw new Error(`${this.deps.definition.name} consumes ${topic.name} but has no @EventPattern('${topic.name}') handler`);
    return async (event: IncomingEvent) => {
      const result = await handler(event.envelope, event);
      const outputs = await lastValueFrom(this.transformToObservable(result), { defaultValue: [] });
      return (outputs ?? []) as readonly Outgoing[];
    };
  }
}
