import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Highs, checkPlanCoverage, loadHighs } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import { syntheticHistory } from '@clonecast/platform/testing';
import { forecastHourOfWeek } from '@clonecast/prediction/domain';
import { UsageError } from '../cli-error';
import { type PlanOptions, runPlan } from './plan';

const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-spec-'));
const forecast = forecastHourOfWeek(syntheticHistory(), { horizonHours: 24, quantiles: [0.5, 0.9, 0.95] });
// Non-canonical quantile keys, as `clonecast forecast --json --quantiles 0.50,0.90,0.95` prints them.
const rekey = (series: Record<string, number[]>) => ({ '0.50': series['0.5'], '0.90': series['0.9'], '0.95': series['0.95'] });
const printed = { ...forecast, metrics: { cpu: rekey(forecast.metrics.cpu), memory: rekey(forecast.metrics.memory), storage: rekey(forecast.metrics.storage), network: rekey(forecast.metrics.network) } };
const demandFile = path.join(dir, 'forecast.json');
writeFileSync(demandFile, JSON.stringify(printed));

const base: PlanOptions = { demand: demandFile, clouds: ['aws', 'gcp'], serviceLevel: 0.95, maxSpotShare: 0.5, minInstances: 1, commitments: true, json: true };
const NOW = new Date('2026-08-01T00:00:00Z');
let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

describe('clonecast plan', () => {
  it('plans over the forecast timestamps and covers the service level at every step', () => {
    const output = runPlan(base, highs, NOW);
    expect(Object.keys(output)).toEqual(['catalogVersion', 'catalogAgeDays', 'expectedCost', 'costQuantiles', 'expectedUnmetDemand', 'solver', 'allocations']);
    expect(output.solver).toEqual({ status: expect.any(String), gap: expect.any(Number), ms: expect.any(Number) });
    expect(output.allocations.every((a) => a.cloud === 'aws' || a.cloud === 'gcp')).toBe(true);
    expect(output.allocations[0]?.from).toBe(forecast.timestamps[0]);
    const plan = { planner: 'x', currency: 'USD' as const, required: { cpu: 0, memory: 0 }, ...output };
    const end = new Date(Date.parse(forecast.timestamps.at(-1) ?? '') + 3_600_000).toISOString();
    const window = { from: forecast.timestamps[0] ?? '', to: end, serviceLevel: 0.95, maxSpotShare: 0.5, minInstances: 1 };
    expect(checkPlanCoverage(plan, forecast, loadBundledCatalog(), window).shortfalls).toEqual([]);
  });

  it('buys no commitments with --no-commitments and only the given regions', () => {
    const output = runPlan({ ...base, commitments: false, regions: ['europe-west4', 'eu-west-1'] }, highs, NOW);
    for (const a of output.allocations) {
      expect(['on-demand', 'spot']).toContain(a.pricingModel);
      expect(['europe-west4', 'eu-west-1']).toContain(a.region);
    }
  });

  it('buys only the given families and architectures, at least --min-instances, within --budget', () => {
    const catalog = loadBundledCatalog();
    const rowOf = (a: { cloud: string; region: string; instanceType: string }) =>
      catalog.rows.find((r) => r.cloud === a.cloud && r.region === a.region && r.instanceType === a.instanceType);
    const arm = runPlan({ ...base, architectures: ['arm64'], minInstances: 3 }, highs, NOW);
    expect(arm.allocations.every((a) => rowOf(a)?.architecture === 'arm64')).toBe(true);
    const hours = new Map<string, number>();
    for (const a of arm.allocations)
      for (let t = Date.parse(a.from); t < Date.parse(a.to); t += 3_600_000) hours.set(String(t), (hours.get(String(t)) ?? 0) + a.quantity);
    expect(Math.min(...hours.values())).toBeGreaterThanOrEqual(3);
    const n2 = runPlan({ ...base, families: ['n2'] }, highs, NOW);
    expect(n2.allocations.every((a) => rowOf(a)?.family === 'n2')).toBe(true);
    expect(() => runPlan({ ...base, budget: n2.expectedCost / 100, families: ['n2'] }, highs, NOW)).toThrow(/BUDGET_EXCEEDED/);
  });

  it('turns bad options and impossible constraints into usage errors', () => {
    expect(() => runPlan({ ...base, clouds: ['ibm'] }, highs, NOW)).toThrow(new UsageError('--clouds: unknown cloud "ibm" (use aws, azure, gcp)'));
    expect(() => runPlan({ ...base, architectures: ['sparc'] }, highs, NOW)).toThrow(new UsageError('--architectures: unknown architecture "sparc" (use x86_64, arm64)'));
    expect(() => runPlan({ ...base, families: ['zz9'] }, highs, NOW)).toThrow(/NO_CATALOG_ROWS.*families \[zz9\]/);
    expect(() => runPlan({ ...base, regions: ['mars-north-1'] }, highs, NOW)).toThrow(/NO_CATALOG_ROWS.*mars-north-1/);
    expect(() => runPlan({ ...base, demand: path.join(dir, 'missing.json') }, highs, NOW)).toThrow(/cannot read demand forecast/);
  });
});
