import { KafkaConfig, logCreator, logLevel, SASLOptions } from 'kafkajs';
import type { KafkaEnv } from '@clonecast/platform/config';

/** The one place that turns environment into kafkajs options (brokers, client id, SASL, TLS). */
export function kafkaConfigFromEnv(env: KafkaEnv, clientId: string): KafkaConfig {
  const sasl: SASLOptions | undefined =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
      ? ({
          mechanism: env.KAFKA_SASL_MECHANISM,
          username: env.KAFKA_SASL_USERNAME,
          password: env.KAFKA_SASL_PASSWORD,
        } as SASLOptions)
      : undefined;
  return {
    clientId: env.KAFKA_CLIENT_ID ?? clientId,
    brokers: env.KAFKA_BROKERS,
    ssl: env.KAFKA_SSL,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.WARN,
    logCreator: stderrLogger,
    // retries stay at kafkajs defaults: capping them would weaken the idempotent producer's guarantees
    retry: { initialRetryTime: 200 },
  };
}

const LEVEL_NAMES: Record<number, string> = { [logLevel.ERROR]: 'ERROR', [logLevel.WARN]: 'WARN', [logLevel.INFO]: 'INFO', [logLevel.DEBUG]: 'DEBUG' };

/** kafkajs logs as JSON lines on stderr, so stdout stays free for results (CLI --json). */
export const stderrLogger: logCreator = () => ({ namespace, level, log }) => {
  const { message, timestamp, ...extra } = log;
  process.stderr.write(`${JSON.stringify({ level: LEVEL_NAMES[level] ?? level, timestamp, logger: `kafkajs.${namespace}`, message, ...extra })}\n`);
};
