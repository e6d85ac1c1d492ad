import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { shutdownTelemetry } from '@clonecast/platform/telemetry';
import { EventPublisher, Kafka, kafkaConfigFromEnv, TopicNames } from '@clonecast/platform/messaging';
import { ServiceMetrics } from './metrics';
import { OpsController } from './ops.controller';
import { Readiness } from './readiness';
import { SERVICE_DEFINITION, SERVICE_ENV, ServiceDefinition, ServiceEnv } from './tokens';

/** Everything a service needs from the platform, wired once: Kafka, topic names, publisher, metrics, ops HTTP. */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  /** Runs after the consumer and HTTP server closed: flush the spans they produced. */
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }

  static forService(definition: ServiceDefinition, env: ServiceEnv): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [OpsController],
      providers: [
        { provide: SERVICE_DEFINITION, useValue: definition },
        { provide: SERVICE_ENV, useValue: env },
        { provide: Kafka, useValue: new Kafka(kafkaConfigFromEnv(env, definition.name)) },
        { provide: TopicNames, useValue: new TopicNames(env.KAFKA_TOPIC_PREFIX) },
        { provide: ServiceMetrics, useValue: new ServiceMetrics(definition.name) },
        Readiness,
        {
          provide: EventPublisher,
          inject: [Kafka, TopicNames, Readiness],
          useFactory: async (kafka: Kafka, names: TopicNames, readiness: Readiness) => {
            const publisher = new EventPublisher(kafka, names, definition.name);
            await publisher.connect();
            let connected = true;
            readiness.register('publisher', () => connected);
            publisher.onDisconnect(() => (connected = false));
            return publisher;
          },
        },
      ],
      exports: [SERVICE_DEFINITION, SERVICE_ENV, Kafka, TopicNames, ServiceMetrics, Readiness, EventPublisher],
    };
  }
}
