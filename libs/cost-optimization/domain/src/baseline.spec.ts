import { type CloneSpec, type DemandForecast, allocationPlanSchema } from '@clonecast/contracts';
import { loadBundledCatalog, rowsFor } from '@clonecast/pricing/catalog';
import { BASELINE_PLANNER, planCheapestSingleOnDemand } from './baseline';
import { BudgetExceededError, NoCatalogRowsError, UnusableForecastError } from './errors';
import { catalogOf, row } from './catalog.fixture';

const ACTIVATION = '2026-09-01T00:00:00.000Z';
const NOW = new Date('2026-08-09T00:00:00Z');

type Quantiles = Record<string, number[]>;

/** Hourly forecast starting at activation; each metric gives its values per quantile key. */
function forecastOf(cpu: Quantiles, memory: Quantiles, start = ACTIVATION): DemandForecast {
  const quantiles = Object.keys(cpu).map(Number);
  const hours = (Object.values(cpu)[0] ?? []).length;
  const zeros = Object.fromEntries(quantiles.map((q) => [String(q), new Array<number>(hours).fill(0)]));
  return {
    modelVersion: 'test@1',
    stepMinutes: 60,
    start,
    timestamps: Array.from({ length: hours }, (_, i) => new Date(Date.parse(start) + i * 3_600_000).toISOString()),
    quantiles,
    metrics: { cpu, memory, storage: zeros, network: zeros },
  };
}

function specOf(overrides: Partial<CloneSpec> = {}, constraints: Partial<CloneSpec['constraints']> = {}): CloneSpec {
  return {
    sourceAccountId: 'bitbrains-vm-13',
    targetAccountId: 'bitbrains-vm-13-clone',
    accountType: 'business-critical',
    applications: ['erp'],
    activationAt: ACTIVATION,
    timeframeHours: 3,
    serviceLevel: 0.95,
    constraints: { clouds: ['gcp', 'aws'], maxSpotShare: 0, allowCommitments: false, minInstances: 1, ...constraints },
    ...overrides,
  };
}

// Peak at the 0.95 quantile: 10 vCPU and 24 GiB.
const forecast = forecastOf(
  { '0.5': [4, 6, 5], '0.95': [8, 10, 9] },
  { '0.5': [12, 14, 13], '0.95': [20, 24, 22] },
);

const small = row({ instanceType: 'n2-standard-4', vcpu: 4, memoryGiB: 16, onDemandHourly: 0.2 });
const large = row({ instanceType: 'n2-standard-16', vcpu: 16, memoryGiB: 64, onDemandHourly: 0.75 });
const highmem = row({ instanceType: 'n2-highmem-2', vcpu: 2, memoryGiB: 16, onDemandHourly: 0.13 });

