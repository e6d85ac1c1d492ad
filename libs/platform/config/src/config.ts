import { z } from 'zod';

/** Raised at boot when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return value === undefined ? `${name}: ${issue.message}` : `${name}=${JSON.stringify(value)}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

const booleanFromEnv = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const brokerAddress = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');

export const kafkaEnvSchema = z
  .object({
    KAFKA_BROKERS: z
      .string({ error: 'is required (comma-separated host:port list)' })
      .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
      .pipe(z.array(brokerAddress).min(1, 'needs at least one broker')),
    KAFKA_CLIENT_ID: z.string().min(1).optional(),
    KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_SSL: booleanFromEnv.default(false),
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_", "-"')
      .default('')
      .describe('prefix for every topic name (environments, test isolation)'),
    SERVICE_INSTANCE_ID: z
      .string()
      .regex(/^[a-zA-Z0-9._-]+$/)
      .optional()
      .describe('stable id of this replica; keys the transactional producer so a restart fences its predecessor'),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM && (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.KAFKA_SASL_USERNAME ? 'KAFKA_SASL_PASSWORD' : 'KAFKA_SASL_USERNAME'],
        message: `is required when KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}`,
      });
    }
  });
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

export const serviceEnvSchema = kafkaEnvSchema.and(
  z.object({
    HTTP_PORT: z.coerce.number().int().min(0).max(65535),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  }),
);
export type ServiceEnv = z.infer<typeof serviceEnvSchema>;
