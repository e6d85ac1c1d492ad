import { randomUUID } from 'node:crypto';
import {
  topics,
  type AccountProfile,
  type Allocation,
  type AllocationPlan,
  type CloneRequested,
  type CloneSpec,
  type DataOf,
  type DemandForecast,
  type EventOf,
  type Metric,
  type PlacementConstraints,
  type ResourceDemand,
  type TopicKey,
  type UsageSample,
} from '@clonecast/contracts';

// Fixed instants keep every data builder deterministic: history ends where the clone goes live.
export const HISTORY_START = '2025-10-01T00:00:00.000Z';
export const HISTORY_DAYS = 28;
export const ACTIVATION_AT = '2025-10-29T00:00:00.000Z';

const HOUR_MS = 3_600_000;

/** Daily peak of the synthetic account, in contract units (vCPU, GiB, MB/s, Mbit/s). */
export const DEFAULT_PEAK: ResourceDemand = { cpu: 16, memory: 64, storage: 200, network: 800 };

// Share of the peak each metric keeps at the daily trough: memory barely moves, network swings most.
const TROUGH_SHARE: Record<Metric, number> = { cpu: 0.4, memory: 0.8, storage: 0.3, network: 0.25 };

function round(value: number, decimals = 3): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function hoursAfter(start: string, hours: number): string {
  return new Date(Date.parse(start) + hours * HOUR_MS).toISOString();
}

/** 0 at 03:00 UTC, 1 at 15:00 UTC: a smooth daily cycle. */
function dailyShape(instant: string): number {
  const hour = new Date(instant).getUTCHours();
  return (1 - Math.cos((2 * Math.PI * (hour - 3)) / 24)) / 2;
}

function demandAt(instant: string, peak: ResourceDemand): ResourceDemand {
  const shape = dailyShape(instant);
  const level = (metric: Metric) => round(peak[metric] * (TROUGH_SHARE[metric] + (1 - TROUGH_SHARE[metric]) * shape));
  return { cpu: level('cpu'), memory: level('memory'), storage: level('storage'), network: level('network') };
}

export interface HistoryOptions {
  start?: string;
  days?: number;
  peak?: ResourceDemand;
}

/** Hourly usage with a daily cycle (trough 03:00, peak 15:00 UTC), oldest first; the same every call. */
export function syntheticHistory(options: HistoryOptions = {}): UsageSample[] {
  const { start = HISTORY_START, days = HISTORY_DAYS, peak = DEFAULT_PEAK } = options;
  return Array.from({ length: days * 24 }, (_, hour) => {
    const timestamp = hoursAfter(start, hour);
    return { timestamp, ...demandAt(timestamp, peak) };
  });
}

export type CloneSpecOverrides = Partial<Omit<CloneSpec, 'constraints'>> & { constraints?: Partial<PlacementConstraints> };

export function aCloneSpec(overrides: CloneSpecOverrides = {}): CloneSpec {
  const { constraints, ...rest } = overrides;
  return {
    sourceAccountId: 'shop-prod',
    targetAccountId: 'shop-prod-clone',
    accountType: 'production',
    applications: ['storefront', 'checkout-api'],
    activationAt: ACTIVATION_AT,
    timeframeHours: 24,
    serviceLevel: 0.95,
    ...rest,
    constraints: { clouds: ['aws', 'gcp'], maxSpotShare: 0, allowCommitments: false, minInstances: 1, ...constraints },
  };
}

export function anAccountProfile(overrides: Partial<AccountProfile> = {}): AccountProfile {
  return {
    accountId: 'shop-prod',
    accountType: 'production',
    applications: ['storefront', 'checkout-api'],
    historicalData: syntheticHistory(),
    events: [],
    ...overrides,
  };
}

/** A clone request whose profile describes the spec's source account unless told otherwise. */
export function aCloneRequested(
  overrides: { spec?: CloneSpecOverrides; profile?: Partial<AccountProfile> } = {},
): CloneRequested {
  const spec = aCloneSpec(overrides.spec);
  const profile = anAccountProfile({
    accountId: spec.sourceAccountId,
    accountType: spec.accountType,
    applications: spec.applications,
    ...overrides.profile,
  });
  return { spec, profile };
}

