import type { Command } from 'commander';
import { z } from 'zod';
import { CLOUDS, type Cloud, demandForecastSchema } from '@clonecast/contracts';
import { CostOptimizationError, type Highs, type OptimisedPlan, loadHighs, planOptimalAllocation } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import { UsageError } from '../cli-error';
import { parseList, parseNumberOption, printJson, readJson } from '../io';

export interface PlanOptions {
  demand: string;
  clouds: string[];
  regions?: string[];
  serviceLevel: number;
  maxSpotShare: number;
  commitments: boolean;
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
  const clouds = options.clouds.map((c) => {
    if (!(CLOUDS as readonly string[]).includes(c)) throw new UsageError(`--clouds: unknown cloud "${c}" (use ${CLOUDS.join(', ')})`);
    return c as Cloud;
  });
  if (clouds.length === 0) throw new UsageError('--clouds: at least one cloud must be allowed');
  if (forecast.timestamps.length === 0) throw new UsageError(`demand forecast ${options.demand} has no timestamps`);
  if (forecast.timestamps.length > 168) throw new UsageError(`demand forecast ${options.demand} has ${forecast.timestamps.length} steps; plans cover at most 168`);
  const first = forecast.timestamps[0] as string;
  const last = forecast.timestamps[forecast.timestamps.length - 1] as string;
  const request = {
    activationAt: first,
    timeframeHours: Math.round((Date.parse(last) - Date.parse(first)) / 3_600_000) + 1,
    serviceLevel: options.serviceLevel,
    constraints: {
      clouds,
      ...(options.regions && options.regions.length > 0 ? { regions: options.regions } : {}),
      maxSpotShare: options.maxSpotShare,
      allowCommitments: options.commitments,
      minInstances: 1,
    },
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
  program
    .command('plan')
    .description('plan the cheapest purchases (committed, on-demand, spot) covering a demand forecast')
    .requiredOption('--demand <forecast.json>', 'forecast as printed by `clonecast forecast --json`')
    .option('--clouds <list>', 'allowed clouds, comma-separated', parseList, ['aws', 'azure', 'gcp'])
    .option('--regions <list>', 'allowed regions of any cloud, comma-separated (default: all)', parseList)
    .option('--service-level <q>', 'demand quantile to cover, (0.5, 1)', parseNumberOption('--service-level', 0.5000001, 0.9999999), 0.95)
    .option('--max-spot-share <s>', 'largest share of the required capacity on spot, 0..1', parseNumberOption('--max-spot-share', 0, 1), 0.5)
    .option('--no-commitments', 'do not buy reserved/committed capacity')
    .option('--json', 'print one JSON document', false)
    .action(async (options: PlanOptions) => {
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
