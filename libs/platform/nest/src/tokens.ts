import type { TopicDescriptor } from '@clonecast/contracts';
import type { ServiceEnv } from '@clonecast/platform/config';

export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const SERVICE_DEFINITION = Symbol('SERVICE_DEFINITION');

export interface ServiceDefinition {
  /** e.g. "prediction-service"; also the consumer group and the OpenTelemetry service name. */
  name: string;
  consumes: readonly TopicDescriptor[];
  produces: readonly TopicDescriptor[];
  /** Topics read into in-memory state (followers), outside the consumer group. */
  follows?: readonly TopicDescriptor[];
  /** Partitions of topics this service creates when missing. */
  partitions?: number;
}

export type { ServiceEnv };
