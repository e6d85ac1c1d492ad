import { z } from 'zod';
import {
  accountConfigurationSchema,
  accountIdSchema,
  accountProfileSchema,
  allocationPlanSchema,
  allocationSchema,
  cloneSpecSchema,
  cloudSchema,
  demandForecastSchema,
  isoInstant,
  pricingModelSchema,
  provisionedResourcesSchema,
  resourceDemandSchema,
  stageSchema,
} from './core';

export const cloneRequestedSchema = z
  .object({ spec: cloneSpecSchema, profile: accountProfileSchema })
  .refine((d) => d.profile.accountId === d.spec.sourceAccountId, {
    message: 'profile.accountId must equal spec.sourceAccountId',
    path: ['profile', 'accountId'],
  })
  .describe('A platform team asks for a clone of an account');

export const demandPredictedSchema = z
  .object({
    spec: cloneSpecSchema,
    predictor: z.object({
      kind: z.enum(['model', 'baseline']).describe('which predictor answered'),
      modelVersion: z.string().min(1),
      fallbackReason: z.string().optional().describe('why the baseline answered instead of the model'),
    }),
    forecast: demandForecastSchema,
  })
  .describe("The clone's demand over its timeframe, as quantiles per hour");

export const allocationPlannedSchema = z
  .object({ spec: cloneSpecSchema, plan: allocationPlanSchema })
  .describe('The purchase plan that covers the forecast at the service level');

export const resourcesProvisionedSchema = z
  .object({ spec: cloneSpecSchema, plan: allocationPlanSchema, resources: provisionedResourcesSchema })
  .describe('Infrastructure for the clone exists (or, with the plan-only driver, is planned) and is ready');

export const cloneCompletedSchema = z
  .object({
    spec: cloneSpecSchema,
    restoredConfig: z.object({ sourceVersion: z.number().int().min(1), targetVersion: z.number().int().min(1) }),
    expectedCost: z.number().nonnegative(),
    allocations: z.array(allocationSchema),
    artifactPath: z.string().min(1),
    completedAt: isoInstant,
  })
  .describe('The clone is provisioned and its configuration restored');

export const cloneFailedSchema = z
  .object({
    targetAccountId: accountIdSchema,
    sourceAccountId: accountIdSchema.optional(),
    stage: stageSchema,
    code: z.string().min(1).describe('machine-readable reason, e.g. NO_HISTORY, NO_CATALOG_ROWS'),
    reason: z.string().min(1).describe('human-readable reason'),
    failedAt: isoInstant,
  })
  .describe('A clone request was rejected at some stage');

export const usageObservedSchema = z
  .object({
    accountId: accountIdSchema,
    observedAt: isoInstant.describe('start of the observation interval'),
    intervalMinutes: z.number().int().min(1).max(1440),
    usage: resourceDemandSchema,
  })
  .describe('Actual usage of an account, from monitoring');

const groupRefSchema = z.object({
  name: z.string().min(1),
  cloud: cloudSchema,
  region: z.string().min(1),
  instanceType: z.string().min(1),
  pricingModel: pricingModelSchema,
});

export const scalingDecidedSchema = z
  .object({
    accountId: accountIdSchema,
    decidedAt: isoInstant,
    direction: z.enum(['up', 'down']),
    group: groupRefSchema,
    fromSize: z.number().int().min(0),
    toSize: z.number().int().min(0),
    reason: z.string().min(1),
    observed: resourceDemandSchema,
    forecastMedian: resourceDemandSchema,
  })
  .describe('The control loop changes the size of an instance group');

export const resourcesScaledSchema = z
  .object({
    accountId: accountIdSchema,
    decisionId: z.uuid().describe('id of the scaling.decided event applied'),
    group: groupRefSchema,
    size: z.number().int().min(0),
    artifactPath: z.string().min(1),
    scaledAt: isoInstant,
  })
  .describe('Provisioning applied a scaling decision');

export const accountConfigSchema = z
  .object({
    accountId: accountIdSchema,
    version: z.number().int().min(1).describe('monotonic per account'),
    createdAt: isoInstant,
    restoredFrom: z.object({ accountId: accountIdSchema, version: z.number().int().min(1) }).optional(),
    config: accountConfigurationSchema,
  })
  .describe('One version of an account configuration (topic is compacted on accountId/version)');

export const provisioningScheduledSchema = z
  .object({
    requestId: z.string().min(1),
    spec: cloneSpecSchema,
    plan: allocationPlanSchema,
    startAt: isoInstant.describe('when provisioning starts: activation minus lead time'),
    readyAt: isoInstant,
    leadTimeMinutes: z.number().nonnegative(),
  })
  .describe('Provisioning work waiting for its start time (internal to provisioning-service; compacted)');

/** Data of a clone.failed event for a request that got as far as `stage`. */
export function cloneFailure(
  spec: { targetAccountId: string; sourceAccountId: string },
  stage: z.infer<typeof stageSchema>,
  code: string,
  reason: string,
  at: Date = new Date(),
): z.infer<typeof cloneFailedSchema> {
  return { targetAccountId: spec.targetAccountId, sourceAccountId: spec.sourceAccountId, stage, code, reason, failedAt: at.toISOString() };
}
