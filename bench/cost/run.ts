// Cost-optimisation benchmark: the optimiser against the pipeline baseline and two peer heuristics, on
// forecasts built from the real Bitbrains traces, scaled to account sizes. Not a test: it prints figures.
//   bash scripts/node.sh node tools/run-ts.mjs bench/cost/run.ts [--quick]
import { readFileSync } from 'node:fs';
import type { Allocation, AllocationPlan, Cloud, DemandForecast } from '@clonecast/contracts';
import {
  type Highs,
  checkPlanCoverage,
  loadHighs,
  planCheapestSingleOnDemand,
  planOptimalAllocation,
  spotInterruptionsPerHour,
} from '@clonecast/cost-optimization/domain';
import { forecastHourOfWeek, parseHistoryCsv } from '@clonecast/prediction/domain';
import { type CatalogRow, type PriceCatalog, loadBundledCatalog, rowsFor } from '@clonecast/pricing/catalog';

const HOUR = 3_600_000;
const QUANTILES = [0.5, 0.9, 0.95, 0.99];
const SERVICE_LEVEL = 0.95;
const MAX_SPOT_SHARE = 0.5;
/**
 * The optimiser's default for rows without an interruption estimate (all of the bundled catalog): expected
 * spot replacement cost = hourly reclaim probability x on-demand price per spot instance-hour.
 */
const ASSUMED_SPOT_INTERRUPTIONS_PER_HOUR = 0.05;
const CLOUDS: Cloud[] = ['aws', 'azure', 'gcp'];
const NOW = new Date('2026-08-01T00:00:00Z');

const quick = process.argv.includes('--quick');
// examples/history/*.csv are data/traces/bitbrains-rnd/2013-8/{417,220}.csv converted to vCPU / GiB.
const VMS = ['bitbrains-vm-417', 'bitbrains-vm-220'];
const ORIGINS = quick ? ['2013-08-22T00:00:00Z'] : ['2013-08-15T00:00:00Z', '2013-08-19T07:00:00Z', '2013-08-22T00:00:00Z', '2013-08-25T13:00:00Z'];
const HORIZONS = quick ? [168] : [24, 72, 168];
const SCALES = [1, 20, 200, 2000];

interface Case {
  vm: string;
  origin: string;
  horizon: number;
  scale: number;
  commitments: boolean;
  forecast: DemandForecast;
}

interface Outcome {
  cost: number;
  covered: boolean;
}

interface Row {
  c: Case;
  baseline: Outcome;
  optimiser: Outcome & { gap: number; ms: number; status: string; unmetCpu: number };
  skypilot: Outcome;
  karpenter: Outcome;
}

function scaled(forecast: DemandForecast, factor: number): DemandForecast {
  const times = (series: Record<string, number[]>) => Object.fromEntries(Object.entries(series).map(([q, v]) => [q, v.map((x) => x * factor)]));
  return { ...forecast, metrics: { ...forecast.metrics, cpu: times(forecast.metrics.cpu), memory: times(forecast.metrics.memory) } };
}

function requestOf(c: Case) {
  return {
    activationAt: c.forecast.start,
    timeframeHours: c.horizon,
    serviceLevel: SERVICE_LEVEL,
    constraints: { clouds: CLOUDS, maxSpotShare: MAX_SPOT_SHARE, allowCommitments: c.commitments, minInstances: 1 },
  };
}

/** The covered quantile per step (smallest forecast quantile >= the service level). */
function requirements(forecast: DemandForecast): Array<{ from: number; cpu: number; memory: number }> {
  const key = String(QUANTILES.find((q) => q >= SERVICE_LEVEL));
  return forecast.timestamps.map((t, i) => ({ from: Date.parse(t), cpu: forecast.metrics.cpu[key]?.[i] ?? 0, memory: forecast.metrics.memory[key]?.[i] ?? 0 }));
}

