import { type DemandForecast, allocationPlanSchema } from '@clonecast/contracts';
import { type PriceCatalog, loadBundledCatalog } from '@clonecast/pricing/catalog';
import { BudgetExceededError, NoCatalogRowsError } from './errors';
import { type PlanningRequest, OPTIMISER_PLANNER, planOptimalAllocation } from './optimiser';
import { checkPlanCoverage } from './plan-coverage';
import { type Highs, loadHighs } from './solver';
import { catalogOf, committed, highcpu, highmem, row, small } from './catalog.fixture';
import { cheapestOnDemandMix } from './brute-force.fixture';

const START = '2026-09-01T00:00:00.000Z';
const NOW = new Date('2026-08-09T00:00:00Z');
const HOUR = 3_600_000;

/** Hourly forecast; each metric gives its values per quantile key. */
function forecastOf(cpu: Record<string, number[]>, memory: Record<string, number[]>): DemandForecast {
  const quantiles = Object.keys(cpu).map(Number);
  const hours = (Object.values(cpu)[0] ?? []).length;
  const zeros = Object.fromEntries(Object.keys(cpu).map((q) => [q, new Array<number>(hours).fill(0)]));
  return {
    modelVersion: 'test@1',
    stepMinutes: 60,
    start: START,
    timestamps: Array.from({ length: hours }, (_, i) => new Date(Date.parse(START) + i * HOUR).toISOString()),
    quantiles,
    metrics: { cpu, memory, storage: zeros, network: zeros },
  };
}

/** A day-shaped forecast: a base, a daytime bump, and spread between quantiles. */
function dailyForecast(hours: number, scale: number): DemandForecast {
  const shape = Array.from({ length: hours }, (_, h) => 1 + Math.max(0, Math.sin(((h % 24) - 6) * (Math.PI / 12))) * 2);
  const at = (k: number) => shape.map((s) => s * k * scale);
  return forecastOf(
    { '0.5': at(1), '0.9': at(1.3), '0.95': at(1.45), '0.99': at(1.8) },
    { '0.50': at(3), '0.9': at(3.6), '0.95': at(4), '0.99': at(5) },
  );
}

function request(hours: number, constraints: Partial<PlanningRequest['constraints']> = {}, serviceLevel = 0.95): PlanningRequest {
  return {
    activationAt: START,
    timeframeHours: hours,
    serviceLevel,
    constraints: { clouds: ['aws', 'azure', 'gcp'], maxSpotShare: 0, allowCommitments: false, minInstances: 1, ...constraints },
  };
}

function coverage(plan: Parameters<typeof checkPlanCoverage>[0], forecast: DemandForecast, catalog: PriceCatalog, req: PlanningRequest) {
  const to = new Date(Date.parse(req.activationAt) + req.timeframeHours * HOUR).toISOString();
  return checkPlanCoverage(plan, forecast, catalog, {
    from: req.activationAt,
    to,
    serviceLevel: req.serviceLevel,
    maxSpotShare: req.constraints.maxSpotShare,
    minInstances: req.constraints.minInstances,
  });
}

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

const toyCatalog = catalogOf([small, highcpu, highmem, committed]);

