import type { Command } from 'commander';
import { z } from 'zod';
import { demandForecastSchema } from '@clonecast/contracts';
import { CostOptimizationError, type Highs, type OptimisedPlan, loadHighs, planOptimalAllocation } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import { UsageError } from '../cli-error';
import { parseNumberOption, printJson, readJson } from '../io';
import { type PlacementOptions, addPlacementOptions, placementConstraints } from '../placement-options';

export interface PlanOptions extends PlacementOptions {
  demand: string;
  serviceLevel: number;
  json: boolean;
}

/** What `clonecast plan --json` prints. */
export interface PlanOutput {
  catalogVersion: string;
  catalogAgeDays: number;
  expectedCost: number;
  costQuantiles: Record<string, number>;
  expectedUnmetDemand: { cpu: number; memory: number };
  solver: { status: string; gap: number; ms: number };
  allocations: OptimisedPlan['plan']['allocations'];
}

/**
 * Plans purchases for a forecast file (what `clonecast forecast --json` prints) over the forecast's own
 * timestamps. Quantile keys are read by value, so "0.50" works like "0.5".
 */
export function runPlan(options: PlanOptions, highs: Highs | undefined, now: Date): PlanOutput {
  const forecast = readJson(options.demand, z.preprocess(canonicalQuantileKeys, demandForecastSchema), 'demand forecast');
  const constraints = placementConstraints(options);
  if (forecast.timestamps.length === 0) throw new UsageError(`demand forecast ${options.demand} has no timestamps`);
  if (forecast.timestamps.length > 168) throw new UsageError(`demand forecast ${options.demand} has ${forecast.timestamps.length} steps; plans cover at most 168`);
  const first = forecast.timestamps[0] as string;
  const last = forecast.timestamps[forecast.timestamps.length - 1] as string;
  const request = {
    activationAt: first,
    timeframeHours: Math.round((Date.parse(last) - Date.parse(first)) / 3_600_000) + 1,
    serviceLevel: options.serviceLevel,
    constraints,
  };
  try {
    const { plan, solver } = planOptimalAllocation(highs, forecast, request, loadBundledCatalog(), now);
    return {
      catalogVersion: plan.catalogVersion,
      catalogAgeDays: plan.catalogAgeDays,
      expectedCost: plan.expectedCost,
      costQuantiles: plan.costQuantiles,
      expectedUnmetDemand: plan.expectedUnmetDemand,
      solver: { status: solver.status, gap: solver.gap, ms: solver.ms },
      allocations: plan.allocations,
    };
  } catch (error) {
    if (error instanceof CostOptimizationError) throw new UsageError(`cannot plan (${error.code}): ${error.message}`);
    throw error;
  }
}

export function registerPlan(program: Command): void {
  const command = program
    .command('plan')
    .description('plan the cheapest purchases (committed, on-demand, spot) covering a demand forecast')
    .requiredOption('--demand <forecast.json>', 'forecast as printed by `clonecast forecast --json`')
    .option('--service-level <q>', 'demand quantile to cover, (0.5, 1)', parseNumberOption('--service-level', 0.5000001, 0.9999999), 0.95)
    .option('--json', 'print one JSON document', false);
  addPlacementOptions(command).action(async (options: PlanOptions) => {
    const highs = await loadHighs().catch(() => undefined);
    const output = runPlan(options, highs, new Date());
    if (options.json) return printJson(output);
    const w = process.stdout;
    w.write(`catalog ${output.catalogVersion} (${output.catalogAgeDays} days old)\n`);
    w.write(`expected cost ${output.expectedCost.toFixed(2)} USD (P50 ${fmt(output.costQuantiles['0.5'])}, P90 ${fmt(output.costQuantiles['0.9'])})\n`);
    w.write(`expected unmet demand ${output.expectedUnmetDemand.cpu.toFixed(3)} vCPU-h, ${output.expectedUnmetDemand.memory.toFixed(3)} GiB-h\n`);
    w.write(`solver ${output.solver.status}, gap ${(output.solver.gap * 100).toFixed(2)}%, ${output.solver.ms.toFixed(0)} ms\n`);
    for (const a of output.allocations)
      w.write(`${a.from} .. ${a.to}  ${String(a.quantity).padStart(4)} x ${a.cloud}/${a.region}/${a.instanceType} ${a.pricingModel} @ ${a.hourlyPrice}/h\n`);
  });
}

/** `clonecast forecast --quantiles 0.50` keys series "0.50"; the contract looks series up by String(0.5). */
function canonicalQuantileKeys(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('metrics' in raw)) return raw;
  const metrics = (raw as { metrics: unknown }).metrics;
  if (typeof metrics !== 'object' || metrics === null) return raw;
  const canonical = Object.fromEntries(
    Object.entries(metrics).map(([metric, series]) => {
      if (typeof series !== 'object' || series === null) return [metric, series];
      return [metric, Object.fromEntries(Object.entries(series).map(([key, values]) => [Number.isFinite(Number(key)) ? String(Number(key)) : key, values]))];
    }),
  );
  return { ...raw, metrics: canonical };
}

function fmt(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(2);
}
