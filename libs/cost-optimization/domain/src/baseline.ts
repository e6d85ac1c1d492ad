import type { Allocation, AllocationPlan, CloneSpec, DemandForecast } from '@clonecast/contracts';
import { type CatalogRow, type PriceCatalog, catalogAgeDays, rowsFor } from '@clonecast/pricing/catalog';
import { placementFilter } from './offers';
import { BudgetExceededError, NoCatalogRowsError, UnusableForecastError } from './errors';
import { planningWindow } from './planning-window';
import { expectedShortfall, serviceLevelQuantile } from './shortfall';

export const BASELINE_PLANNER = 'baseline-cheapest-single-on-demand@1';

/** Float noise in forecast arithmetic (4.000000001 vCPU) must not buy a whole extra instance. */
const COUNT_TOLERANCE = 1e-9;
/** A plan costing exactly the budget (3 x 0.2 x 3 = 1.8000000000000003) is within it. */
const BUDGET_TOLERANCE = 1e-9;

/**
 * The pipeline's baseline, kept as the benchmark reference: one on-demand instance type in one region,
 * as many instances as the peak service-level demand for CPU and memory needs, for the whole timeframe.
 * Picks the instance type and region with the lowest hourly cost for that count.
 */
export function planCheapestSingleOnDemand(
  forecast: DemandForecast,
  spec: CloneSpec,
  catalog: PriceCatalog,
  now: Date,
): AllocationPlan {
  const { from, to } = planningWindow(spec.activationAt, spec.timeframeHours);
  const steps = stepsWithin(forecast, from, to);
  const quantile = serviceLevelQuantile(forecast.quantiles, spec.serviceLevel);
  const cpu = steps.map((i) => valueAt(forecast, 'cpu', quantile, i));
  const memory = steps.map((i) => valueAt(forecast, 'memory', quantile, i));
  const required = { cpu: Math.max(...cpu), memory: Math.max(...memory) };

  const { minInstances, budget } = spec.constraints;
  const candidates = rowsFor(catalog, placementFilter(spec.constraints));
  const cheapest = cheapestCandidate(candidates, required, minInstances);
  if (!cheapest) throw new NoCatalogRowsError(spec.constraints, catalog.catalogVersion);

  const { row, quantity } = cheapest;
  const expectedCost = quantity * row.onDemandHourly * spec.timeframeHours;
  if (budget !== undefined && expectedCost > budget * (1 + BUDGET_TOLERANCE)) throw new BudgetExceededError(expectedCost, budget);

  const allocation: Allocation = {
    cloud: row.cloud,
    region: row.region,
    instanceType: row.instanceType,
    pricingModel: 'on-demand',
    quantity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    vcpu: row.vcpu,
    memoryGiB: row.memoryGiB,
    hourlyPrice: row.onDemandHourly,
  };
  return {
    planner: BASELINE_PLANNER,
    catalogVersion: catalog.catalogVersion,
    catalogAgeDays: catalogAgeDays(catalog, now, [row]),
    currency: 'USD',
    expectedCost,
    // On-demand capacity fixed for the whole timeframe: the cost does not depend on demand.
    costQuantiles: { '0.5': expectedCost, '0.9': expectedCost },
    expectedUnmetDemand: {
      cpu: unmetHours(forecast, 'cpu', steps, quantity * row.vcpu),
      memory: unmetHours(forecast, 'memory', steps, quantity * row.memoryGiB),
    },
    required,
    allocations: [allocation],
  };
}

interface Candidate {
  row: CatalogRow;
  quantity: number;
  hourlyCost: number;
}

function cheapestCandidate(
  rows: readonly CatalogRow[],
  required: { cpu: number; memory: number },
  minInstances: number,
): Candidate | undefined {
  let best: Candidate | undefined;
  for (const row of rows) {
    const quantity = Math.max(
      Math.ceil(required.cpu / row.vcpu - COUNT_TOLERANCE),
      Math.ceil(required.memory / row.memoryGiB - COUNT_TOLERANCE),
      minInstances,
    );
    const candidate = { row, quantity, hourlyCost: quantity * row.onDemandHourly };
    if (!best || isCheaper(candidate, best)) best = candidate;
  }
  return best;
}

/** Lower hourly cost wins; ties go to fewer instances, then to the first name, so the plan is reproducible. */
function isCheaper(a: Candidate, b: Candidate): boolean {
  if (a.hourlyCost !== b.hourlyCost) return a.hourlyCost < b.hourlyCost;
  if (a.quantity !== b.quantity) return a.quantity < b.quantity;
  return rowKey(a.row) < rowKey(b.row);
}

function rowKey(row: CatalogRow): string {
  return `${row.cloud}/${row.region}/${row.instanceType}`;
}

/** Indexes of the hourly forecast steps that start inside [from, to). */
function stepsWithin(forecast: DemandForecast, from: number, to: number): number[] {
  const steps: number[] = [];
  forecast.timestamps.forEach((timestamp, i) => {
    const at = Date.parse(timestamp);
    if (at >= from && at < to) steps.push(i);
  });
  if (steps.length === 0)
    throw new UnusableForecastError(
      `no forecast step between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
    );
  return steps;
}

function valueAt(forecast: DemandForecast, metric: 'cpu' | 'memory', quantile: number, step: number): number {
  const value = forecast.metrics[metric][String(quantile)]?.[step];
  if (value === undefined) throw new UnusableForecastError(`${metric} has no value for quantile ${quantile} at step ${step}`);
  return value;
}

/**
 * Expected uncovered demand over the steps (vCPU-hours or GiB-hours): each hourly step adds the expected
 * shortfall of its demand distribution, read from all forecast quantiles, below the fixed capacity.
 */
function unmetHours(forecast: DemandForecast, metric: 'cpu' | 'memory', steps: number[], capacity: number): number {
  let total = 0;
  for (const step of steps) {
    const values = forecast.quantiles.map((q) => valueAt(forecast, metric, q, step));
    total += expectedShortfall(forecast.quantiles, values, capacity);
  }
  return total;
}