/** Same cost model for every planner: the unit prices paid plus expected spot replacements. */
function costOf(allocations: readonly Allocation[], catalog: PriceCatalog): number {
  const rows = new Map(catalog.rows.map((r) => [`${r.cloud}/${r.region}/${r.instanceType}`, r]));
  return allocations.reduce((sum, a) => {
    const hours = (Date.parse(a.to) - Date.parse(a.from)) / HOUR;
    const row = rows.get(`${a.cloud}/${a.region}/${a.instanceType}`);
    if (!row) throw new Error(`allocation of ${a.cloud}/${a.region}/${a.instanceType}, which is not in the catalog`);
    const interruption = a.pricingModel === 'spot' ? spotInterruptionsPerHour(row, ASSUMED_SPOT_INTERRUPTIONS_PER_HOUR) * row.onDemandHourly : 0;
    return sum + a.quantity * hours * (a.hourlyPrice + interruption);
  }, 0);
}

function allocation(row: CatalogRow, spot: boolean, quantity: number, from: number): Allocation {
  return {
    cloud: row.cloud,
    region: row.region,
    instanceType: row.instanceType,
    pricingModel: spot ? 'spot' : 'on-demand',
    quantity,
    from: new Date(from).toISOString(),
    to: new Date(from + HOUR).toISOString(),
    vcpu: row.vcpu,
    memoryGiB: row.memoryGiB,
    hourlyPrice: spot ? (row.spotHourly ?? row.onDemandHourly) : row.onDemandHourly,
  };
}

function effective(row: CatalogRow, spot: boolean): number {
  return spot ? (row.spotHourly ?? Infinity) + spotInterruptionsPerHour(row, ASSUMED_SPOT_INTERRUPTIONS_PER_HOUR) * row.onDemandHourly : row.onDemandHourly;
}

/** Cheapest single type covering (cpu, memory). */
function cheapestSingle(rows: readonly CatalogRow[], spot: boolean, cpu: number, memory: number): { row: CatalogRow; quantity: number; cost: number } | undefined {
  let best: { row: CatalogRow; quantity: number; cost: number } | undefined;
  for (const row of rows) {
    const price = effective(row, spot);
    if (!Number.isFinite(price)) continue;
    const quantity = Math.max(Math.ceil(cpu / row.vcpu - 1e-9), Math.ceil(memory / row.memoryGiB - 1e-9), 0);
    if (quantity === 0) return { row, quantity: 0, cost: 0 };
    if (!best || quantity * price < best.cost) best = { row, quantity, cost: quantity * price };
  }
  return best;
}

/**
 * SkyPilot-like: every step, the cheapest instance type and region (SkyPilot's optimiser picks one type per
 * task, on-demand or spot): all on-demand, or the spot-share cap on the cheapest spot type with the rest on
 * the cheapest on-demand type, whichever costs less. No commitments.
 */
function skypilotLike(c: Case, rows: readonly CatalogRow[]): Allocation[] {
  const out: Allocation[] = [];
  for (const step of requirements(c.forecast)) {
    const onDemand = cheapestSingle(rows, false, step.cpu, step.memory);
    const base = cheapestSingle(rows, false, (1 - MAX_SPOT_SHARE) * step.cpu, (1 - MAX_SPOT_SHARE) * step.memory);
    const rest = base && cheapestSingle(rows, true, Math.max(0, step.cpu - base.quantity * base.row.vcpu), Math.max(0, step.memory - base.quantity * base.row.memoryGiB));
    const mixed = base && rest ? base.cost + rest.cost : Infinity;
    if (onDemand && onDemand.cost <= mixed) out.push(allocation(onDemand.row, false, Math.max(1, onDemand.quantity), step.from));
    else if (base && rest) {
      if (base.quantity > 0) out.push(allocation(base.row, false, base.quantity, step.from));
      if (rest.quantity > 0) out.push(allocation(rest.row, true, rest.quantity, step.from));
    }
  }
  return out;
}

/**
 * Karpenter-like price-capacity-optimised greedy: every step, add one instance at a time, the one with the
 * lowest price per unit of still-missing capacity it provides; on-demand for the non-spot share first,
 * then spot (Karpenter's price-capacity-optimized strategy for spot) for the rest. No commitments.
 */