// Spread of the synthetic forecast around its median: quantile q is the median times this factor.
function quantileFactor(q: number): number {
  return 1 + 0.8 * (q - 0.5);
}

export interface ForecastOptions {
  start?: string;
  hours?: number;
  quantiles?: number[];
  /** Peak of the median; the median follows the same daily cycle as the synthetic history. */
  medianPeak?: ResourceDemand;
  modelVersion?: string;
}

/** Quantiles of each step scale its median by 1 + 0.8 (q - 0.5): ordered by q, never negative. */
export function aForecast(options: ForecastOptions = {}): DemandForecast {
  const {
    start = ACTIVATION_AT,
    hours = 24,
    quantiles = [0.05, 0.5, 0.95],
    medianPeak = DEFAULT_PEAK,
    modelVersion = 'test-model 0.0.0',
  } = options;
  const timestamps = Array.from({ length: hours }, (_, hour) => hoursAfter(start, hour));
  const medians = timestamps.map((timestamp) => demandAt(timestamp, medianPeak));
  const series = (metric: Metric) =>
    Object.fromEntries(
      quantiles.map((q) => [String(q), medians.map((median) => round(median[metric] * quantileFactor(q)))]),
    );
  return {
    modelVersion,
    stepMinutes: 60,
    start,
    timestamps,
    quantiles,
    metrics: { cpu: series('cpu'), memory: series('memory'), storage: series('storage'), network: series('network') },
  };
}

/** Three on-demand m7i.2xlarge for the default timeframe: 24 vCPU and 96 GiB, above the default forecast's 0.95 peak. */
export function anAllocation(overrides: Partial<Allocation> = {}): Allocation {
  return {
    cloud: 'aws',
    region: 'us-east-1',
    instanceType: 'm7i.2xlarge',
    pricingModel: 'on-demand',
    quantity: 3,
    from: ACTIVATION_AT,
    to: hoursAfter(ACTIVATION_AT, 24),
    vcpu: 8,
    memoryGiB: 32,
    hourlyPrice: 0.4032,
    ...overrides,
  };
}

export function allocationCost(allocations: readonly Allocation[]): number {
  const cost = allocations.reduce(
    (sum, a) => sum + (a.quantity * a.hourlyPrice * (Date.parse(a.to) - Date.parse(a.from))) / HOUR_MS,
    0,
  );
  return round(cost, 6);
}

/** Expected cost and its quantiles follow the allocations unless overridden. */
export function anAllocationPlan(overrides: Partial<AllocationPlan> = {}): AllocationPlan {
  const allocations = overrides.allocations ?? [anAllocation()];
  const expectedCost = overrides.expectedCost ?? allocationCost(allocations);
  return {
    planner: 'test-planner 0.0.0',
    catalogVersion: 'test-catalog',
    catalogAgeDays: 1,
    currency: 'USD',
    expectedCost,
    costQuantiles: { '0.5': expectedCost, '0.95': expectedCost },
    expectedUnmetDemand: { cpu: 0, memory: 0 },
    required: { cpu: round(DEFAULT_PEAK.cpu * quantileFactor(0.95)), memory: round(DEFAULT_PEAK.memory * quantileFactor(0.95)) },
    ...overrides,
    allocations,
  };
}

export type EnvelopeOverrides = Partial<{ id: string; source: string; occurredAt: string; requestId: string }>;

/** A valid envelope for the topic around `data`: fresh id, now, source "test", random request id. */
export function buildEnvelope<K extends TopicKey>(topicKey: K, data: DataOf<K>, overrides: EnvelopeOverrides = {}): EventOf<K> {
  const topic = topics[topicKey];
  return {
    id: overrides.id ?? randomUUID(),
    type: topic.type,
    version: topic.version,
    source: overrides.source ?? 'test',
    occurredAt: overrides.occurredAt ?? new Date().toISOString(),
    requestId: overrides.requestId ?? randomUUID(),
    data,
  };
}
