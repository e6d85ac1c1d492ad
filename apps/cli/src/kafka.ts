import { loadConfig, kafkaEnvSchema } from '@clonecast/platform/config';
import { EventPublisher, Kafka, kafkaConfigFromEnv, TopicNames } from '@clonecast/platform/messaging';
import { z } from 'zod';

// The CLI talks to a local broker unless told otherwise.
const cliKafkaEnv = z
  .object({ KAFKA_BROKERS: z.string().default('127.0.0.1:9092') })
  .passthrough()
  .pipe(kafkaEnvSchema);

export interface KafkaContext {
  kafka: Kafka;
  names: TopicNames;
}

export function kafkaContext(env: NodeJS.ProcessEnv = process.env): KafkaContext {
  const config = loadConfig(cliKafkaEnv, env);
  return { kafka: new Kafka(kafkaConfigFromEnv(config, 'clonecast-cli')), names: new TopicNames(config.KAFKA_TOPIC_PREFIX) };
}

export async function withPublisher<T>(ctx: KafkaContext, run: (publisher: EventPublisher) => Promise<T>): Promise<T> {
  const publisher = new EventPublisher(ctx.kafka, ctx.names, 'clonecast-cli');
  await publisher.connect();
  try {
    return await run(publisher);
  } finally {
    await publisher.disconnect();
  }
}
