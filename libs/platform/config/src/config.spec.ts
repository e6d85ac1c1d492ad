import { z } from 'zod';
import { ConfigError, kafkaEnvSchema, loadConfig, serviceEnvSchema } from './config';

describe('loadConfig', () => {
  it('parses brokers, defaults and booleans', () => {
    const env = loadConfig(serviceEnvSchema, { KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9093', HTTP_PORT: '3001', KAFKA_SSL: 'true' });
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', 'kafka-2:9093']);
    expect(env.HTTP_PORT).toBe(3001);
    expect(env.KAFKA_SSL).toBe(true);
    expect(env.KAFKA_TOPIC_PREFIX).toBe('');
    expect(env.LOG_LEVEL).toBe('log');
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(serviceEnvSchema, { HTTP_PORT: '3001' })).toThrow(/KAFKA_BROKERS: is required/);
  });

  it('names a malformed variable with its value', () => {
    try {
      loadConfig(serviceEnvSchema, { KAFKA_BROKERS: 'nohostport', HTTP_PORT: 'eighty' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const message = (e as ConfigError).message;
      expect(message).toContain('KAFKA_BROKERS.0');
      expect(message).toContain('expected host:port');
      expect(message).toContain('HTTP_PORT="eighty"');
    }
  });

  it('requires SASL credentials when a mechanism is set', () => {
    expect(() => loadConfig(kafkaEnvSchema, { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }))
      .toThrow(/KAFKA_SASL_PASSWORD: is required when KAFKA_SASL_MECHANISM=scram-sha-512/);
  });

  it('works with any zod object schema', () => {
    expect(loadConfig(z.object({ X: z.coerce.number() }), { X: '2' })).toEqual({ X: 2 });
  });
});
