import 'reflect-metadata';
import { INestApplication, Logger, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { z } from 'zod';
import { ConfigError, loadConfig, ServiceEnv, serviceEnvSchema } from '@clonecast/platform/config';
import { Kafka, TopicNames } from '@clonecast/platform/messaging';
import { ensureServiceTopics, KafkaEventTransport } from './kafka-event.transport';
import { ServiceMetrics } from './metrics';
import { Readiness } from './readiness';
import { RethrowToTransport } from './rethrow.filter';
import { SERVICE_DEFINITION, SERVICE_ENV, ServiceDefinition } from './tokens';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Validates the environment or stops the process with a message naming each bad variable. */
export function serviceEnv(env?: NodeJS.ProcessEnv): ServiceEnv;
export function serviceEnv<S extends z.ZodType>(env: NodeJS.ProcessEnv, schema: S): z.infer<S>;
export function serviceEnv(env: NodeJS.ProcessEnv = process.env, schema: z.ZodType = serviceEnvSchema): unknown {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** Entry point of a service's main.ts: boots it, or exits non-zero with the reason. */
export function startService(root: (env: ServiceEnv) => Type<unknown>): void {
  runService(root).catch((error: unknown) => {
    new Logger('bootstrap').error(`failed to start: ${(error as Error).message}`, (error as Error).stack);
    process.exit(1);
  });
}

/**
 * Boots a hybrid Nest app: state is restored (onApplicationBootstrap) before the Kafka consumer starts,
 * then the HTTP port (health, metrics, service routes) opens. SIGTERM/SIGINT close it gracefully:
 * the consumer finishes and commits its message in flight, then telemetry flushes.
 */
export async function runService(root: (env: ServiceEnv) => Type<unknown>, env: ServiceEnv = serviceEnv()): Promise<INestApplication> {
  const app = await NestFactory.create(root(env), {
    logger: LEVELS.slice(0, LEVELS.indexOf(env.LOG_LEVEL) + 1),
  });
  const definition = app.get<ServiceDefinition>(SERVICE_DEFINITION);
  const logger = new Logger(definition.name);
  app.enableShutdownHooks();
  await ensureServiceTopics(app.get(Kafka), app.get(TopicNames), definition);
  const ms = app.connectMicroservice(
    {
      strategy: new KafkaEventTransport({
        kafka: app.get(Kafka),
        names: app.get(TopicNames),
        env: app.get(SERVICE_ENV),
        definition,
        metrics: app.get(ServiceMetrics),
        readiness: app.get(Readiness),
      }),
    },
    { inheritAppConfig: false },
  );
  ms.useGlobalFilters(new RethrowToTransport());
  // bootstrap hooks (state replay) run here, before the consumer starts
  await app.init();
  await app.startAllMicroservices();
  await app.listen(env.HTTP_PORT, '0.0.0.0');
  logger.log(`ready: consuming ${definition.consumes.map((t) => t.name).join(', ')}; HTTP on :${env.HTTP_PORT}`);
  return app;
}