describe('planCheapestSingleOnDemand', () => {
  it('covers a mid-hour activation from the start of its hour, over whole hours', () => {
    const plan = planCheapestSingleOnDemand(forecast, specOf({ activationAt: '2026-09-01T00:40:00.000Z' }), catalogOf([small, large]), NOW);
    expect(plan.allocations[0]).toMatchObject({ from: ACTIVATION, to: '2026-09-01T03:00:00.000Z' });
    // the first hour's step (0.95: 8 vCPU) counts, so the peak is still the second step's 10 vCPU
    expect(plan.required.cpu).toBe(10);
  });

  it('buys the instance type whose count covering the peak costs least', () => {
    // small: 3 x 0.2 = 0.6/h; large: 1 x 0.75; highmem: 5 x 0.13 = 0.65 (CPU-bound).
    const plan = planCheapestSingleOnDemand(forecast, specOf(), catalogOf([large, highmem, small]), NOW);
    expect(plan.allocations).toEqual([
      {
        cloud: 'gcp',
        region: 'europe-west1',
        instanceType: 'n2-standard-4',
        pricingModel: 'on-demand',
        quantity: 3,
        from: '2026-09-01T00:00:00.000Z',
        to: '2026-09-01T03:00:00.000Z',
        vcpu: 4,
        memoryGiB: 16,
        hourlyPrice: 0.2,
      },
    ]);
    expect(plan.expectedCost).toBeCloseTo(3 * 0.2 * 3, 12);
    expect(plan.costQuantiles).toEqual({ '0.5': plan.expectedCost, '0.9': plan.expectedCost });
    expect(plan.required).toEqual({ cpu: 10, memory: 24 });
    expect(plan).toMatchObject({ planner: BASELINE_PLANNER, catalogVersion: 'abcdef012345', catalogAgeDays: 10 });
    expect(allocationPlanSchema.safeParse(plan).success).toBe(true);
  });

  it('counts instances for memory when memory is the binding resource', () => {
    const memoryHeavy = forecastOf({ '0.95': [1] }, { '0.95': [40] });
    const plan = planCheapestSingleOnDemand(memoryHeavy, specOf({ timeframeHours: 1 }), catalogOf([small]), NOW);
    expect(plan.allocations[0]?.quantity).toBe(3);
  });

  it('never buys fewer instances than minInstances', () => {
    const plan = planCheapestSingleOnDemand(forecast, specOf({}, { minInstances: 2 }), catalogOf([large, small]), NOW);
    expect(plan.allocations[0]).toMatchObject({ instanceType: 'n2-standard-4', quantity: 3 });
    const spread = planCheapestSingleOnDemand(forecast, specOf({}, { minInstances: 4 }), catalogOf([large, small]), NOW);
    expect(spread.allocations[0]).toMatchObject({ instanceType: 'n2-standard-4', quantity: 4 });
  });

  it('covers the smallest quantile at or above the service level', () => {
    const threeLevels = forecastOf(
      { '0.5': [4, 4, 4], '0.9': [6, 6, 6], '0.99': [12, 12, 12] },
      { '0.5': [4, 4, 4], '0.9': [4, 4, 4], '0.99': [4, 4, 4] },
    );
    const plan = planCheapestSingleOnDemand(threeLevels, specOf(), catalogOf([small]), NOW);
    expect(plan.required.cpu).toBe(12);
    expect(plan.allocations[0]?.quantity).toBe(3);
  });

  it('covers the largest quantile when none reaches the service level', () => {
    const lowLevels = forecastOf({ '0.5': [4, 4, 4], '0.9': [6, 7, 6] }, { '0.5': [4, 4, 4], '0.9': [4, 4, 4] });
    const plan = planCheapestSingleOnDemand(lowLevels, specOf({ serviceLevel: 0.99 }), catalogOf([small]), NOW);
    expect(plan.required).toEqual({ cpu: 7, memory: 4 });
  });

  it('reports no unmet demand when capacity is above every quantile', () => {
    const plan = planCheapestSingleOnDemand(forecast, specOf(), catalogOf([small]), NOW);
    expect(plan.expectedUnmetDemand).toEqual({ cpu: 0, memory: 0 });
  });

  it('reports the expected shortfall of the quantiles above the capacity it bought', () => {
    // Covers the 0.6 quantile (10 vCPU) with one 16-vCPU instance. Per hour the quantile curve is 10 up to
    // u=0.6, rises to 20 at u=0.9, then stays: above 16 from u=0.78, excess 0.3*0.4*4/2 + 0.1*4 = 0.64.
    const spiky = forecastOf({ '0.6': [10, 10], '0.9': [20, 20] }, { '0.6': [8, 8], '0.9': [8, 8] });
    const plan = planCheapestSingleOnDemand(spiky, specOf({ serviceLevel: 0.6, timeframeHours: 2 }), catalogOf([large]), NOW);
    expect(plan.allocations[0]?.quantity).toBe(1);
    expect(plan.expectedUnmetDemand.cpu).toBeCloseTo(2 * 0.64, 12);
    expect(plan.expectedUnmetDemand.memory).toBe(0);
  });

  it('ignores forecast steps outside the timeframe', () => {
    const longer = forecastOf({ '0.95': [2, 2, 40] }, { '0.95': [4, 4, 4] });
    const plan = planCheapestSingleOnDemand(longer, specOf({ timeframeHours: 2 }), catalogOf([small]), NOW);
    expect(plan.required.cpu).toBe(2);
    expect(plan.allocations[0]?.to).toBe('2026-09-01T02:00:00.000Z');
  });

  it('only considers rows the placement constraints allow', () => {
    const cheapAws = row({ cloud: 'aws', region: 'us-east-1', instanceType: 'm7g.xlarge', onDemandHourly: 0.01 });
    const cheapAzure = row({ cloud: 'azure', region: 'westeurope', instanceType: 'Standard_D4ps_v5', onDemandHourly: 0.01 });
    const spec = specOf({}, { clouds: ['gcp', 'azure'], regions: ['europe-west1', 'us-east-1'] });
    const plan = planCheapestSingleOnDemand(forecast, spec, catalogOf([cheapAws, cheapAzure, small]), NOW);
    expect(plan.allocations[0]).toMatchObject({ cloud: 'gcp', instanceType: 'n2-standard-4' });
  });

  it('fails with NO_CATALOG_ROWS naming the clouds and regions when nothing is allowed', () => {
    const spec = specOf({}, { clouds: ['azure'], regions: ['westeurope'] });
    const attempt = () => planCheapestSingleOnDemand(forecast, spec, catalogOf([small]), NOW);
    expect(attempt).toThrow(NoCatalogRowsError);
    expect(attempt).toThrow(/clouds \[azure\] in regions \[westeurope\]/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'NO_CATALOG_ROWS', constraints: { clouds: ['azure'], regions: ['westeurope'] } });
    }
  });

  it('fails with BUDGET_EXCEEDED when the cheapest plan costs more than the cap', () => {
    const attempt = () => planCheapestSingleOnDemand(forecast, specOf({}, { budget: 1.5 }), catalogOf([small]), NOW);
    expect(attempt).toThrow(BudgetExceededError);
    expect(attempt).toThrow('the cheapest plan costs 1.80 USD, above the budget cap of 1.50 USD');
    expect(planCheapestSingleOnDemand(forecast, specOf({}, { budget: 1.8 }), catalogOf([small]), NOW).expectedCost).toBeCloseTo(1.8);
  });

  it('fails with UNUSABLE_FORECAST when no forecast step falls in the timeframe', () => {
    const later = forecastOf({ '0.95': [2] }, { '0.95': [4] }, '2026-09-02T00:00:00.000Z');
    expect(() => planCheapestSingleOnDemand(later, specOf(), catalogOf([small]), NOW)).toThrow(UnusableForecastError);
  });

  it('picks the cheapest allowed row of the bundled catalog', () => {
    const catalog = loadBundledCatalog();
    const spec = specOf({ timeframeHours: 3 }, { clouds: ['aws', 'azure', 'gcp'], regions: ['eu-west-1', 'westeurope', 'europe-west4'] });
    const plan = planCheapestSingleOnDemand(forecast, spec, catalog, new Date('2026-11-28T00:00:00Z'));

    expect(allocationPlanSchema.safeParse(plan).success).toBe(true);
    const allowed = rowsFor(catalog, spec.constraints);
    const hourlyCosts = allowed.map((r) => Math.max(Math.ceil(10 / r.vcpu), Math.ceil(24 / r.memoryGiB), 1) * r.onDemandHourly);
    expect(plan.expectedCost).toBeCloseTo(Math.min(...hourlyCosts) * 3, 9);
    const chosen = plan.allocations[0];
    expect(['eu-west-1', 'westeurope', 'europe-west4']).toContain(chosen?.region);
    expect((chosen?.quantity ?? 0) * (chosen?.vcpu ?? 0)).toBeGreaterThanOrEqual(10);
    expect((chosen?.quantity ?? 0) * (chosen?.memoryGiB ?? 0)).toBeGreaterThanOrEqual(24);
    expect(plan.catalogVersion).toBe(catalog.catalogVersion);
    expect(plan.catalogAgeDays).toBeGreaterThan(0);
  });
});
