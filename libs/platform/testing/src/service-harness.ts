import type { INestApplication, Type } from '@nestjs/common';
import type { ServiceEnv } from '@clonecast/platform/config';
import { brokers, uniqueTopicPrefix } from './broker';

/**
 * Boots a service in this process against the test broker, on topics of its own.
 * `run` is the service's runService; passed in so the testing library stays free of Nest wiring.
 */
export async function startServiceInProcess(
  label: string,
  run: (root: (env: ServiceEnv) => Type<unknown>, env: ServiceEnv) => Promise<INestApplication>,
  root: (env: ServiceEnv) => Type<unknown>,
): Promise<{ app: INestApplication; prefix: string }> {
  const prefix = uniqueTopicPrefix(label);
  const env: ServiceEnv = {
    KAFKA_BROKERS: brokers(),
    KAFKA_SSL: false,
    KAFKA_TOPIC_PREFIX: prefix,
    SERVICE_INSTANCE_ID: 'int-test',
    HTTP_PORT: 0,
    LOG_LEVEL: 'warn',
  };
  const app = await run(root, env);
  return { app, prefix };
}