function karpenterLike(c: Case, rows: readonly CatalogRow[]): Allocation[] {
  const out: Allocation[] = [];
  for (const step of requirements(c.forecast)) {
    const counts = new Map<string, { row: CatalogRow; spot: boolean; quantity: number }>();
    let cpu = 0;
    let memory = 0;
    const fill = (spot: boolean, needCpu: number, needMemory: number) => {
      while (cpu < needCpu - 1e-9 || memory < needMemory - 1e-9) {
        const missCpu = Math.max(0, needCpu - cpu);
        const missMemory = Math.max(0, needMemory - memory);
        let best: { row: CatalogRow; score: number } | undefined;
        for (const row of rows) {
          const price = effective(row, spot);
          if (!Number.isFinite(price)) continue;
          const useful = (missCpu > 0 ? Math.min(row.vcpu, missCpu) / missCpu : 0) + (missMemory > 0 ? Math.min(row.memoryGiB, missMemory) / missMemory : 0);
          const score = price / useful;
          if (!best || score < best.score) best = { row, score };
        }
        if (!best) return;
        const key = `${best.row.cloud}/${best.row.region}/${best.row.instanceType}/${spot}`;
        const entry = counts.get(key) ?? { row: best.row, spot, quantity: 0 };
        entry.quantity += 1;
        counts.set(key, entry);
        cpu += best.row.vcpu;
        memory += best.row.memoryGiB;
      }
    };
    fill(false, Math.max((1 - MAX_SPOT_SHARE) * step.cpu, 1e-6), (1 - MAX_SPOT_SHARE) * step.memory);
    fill(true, step.cpu, step.memory);
    for (const { row, spot, quantity } of counts.values()) out.push(allocation(row, spot, quantity, step.from));
  }
  return out;
}

function covered(allocations: Allocation[], c: Case, catalog: PriceCatalog): boolean {
  const plan: AllocationPlan = {
    planner: 'peer',
    catalogVersion: catalog.catalogVersion,
    catalogAgeDays: 0,
    currency: 'USD',
    expectedCost: 0,
    costQuantiles: {},
    expectedUnmetDemand: { cpu: 0, memory: 0 },
    required: { cpu: 0, memory: 0 },
    allocations,
  };
  return coverageOf(plan, c, catalog);
}

function coverageOf(plan: AllocationPlan, c: Case, catalog: PriceCatalog): boolean {
  const to = new Date(Date.parse(c.forecast.start) + c.horizon * HOUR).toISOString();
  return checkPlanCoverage(plan, c.forecast, catalog, { from: c.forecast.start, to, serviceLevel: SERVICE_LEVEL, maxSpotShare: MAX_SPOT_SHARE, minInstances: 1 }).covered;
}

