import type { DemandForecast } from '@clonecast/contracts';
import { UnusableForecastError } from './errors';
import { serviceLevelQuantile } from './shortfall';

const HOUR_MS = 60 * 60 * 1000;

export type Resource = 'cpu' | 'memory';

/** What one hourly step asks for: the service-level quantile to cover, and the demand scenarios above it. */
export interface StepDemand {
  /** Index of the step in the forecast. */
  index: number;
  from: number;
  to: number;
  required: Record<Resource, number>;
  /**
   * Demand scenarios above the requirement, drawn at fixed quantile levels from the forecast's quantile
   * curve; each has probability 1/scenarioCount. Scenarios at or below the requirement are left out: the
   * plan covers them, so they cost no unmet demand.
   */
  tail: Record<Resource, number[]>;
  /** The values of every forecast quantile (for the reported expected unmet demand). */
  quantileValues: Record<Resource, number[]>;
}

export interface DemandModel {
  steps: StepDemand[];
  levels: number[];
  /** Quantile level the plan covers (the smallest forecast quantile at or above the service level). */
  coveredQuantile: number;
  scenarioCount: number;
}

/**
 * Reads the forecast steps that start inside [from, to). Quantile keys are matched by value, so a forecast
 * keyed "0.50" plans like one keyed "0.5".
 */
export function demandModel(forecast: DemandForecast, from: number, to: number, serviceLevel: number, scenarioCount: number): DemandModel {
  const levels = [...forecast.quantiles].sort((a, b) => a - b);
  const coveredQuantile = serviceLevelQuantile(levels, serviceLevel);
  const series = { cpu: seriesByLevel(forecast, 'cpu', levels), memory: seriesByLevel(forecast, 'memory', levels) };
  // Stratified draws u = (s + 0.5) / S: deterministic, so the same forecast always gives the same plan.
  const draws = Array.from({ length: scenarioCount }, (_, s) => (s + 0.5) / scenarioCount).filter((u) => u > coveredQuantile);

  const steps: StepDemand[] = [];
  forecast.timestamps.forEach((timestamp, index) => {
    const at = Date.parse(timestamp);
    if (at < from || at >= to) return;
    const quantileValues = {
      cpu: series.cpu.map((values) => valueOf(values, index, 'cpu')),
      memory: series.memory.map((values) => valueOf(values, index, 'memory')),
    };
    const sorted = { cpu: [...quantileValues.cpu].sort((a, b) => a - b), memory: [...quantileValues.memory].sort((a, b) => a - b) };
    const coveredAt = levels.indexOf(coveredQuantile);
    const required = { cpu: sorted.cpu[coveredAt] ?? 0, memory: sorted.memory[coveredAt] ?? 0 };
    const tailOf = (r: Resource) => draws.map((u) => quantileCurve(levels, sorted[r], u)).filter((d) => d > required[r]);
    steps.push({ index, from: at, to: at + HOUR_MS, required, tail: { cpu: tailOf('cpu'), memory: tailOf('memory') }, quantileValues });
  });
  if (steps.length === 0)
    throw new UnusableForecastError(`no forecast step between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
  return { steps, levels, coveredQuantile, scenarioCount };
}

/** The series of each quantile level, found by numeric value of the key ("0.50" = 0.5). */
function seriesByLevel(forecast: DemandForecast, metric: Resource, levels: readonly number[]): number[][] {
  const byValue = new Map<number, number[]>();
  for (const [key, values] of Object.entries(forecast.metrics[metric])) byValue.set(Number(key), values);
  return levels.map((level) => {
    const values = byValue.get(level);
    if (!values) throw new UnusableForecastError(`${metric} has no series for quantile ${level}`);
    return values;
  });
}

function valueOf(values: readonly number[], index: number, metric: Resource): number {
  const value = values[index];
  if (value === undefined) throw new UnusableForecastError(`${metric} has no value at step ${index}`);
  return value;
}

/** Q(u): linear between the known quantiles, flat beyond the outermost ones (as in expectedShortfall). */
function quantileCurve(levels: readonly number[], sortedValues: readonly number[], u: number): number {
  const first = sortedValues[0] ?? 0;
  if (u <= (levels[0] ?? 0)) return first;
  for (let i = 1; i < levels.length; i++) {
    const l0 = levels[i - 1] as number;
    const l1 = levels[i] as number;
    if (u <= l1) {
      const v0 = sortedValues[i - 1] as number;
      const v1 = sortedValues[i] as number;
      return v0 + ((v1 - v0) * (u - l0)) / (l1 - l0);
    }
  }
  return sortedValues[sortedValues.length - 1] ?? first;
}

/** Expected unmet demand of one step under the scenarios: mean of (d - capacity)+ over all S scenarios. */
export function scenarioShortfall(tail: readonly number[], capacity: number, scenarioCount: number): number {
  let total = 0;
  for (const d of tail) if (d > capacity) total += d - capacity;
  return total / scenarioCount;
}