describe('planOptimalAllocation', () => {
  const catalog = loadBundledCatalog();

  it.each([
    ['on-demand only', {}],
    ['with spot', { maxSpotShare: 0.5 }],
    ['with commitments and spot', { maxSpotShare: 0.7, allowCommitments: true }],
    ['with an availability floor', { minInstances: 3 }],
  ])('covers the service-level quantile of CPU and memory at every step (%s)', (_, constraints) => {
    for (const scale of [0.3, 8, 400]) {
      const forecast = dailyForecast(48, scale);
      const req = request(48, constraints);
      const { plan, solver } = planOptimalAllocation(highs, forecast, req, catalog, NOW);
      expect(allocationPlanSchema.safeParse(plan).success).toBe(true);
      expect(coverage(plan, forecast, catalog, req).shortfalls).toEqual([]);
      expect(solver.gap).toBeGreaterThanOrEqual(0);
      expect(solver.lowerBound).toBeLessThanOrEqual(solver.objective + 1e-9);
    }
  });

  it('reports plan, solver figures and merged time windows', () => {
    const forecast = forecastOf({ '0.95': [10, 10, 10, 30] }, { '0.95': [20, 20, 20, 60] });
    const { plan, solver } = planOptimalAllocation(highs, forecast, request(4), toyCatalog, NOW);
    expect(plan).toMatchObject({ planner: OPTIMISER_PLANNER, catalogVersion: 'abcdef012345', catalogAgeDays: 10, currency: 'USD' });
    // No commitments asked for: the steps are independent and HiGHS is not called at all.
    expect(solver.master).toBe('not-needed');
    expect(['optimal', 'within-gap']).toContain(solver.status);
    // The solver summary travels in the plan (allocation.planned).
    expect(plan.solver).toEqual({ status: solver.status, gap: solver.gap, ms: solver.ms });
    expect(allocationPlanSchema.safeParse(plan).success).toBe(true);
    // Three identical hours become one row per purchase, not three.
    const firstHours = plan.allocations.filter((a) => a.from === START);
    expect(firstHours.length).toBeGreaterThan(0);
    for (const a of firstHours) expect(a.to).toBe(new Date(Date.parse(START) + 3 * HOUR).toISOString());
    const cost = plan.allocations.reduce((sum, a) => sum + a.quantity * a.hourlyPrice * ((Date.parse(a.to) - Date.parse(a.from)) / HOUR), 0);
    expect(plan.expectedCost).toBeCloseTo(cost, 9);
  });

  it('covers a mid-hour activation from the start of its hour, over whole hours', () => {
    const forecast = forecastOf({ '0.95': [30, 10, 10, 10] }, { '0.95': [60, 20, 20, 20] });
    const req = { ...request(4), activationAt: '2026-09-01T00:25:00.000Z' };
    const { plan } = planOptimalAllocation(highs, forecast, req, toyCatalog, NOW);
    // the activation hour is the peak: it must be bought, starting at 00:00
    expect(Math.min(...plan.allocations.map((a) => Date.parse(a.from)))).toBe(Date.parse(START));
    expect(Math.max(...plan.allocations.map((a) => Date.parse(a.to)))).toBe(Date.parse(START) + 4 * HOUR);
    expect(coverage(plan, forecast, toyCatalog, request(4)).shortfalls).toEqual([]);
  });

  it('matches brute force on a small case', () => {
    const forecast = forecastOf({ '0.95': [10, 7] }, { '0.95': [40, 12] });
    const { plan, solver } = planOptimalAllocation(highs, forecast, request(2, { clouds: ['gcp'] }), toyCatalog, NOW, {
      unmetPenalty: { cpu: 0, memory: 0 },
      targetGap: 0,
    });
    // Every mix of up to 6 instances of each on-demand type, per hour.
    const types = [small, highcpu, highmem, committed];
    const cheapest = (cpu: number, memory: number) => cheapestOnDemandMix(types, cpu, memory, 6);
    const optimum = cheapest(10, 40) + cheapest(7, 12);
    expect(plan.expectedCost).toBeCloseTo(optimum, 9);
    expect(solver.status).toBe('optimal');
    // The lower bound is valid: never above the true optimum.
    expect(solver.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
  });

  it.each(
    (
      [
        ['steady', [10, 9, 10], [40, 36, 40]],
        ['peaky', [3, 17, 2], [10, 70, 8]],
        ['tiny', [0.5, 1.5, 0.2], [1, 3, 0.5]],
      ] as Array<[string, number[], number[]]>
    ).flatMap(([name, cpu, memory]) => [0, Infinity].map((budget) => [name, budget, cpu, memory] as const)),
  )('with commitments, reports a gap at least the true gap against brute force (%s demand, bound budget %s ms)', (_, budget, cpu, memory) => {
    const hours = cpu.length;
    const forecast = forecastOf({ '0.95': cpu }, { '0.95': memory });
    // Budget 0: the bound is the one found before the budget ran out (still valid); unlimited: the full search.
    const { plan, solver } = planOptimalAllocation(highs, forecast, request(hours, { clouds: ['gcp'], allowCommitments: true }), toyCatalog, NOW, {
      unmetPenalty: { cpu: 0, memory: 0 },
      boundBudgetMs: budget,
    });
    // Brute force: 0..4 committed n2-standard-8 (3-year, the cheaper term), then per hour every mix of up to
    // 6 on-demand instances of each type for the rest, at least one instance running.
    const types = [small, highcpu, highmem, committed];
    const cheapest = (needCpu: number, needMemory: number, running: number) => cheapestOnDemandMix(types, needCpu, needMemory, 6, running);
    let optimum = Infinity;
    for (let c = 0; c <= 4; c++) {
      let total = c * 0.18 * hours;
      for (let h = 0; h < hours; h++) total += cheapest((cpu[h] ?? 0) - 8 * c, (memory[h] ?? 0) - 32 * c, c);
      optimum = Math.min(optimum, total);
    }
    expect(coverage(plan, forecast, toyCatalog, request(hours, { allowCommitments: true })).shortfalls).toEqual([]);
    expect(plan.expectedCost).toBeGreaterThanOrEqual(optimum - 1e-9);
    expect(solver.objective).toBeCloseTo(plan.expectedCost, 9);
    expect(solver.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
    const trueGap = (solver.objective - optimum) / solver.objective;
    expect(solver.gap).toBeGreaterThanOrEqual(trueGap - 1e-9);
  });

  it('costs more, never less, as the service level rises', () => {
    const forecast = dailyForecast(24, 5);
    const costs = [0.55, 0.9, 0.95, 0.99].map(
      (level) => planOptimalAllocation(highs, forecast, request(24, { maxSpotShare: 0.5 }, level), toyCatalog, NOW, { unmetPenalty: { cpu: 0, memory: 0 } }).plan.expectedCost,
    );
    for (let i = 1; i < costs.length; i++) expect(costs[i]).toBeGreaterThanOrEqual((costs[i - 1] as number) * (1 - 1e-9));
  });

  it('keeps non-spot capacity at (1 - maxSpotShare) of the requirement, and uses spot when allowed', () => {
    const forecast = dailyForecast(24, 20);
    const onDemand = planOptimalAllocation(highs, forecast, request(24), toyCatalog, NOW);
    expect(onDemand.plan.allocations.every((a) => a.pricingModel === 'on-demand')).toBe(true);
    for (const share of [0.25, 0.6]) {
      const req = request(24, { maxSpotShare: share });
      const { plan } = planOptimalAllocation(highs, forecast, req, toyCatalog, NOW);
      const check = coverage(plan, forecast, toyCatalog, req);
      expect(check.shortfalls).toEqual([]);
      expect(check.maxSpotShareOfRequirement).toBeLessThanOrEqual(share + 1e-9);
      expect(plan.allocations.some((a) => a.pricingModel === 'spot')).toBe(true);
      expect(plan.expectedCost).toBeLessThan(onDemand.plan.expectedCost);
    }
  });

  it('only buys from allowed clouds and regions, and commits only when allowed', () => {
    const forecast = dailyForecast(24, 30);
    const req = request(24, { clouds: ['gcp', 'azure'], regions: ['europe-west4', 'westeurope'], maxSpotShare: 0.3 });
    const { plan } = planOptimalAllocation(highs, forecast, req, catalog, NOW);
    for (const a of plan.allocations) {
      expect(['gcp', 'azure']).toContain(a.cloud);
      expect(['europe-west4', 'westeurope']).toContain(a.region);
      expect(['on-demand', 'spot']).toContain(a.pricingModel);
    }
  });

  it('buys a committed baseline for steady demand when commitments are allowed, charged every hour', () => {
    const forecast = forecastOf({ '0.95': new Array<number>(24).fill(16) }, { '0.95': new Array<number>(24).fill(64) });
    const { plan, commitmentTermCost } = planOptimalAllocation(highs, forecast, request(24, { allowCommitments: true }), toyCatalog, NOW);
    expect(plan.allocations).toEqual([
      expect.objectContaining({ instanceType: 'n2-standard-8', pricingModel: 'committed-3y', quantity: 2, from: START, hourlyPrice: 0.18 }),
    ]);
    expect(plan.expectedCost).toBeCloseTo(2 * 0.18 * 24, 9);
    expect(commitmentTermCost).toBeCloseTo(2 * 0.18 * 3 * 8760, 6);
  });

  it('honours the minimum instance count', () => {
    const forecast = forecastOf({ '0.95': [1, 1] }, { '0.95': [2, 2] });
    const { plan } = planOptimalAllocation(highs, forecast, request(2, { minInstances: 3 }), toyCatalog, NOW);
    const running = plan.allocations.filter((a) => a.from === START).reduce((sum, a) => sum + a.quantity, 0);
    expect(running).toBe(3);
  });

  it('plans within the budget or fails with BUDGET_EXCEEDED', () => {
    const forecast = forecastOf({ '0.95': [10, 10] }, { '0.95': [20, 20] });
    const { plan } = planOptimalAllocation(highs, forecast, request(2), toyCatalog, NOW);
    expect(planOptimalAllocation(highs, forecast, request(2, { budget: plan.expectedCost }), toyCatalog, NOW).plan.expectedCost).toBeLessThanOrEqual(plan.expectedCost + 1e-9);
    const attempt = () => planOptimalAllocation(highs, forecast, request(2, { budget: plan.expectedCost * 0.9 }), toyCatalog, NOW);
    expect(attempt).toThrow(BudgetExceededError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'BUDGET_EXCEEDED' }));
  });

  it('fails with NO_CATALOG_ROWS when the constraints allow nothing', () => {
    const forecast = forecastOf({ '0.95': [1] }, { '0.95': [1] });
    const attempt = () => planOptimalAllocation(highs, forecast, request(1, { clouds: ['aws'] }), toyCatalog, NOW);
    expect(attempt).toThrow(NoCatalogRowsError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'NO_CATALOG_ROWS' }));
    const armOnly = () => planOptimalAllocation(highs, forecast, request(1, { architectures: ['arm64'] }), toyCatalog, NOW);
    expect(armOnly).toThrow(NoCatalogRowsError);
    expect(armOnly).toThrow('of architectures [arm64]');
  });

  it('buys only the allowed families and architectures', () => {
    const forecast = dailyForecast(24, 8);
    const byType = new Map(catalog.rows.map((r) => [`${r.cloud}/${r.region}/${r.instanceType}`, r]));
    const rowsOf = (plan: { allocations: Array<{ cloud: string; region: string; instanceType: string }> }) =>
      plan.allocations.map((a) => byType.get(`${a.cloud}/${a.region}/${a.instanceType}`));
    const cases: Array<Partial<PlanningRequest['constraints']>> = [
      { architectures: ['arm64'], maxSpotShare: 0.5 },
      { families: ['N2', 'm7i'], allowCommitments: true },
    ];
    for (const constraints of cases) {
      const req = request(24, constraints);
      const { plan } = planOptimalAllocation(highs, forecast, req, catalog, NOW);
      expect(coverage(plan, forecast, catalog, req).shortfalls).toEqual([]);
      const rows = rowsOf(plan);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        if (constraints.architectures) expect(row?.architecture).toBe('arm64');
        if (constraints.families) expect(['n2', 'm7i']).toContain(row?.family.toLowerCase());
      }
    }
  });

  it('prices spot interruptions from the catalog estimate where a row has one, else from the assumed rate', () => {
    const unknown = row({ region: 'europe-west1', spotHourly: 0.06 });
    const estimated = row({ region: 'europe-west4', spotHourly: 0.065, spotInterruptionRate: 0.05 });
    const catalog = catalogOf([unknown, estimated]);
    const forecast = dailyForecast(6, 40);
    const req = request(6, { maxSpotShare: 0.5 });
    const spotRegions = (assumed: number) =>
      new Set(
        planOptimalAllocation(highs, forecast, req, catalog, NOW, { assumedSpotInterruptionsPerHour: assumed })
          .plan.allocations.filter((a) => a.pricingModel === 'spot')
          .map((a) => a.region),
      );
    // 0.06 + 5 % x 0.2 = 0.07 against 0.065 + (1 - 0.95^(1/730)) x 0.2 = 0.06501: the estimated row wins.
    expect(spotRegions(0.05)).toEqual(new Set(['europe-west4']));
    // Without an assumed risk the cheaper unit price wins.
    expect(spotRegions(0)).toEqual(new Set(['europe-west1']));
  });

  it('falls back to the per-step search without HiGHS and says so', () => {
    const forecast = dailyForecast(12, 10);
    const req = request(12, { maxSpotShare: 0.5, allowCommitments: true });
    const { plan, solver } = planOptimalAllocation(undefined, forecast, req, toyCatalog, NOW);
    expect(solver).toMatchObject({ status: 'heuristic-fallback', master: 'skipped' });
    expect(coverage(plan, forecast, toyCatalog, req).shortfalls).toEqual([]);
    expect(plan.allocations.some((a) => a.pricingModel.startsWith('committed'))).toBe(false);
  });
});
