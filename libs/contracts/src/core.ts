import { z } from 'zod';

/** Units are part of the contract: see each field's description. */
export const resourceDemandSchema = z
  .object({
    cpu: z.number().finite().nonnegative().describe('vCPU in use (cores, fractional allowed)'),
    memory: z.number().finite().nonnegative().describe('memory in use, GiB'),
    storage: z.number().finite().nonnegative().describe('disk throughput, MB/s (read + write)'),
    network: z.number().finite().nonnegative().describe('network throughput, Mbit/s (in + out)'),
  })
  .describe('Demand for the four resources at one point in time');
export type ResourceDemand = z.infer<typeof resourceDemandSchema>;

export const METRICS = ['cpu', 'memory', 'storage', 'network'] as const;
export type Metric = (typeof METRICS)[number];

export const isoInstant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant');

export const usageSampleSchema = resourceDemandSchema
  .extend({ timestamp: isoInstant.describe('start of the sample interval, ISO-8601 UTC') })
  .describe('One row of an account history, in ResourceDemand units');
export type UsageSample = z.infer<typeof usageSampleSchema>;

export const accountEventSchema = z
  .object({
    name: z.string().min(1).describe('human name, e.g. "Black Friday campaign"'),
    kind: z.enum(['campaign', 'launch', 'holiday', 'season', 'other']),
    start: isoInstant,
    end: isoInstant,
    uplift: z
      .number()
      .positive()
      .optional()
      .describe('declared multiplier on demand while the event runs (1.5 = +50%); absent = learned from history'),
  })
  .refine((e) => Date.parse(e.end) > Date.parse(e.start), { message: 'end must be after start', path: ['end'] })
  .describe('An external event on the account calendar');
export type AccountEvent = z.infer<typeof accountEventSchema>;

export const accountIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'account id: 2-63 chars of a-z, 0-9, ".", "_", "-", starting alphanumeric')
  .describe('Cloud account id as clonecast names it');

export const accountProfileSchema = z
  .object({
    accountId: accountIdSchema.describe('the source account whose history this is'),
    accountType: z.string().min(1).describe('e.g. "production", "staging", "analytics"'),
    applications: z.array(z.string().min(1)).describe('applications deployed on the account'),
    historicalData: z.array(usageSampleSchema).describe('usage history, any regular interval, oldest first'),
    events: z.array(accountEventSchema).default([]).describe('events calendar: campaigns, launches, holidays'),
  })
  .describe('What clonecast knows about the account being cloned');
export type AccountProfile = z.infer<typeof accountProfileSchema>;

export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
export const cloudSchema = z.enum(CLOUDS);
export type Cloud = z.infer<typeof cloudSchema>;

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export const architectureSchema = z.enum(ARCHITECTURES);
export type Architecture = z.infer<typeof architectureSchema>;

export const PRICING_MODELS = [
  'on-demand',
  'spot',
  'reserved-1y',
  'reserved-3y',
  'committed-1y',
  'committed-3y',
  'savings-plan-1y',
  'savings-plan-3y',
] as const;
export const pricingModelSchema = z.enum(PRICING_MODELS);
export type PricingModel = z.infer<typeof pricingModelSchema>;

export const placementConstraintsSchema = z
  .object({
    clouds: z.array(cloudSchema).min(1, 'at least one cloud must be allowed').describe('clouds the plan may use'),
    regions: z.array(z.string().min(1)).optional().describe('allowed regions (any cloud); absent = all'),
    families: z
      .array(z.string().min(1))
      .min(1, 'list at least one instance family, or leave families out to allow all')
      .optional()
      .describe('allowed instance families, e.g. ["m7i", "n2", "Dsv5"]; absent = all'),
    architectures: z
      .array(architectureSchema)
      .min(1, 'list at least one architecture, or leave architectures out to allow both')
      .optional()
      .describe('allowed CPU architectures; absent = all'),
    maxSpotShare: z.number().min(0).max(1).default(0).describe('largest share of capacity on spot'),
    allowCommitments: z.boolean().default(false).describe('whether reserved/committed purchases are allowed'),
    minInstances: z.number().int().min(1).default(1).describe('minimum instance count for availability'),
    budget: z.number().positive().optional().describe('cap on expected cost over the timeframe, USD'),
  })
  .describe('What the cost optimiser may choose from');
export type PlacementConstraints = z.infer<typeof placementConstraintsSchema>;

/** The clone request without its history: carried by every pipeline event so each stage is self-contained. */
export const cloneSpecSchema = z
  .object({
    sourceAccountId: accountIdSchema,
    targetAccountId: accountIdSchema,
    accountType: z.string().min(1),
    applications: z.array(z.string().min(1)),
    activationAt: isoInstant.describe('when the clone goes live; resources must be ready by then'),
    timeframeHours: z.number().int().min(1).max(168).describe('forecast and plan horizon, hours from activation'),
    serviceLevel: z.number().gt(0.5).lt(1).default(0.95).describe('demand quantile the plan must cover'),
    constraints: placementConstraintsSchema,
    configVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('source configuration version to restore; absent = latest'),
  })
  .refine((s) => s.sourceAccountId !== s.targetAccountId, {
    message: 'target account must differ from the source account',
    path: ['targetAccountId'],
  });
