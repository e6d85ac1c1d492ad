import { z } from 'zod';
import { envelopeSchema } from './envelope';
import * as e from './events';

/**
 * A topic carries one event type at one major version. The key keeps per-account ordering.
 * All topic names live here.
 */
export interface TopicDescriptor<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly name: `${T}.v${number}`;
  readonly type: T;
  readonly version: number;
  readonly schema: S;
  readonly envelope: z.ZodType<Envelope<T, z.infer<S>>>;
  readonly key: (data: z.infer<S>) => string;
  readonly compacted: boolean;
  readonly description: string;
  readonly dlq: string;
}

export interface Envelope<T extends string = string, D = unknown> {
  id: string;
  type: T;
  version: number;
  source: string;
  occurredAt: string;
  requestId: string;
  data: D;
}

function topic<T extends string, S extends z.ZodType>(
  type: T,
  schema: S,
  key: (data: z.infer<S>) => string,
  description: string,
  compacted = false,
): TopicDescriptor<T, S> {
  const version = 1;
  const name = `${type}.v${version}` as const;
  return {
    name,
    type,
    version,
    schema,
    envelope: envelopeSchema(type, version, schema) as unknown as z.ZodType<Envelope<T, z.infer<S>>>,
    key,
    compacted,
    description,
    dlq: `${name}.dlq`,
  };
}

export const topics = {
  cloneRequested: topic('clone.requested', e.cloneRequestedSchema, (d) => d.spec.targetAccountId,
    'A clone of an account is requested'),
  demandPredicted: topic('demand.predicted', e.demandPredictedSchema, (d) => d.spec.targetAccountId,
    "The clone's forecast demand"),
  allocationPlanned: topic('allocation.planned', e.allocationPlannedSchema, (d) => d.spec.targetAccountId,
    'The cost-optimal purchase plan'),
  resourcesProvisioned: topic('resources.provisioned', e.resourcesProvisionedSchema, (d) => d.spec.targetAccountId,
    'Infrastructure for the clone is ready'),
  cloneCompleted: topic('clone.completed', e.cloneCompletedSchema, (d) => d.spec.targetAccountId,
    'The clone is live-ready with its configuration restored'),
  cloneFailed: topic('clone.failed', e.cloneFailedSchema, (d) => d.targetAccountId,
    'A clone request failed at some stage'),
  usageObserved: topic('usage.observed', e.usageObservedSchema, (d) => d.accountId, 'Observed usage of an account'),
  scalingDecided: topic('scaling.decided', e.scalingDecidedSchema, (d) => d.accountId,
    'The control loop resizes an instance group'),
  resourcesScaled: topic('resources.scaled', e.resourcesScaledSchema, (d) => d.accountId,
    'A scaling decision was applied'),
  accountConfig: topic('account.config', e.accountConfigSchema, (d) => `${d.accountId}/${d.version}`,
    'Versioned account configuration (compacted)', true),
  provisioningScheduled: topic('provisioning.scheduled', e.provisioningScheduledSchema, (d) => d.spec.targetAccountId,
    'Provisioning work waiting for its start time (internal to provisioning-service; compacted, tombstoned when done)', true),
} as const;

export type Topics = typeof topics;
export type TopicKey = keyof Topics;
export type EventOf<K extends TopicKey> = Envelope<Topics[K]['type'], z.infer<Topics[K]['schema']>>;
export type DataOf<K extends TopicKey> = z.infer<Topics[K]['schema']>;

export const allTopics: readonly TopicDescriptor[] = Object.values(topics) as readonly TopicDescriptor[];

export function topicByName(name: string): TopicDescriptor | undefined {
  return allTopics.find((t) => t.name === name);
}

export type CloneRequested = DataOf<'cloneRequested'>;
export type DemandPredicted = DataOf<'demandPredicted'>;
export type AllocationPlanned = DataOf<'allocationPlanned'>;
export type ResourcesProvisioned = DataOf<'resourcesProvisioned'>;
export type CloneCompleted = DataOf<'cloneCompleted'>;
export type CloneFailed = DataOf<'cloneFailed'>;
export type UsageObserved = DataOf<'usageObserved'>;
export type ScalingDecided = DataOf<'scalingDecided'>;
export type ResourcesScaled = DataOf<'resourcesScaled'>;
export type AccountConfig = DataOf<'accountConfig'>;
export type ProvisioningScheduled = DataOf<'provisioningScheduled'>;