function run(c: Case, highs: Highs, catalog: PriceCatalog, rows: readonly CatalogRow[]): Row {
  const request = requestOf(c);
  const spec = { ...request, sourceAccountId: 'bench-source', targetAccountId: 'bench-target', accountType: 'bench', applications: [] };
  const baselinePlan = planCheapestSingleOnDemand(c.forecast, spec, catalog, NOW);
  const optimised = planOptimalAllocation(highs, c.forecast, request, catalog, NOW);
  const sky = skypilotLike(c, rows);
  const karp = karpenterLike(c, rows);
  return {
    c,
    baseline: { cost: baselinePlan.expectedCost, covered: coverageOf(baselinePlan, c, catalog) },
    optimiser: {
      cost: optimised.plan.expectedCost,
      covered: coverageOf(optimised.plan, c, catalog),
      gap: optimised.solver.gap,
      ms: optimised.solver.ms,
      status: optimised.solver.status,
      unmetCpu: optimised.plan.expectedUnmetDemand.cpu,
    },
    skypilot: { cost: costOf(sky, catalog), covered: covered(sky, c, catalog) },
    karpenter: { cost: costOf(karp, catalog), covered: covered(karp, c, catalog) },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

function geomean(values: number[]): number {
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

async function main(): Promise<void> {
  const highs = await loadHighs();
  const catalog = loadBundledCatalog();
  const rows = rowsFor(catalog, { clouds: CLOUDS });
  const cases: Case[] = [];
  for (const vm of VMS) {
    const history = parseHistoryCsv(readFileSync(`examples/history/${vm}.csv`, 'utf8'));
    for (const origin of ORIGINS)
      for (const horizon of HORIZONS) {
        // Only the history before the origin feeds the forecast.
        const past = history.filter((s) => Date.parse(s.timestamp) < Date.parse(origin));
        const forecast = forecastHourOfWeek(past, { horizonHours: horizon, quantiles: QUANTILES, start: origin });
        for (const scale of SCALES) for (const commitments of [false, true]) cases.push({ vm, origin, horizon, scale, commitments, forecast: scaled(forecast, scale) });
      }
  }
  // Warm-up: the first solve pays for JIT compilation of the search and of the Wasm module.
  const warm = cases[0];
  if (warm) run(warm, highs, catalog, rows);

  const results = cases.map((c) => run(c, highs, catalog, rows));
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  console.log(`catalog ${catalog.catalogVersion}, ${rows.length} rows; ${results.length} plans; service level ${SERVICE_LEVEL}, max spot share ${MAX_SPOT_SHARE}`);
  console.log(line(['scale', 'commitments', 'plans', 'optimiser / baseline', 'SkyPilot-like / baseline', 'Karpenter-like / baseline', 'optimiser / best peer', 'covered (opt, base, sky, karp)', 'gap p50 / p90 / max', 'solve ms p50 / p90 / p99 (168 h)']));
  console.log(line(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']));
  for (const scale of SCALES)
    for (const commitments of [false, true]) {
      const group = results.filter((r) => r.c.scale === scale && r.c.commitments === commitments);
      const ratio = (pick: (r: Row) => number) => geomean(group.map((r) => pick(r) / r.baseline.cost)).toFixed(3);
      const vsPeer = geomean(group.map((r) => r.optimiser.cost / Math.min(r.skypilot.cost, r.karpenter.cost))).toFixed(3);
      const count = (pick: (r: Row) => boolean) => group.filter(pick).length;
      const gaps = group.map((r) => r.optimiser.gap * 100);
      const times = group.filter((r) => r.c.horizon === 168).map((r) => r.optimiser.ms);
      console.log(
        line([
          `x${scale}`,
          commitments ? 'allowed' : 'no',
          group.length,
          ratio((r) => r.optimiser.cost),
          ratio((r) => r.skypilot.cost),
          ratio((r) => r.karpenter.cost),
          vsPeer,
          `${count((r) => r.optimiser.covered)}, ${count((r) => r.baseline.covered)}, ${count((r) => r.skypilot.covered)}, ${count((r) => r.karpenter.covered)}`,
          `${percentile(gaps, 0.5).toFixed(2)}% / ${percentile(gaps, 0.9).toFixed(2)}% / ${Math.max(...gaps).toFixed(2)}%`,
          `${percentile(times, 0.5).toFixed(0)} / ${percentile(times, 0.9).toFixed(0)} / ${percentile(times, 0.99).toFixed(0)}`,
        ]),
      );
    }
  const all168 = results.filter((r) => r.c.horizon === 168).map((r) => r.optimiser.ms);
  const allGaps = results.map((r) => r.optimiser.gap);
  const statuses = results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.optimiser.status]: (acc[r.optimiser.status] ?? 0) + 1 }), {});
  console.log('');
  console.log(`all plans: optimiser / baseline ${geomean(results.map((r) => r.optimiser.cost / r.baseline.cost)).toFixed(3)} (geometric mean), worst ${Math.max(...results.map((r) => r.optimiser.cost / r.baseline.cost)).toFixed(3)}`);
  console.log(`optimiser cheaper than both peers in ${results.filter((r) => r.optimiser.cost < Math.min(r.skypilot.cost, r.karpenter.cost)).length} of ${results.length} plans`);
  console.log(`every step covered: optimiser ${results.every((r) => r.optimiser.covered)}, baseline ${results.every((r) => r.baseline.covered)}, SkyPilot-like ${results.every((r) => r.skypilot.covered)}, Karpenter-like ${results.every((r) => r.karpenter.covered)}`);
  console.log(`gap <= 1%: ${allGaps.filter((g) => g <= 0.01).length} of ${allGaps.length}; statuses ${JSON.stringify(statuses)}`);
  console.log(`solve time, 168-step plans (${all168.length}): p50 ${percentile(all168, 0.5).toFixed(0)} ms, p90 ${percentile(all168, 0.9).toFixed(0)} ms, p99 ${percentile(all168, 0.99).toFixed(0)} ms, max ${Math.max(...all168).toFixed(0)} ms`);
}

void main();