export type CloneSpec = z.infer<typeof cloneSpecSchema>;

const quantileKey = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'quantile key like "0.5"');
const metricSeries = z.record(quantileKey, z.array(z.number().finite().nonnegative()));

export const demandForecastSchema = z
  .object({
    modelVersion: z.string().min(1).describe('which predictor answered, with its version'),
    stepMinutes: z.literal(60),
    start: isoInstant.describe('first forecast step'),
    timestamps: z.array(isoInstant),
    quantiles: z.array(z.number().gt(0).lt(1)).min(1),
    metrics: z.object({ cpu: metricSeries, memory: metricSeries, storage: metricSeries, network: metricSeries }),
  })
  .superRefine((f, ctx) => {
    for (const metric of METRICS) {
      const series = f.metrics[metric];
      for (const q of f.quantiles) {
        const values = series[String(q)];
        if (!values) ctx.addIssue({ code: 'custom', path: ['metrics', metric], message: `missing quantile ${q}` });
        else if (values.length !== f.timestamps.length)
          ctx.addIssue({ code: 'custom', path: ['metrics', metric, String(q)], message: 'length differs from timestamps' });
      }
    }
  })
  .describe('Quantiles of ResourceDemand per hourly step');
export type DemandForecast = z.infer<typeof demandForecastSchema>;

export const allocationSchema = z
  .object({
    cloud: cloudSchema,
    region: z.string().min(1),
    instanceType: z.string().min(1),
    pricingModel: pricingModelSchema,
    quantity: z.number().int().min(1),
    from: isoInstant,
    to: isoInstant,
    vcpu: z.number().positive().describe('vCPU per instance'),
    memoryGiB: z.number().positive().describe('GiB per instance'),
    hourlyPrice: z.number().nonnegative().describe('catalog unit price, USD per instance-hour'),
  })
  .describe('AllocationStrategy: one purchase of instances over a time window');
export type Allocation = z.infer<typeof allocationSchema>;

export const allocationPlanSchema = z.object({
  planner: z.string().min(1).describe('which optimiser produced the plan, with its version'),
  catalogVersion: z.string().min(1),
  catalogAgeDays: z.number().nonnegative().describe('age of the prices used, days'),
  currency: z.literal('USD'),
  expectedCost: z.number().nonnegative().describe('USD over the timeframe'),
  costQuantiles: z.record(quantileKey, z.number().nonnegative()).describe('cost distribution, USD'),
  expectedUnmetDemand: z.object({ cpu: z.number().nonnegative(), memory: z.number().nonnegative() })
    .describe('expected uncovered vCPU-hours and GiB-hours over the timeframe'),
  required: z.object({ cpu: z.number().nonnegative(), memory: z.number().nonnegative() })
    .describe('peak service-level quantile the plan covers (vCPU, GiB)'),
  allocations: z.array(allocationSchema).min(1),
  solver: z
    .object({
      status: z.string().min(1).describe('e.g. optimal, time-limit, heuristic-fallback'),
      gap: z.number().nonnegative().describe('proven relative gap to the lower bound (0.01 = 1 %)'),
      ms: z.number().nonnegative().describe('solve time, milliseconds'),
    })
    .optional()
    .describe('how the optimiser solved the plan (absent for the baseline)'),
});
export type AllocationPlan = z.infer<typeof allocationPlanSchema>;

export const provisionedResourcesSchema = z.object({
  driver: z.string().min(1).describe('provisioning driver, e.g. "plan-only"'),
  artifactPath: z.string().min(1).describe('Terraform JSON (*.tf.json) written for the plan'),
  artifactSha256: z.string().regex(/^[a-f0-9]{64}$/),
  startedAt: isoInstant,
  readyAt: isoInstant,
  leadTimeMinutes: z.number().nonnegative(),
  groups: z.array(
    z.object({
      name: z.string().min(1),
      cloud: cloudSchema,
      region: z.string().min(1),
      instanceType: z.string().min(1),
      pricingModel: pricingModelSchema,
      size: z.number().int().min(0),
    }),
  ),
});
export type ProvisionedResources = z.infer<typeof provisionedResourcesSchema>;

export const STAGES = ['request', 'prediction', 'cost-optimization', 'provisioning', 'cloning', 'scaling'] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

export const jsonValueSchema = z.json();

export const accountConfigurationSchema = z
  .object({
    storageCapacityGiB: z.number().nonnegative().optional().describe('provisioned disk capacity, GiB'),
    settings: z.record(z.string(), jsonValueSchema).describe('the account configuration, as the producer defines it'),
  })
  .describe('One version of an account configuration');
export type AccountConfiguration = z.infer<typeof accountConfigurationSchema>;
