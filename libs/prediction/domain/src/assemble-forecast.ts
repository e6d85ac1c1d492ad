import { METRICS, type DemandForecast } from '@clonecast/contracts';
import { InvalidForecastOptionsError, InvalidModelOutputError } from './errors';
import type { FeatureRows } from './features';
import { validateQuantiles } from './forecast-request';
import { hourlyTimestamps, toIso } from './instant';
import type { ModelManifest } from './model-manifest';

// in instant.ts, which the baseline forecaster shares without importing this module
export { hourlyTimestamps };

export type ModelOutputContract = Pick<ModelManifest, 'quantiles' | 'eventUplift' | 'coldStartWidening'>;

export interface AssembleForecastInput {
  /** The model's `quantiles` output for this forecast only: horizonHours × 4 metrics × model quantiles. */
  readonly outputs: Float32Array;
  readonly features: FeatureRows;
  readonly model: ModelOutputContract;
  /** Recorded as the forecast's modelVersion. */
  readonly modelVersion: string;
  /** Requested quantiles; the forecast keys each series by String(q). */
  readonly quantiles: readonly number[];
  /** The caller has checked `quantiles` with validateRequestedQuantiles already (skips checking again). */
  readonly validated?: boolean;
}

/**
 * Checks that every requested quantile can be answered from the model's: distinct decimals inside
 * [first, last] model quantile (between two model quantiles the value is interpolated linearly in q).
 */
export function validateRequestedQuantiles(requested: readonly number[], modelQuantiles: readonly number[]): void {
  validateQuantiles(requested);
  const outside = quantilesOutsideModel(requested, modelQuantiles);
  if (outside.length > 0) {
    throw new InvalidForecastOptionsError(
      `quantile ${outside.join(', ')} is outside the model's range ${modelQuantiles[0]}..${modelQuantiles[modelQuantiles.length - 1]}; the model does not extrapolate`,
    );
  }
}

/** The requested quantiles below the model's first or above its last. */
export function quantilesOutsideModel(requested: readonly number[], modelQuantiles: readonly number[]): number[] {
  const lowest = modelQuantiles[0] as number;
  const highest = modelQuantiles[modelQuantiles.length - 1] as number;
  return requested.filter((q) => q < lowest || q > highest);
}

/**
 * Turns the model's normalised quantiles into a DemandForecast: multiplies by the per-metric scale,
 * applies declared event uplift when the model leaves it to the caller, multiplies each quantile of a
 * metric without history (cold start, `missing`) by the manifest's factor for that metric and quantile
 * (calibrated by the trainer so that P(y ≤ f_q·q̂) = q on cold starts, non-decreasing in q, so intervals
 * widen), then keeps every value non-negative and the quantiles non-decreasing. Requested quantiles between the model's are
 * interpolated linearly in q.
 */
export function assembleForecast(input: AssembleForecastInput): DemandForecast {
  const { outputs, features, model, quantiles } = input;
  const { horizonHours, scale, missing, eventUplift, origin } = features;
  const modelQuantiles = model.quantiles;
  const q = modelQuantiles.length;
  if (outputs.length !== horizonHours * METRICS.length * q) {
    throw new InvalidModelOutputError(
      `model output has ${outputs.length} values, expected ${horizonHours} × ${METRICS.length} × ${q}`,
    );
  }
  if (input.validated !== true) validateRequestedQuantiles(quantiles, modelQuantiles);

  const upliftApplied = model.eventUplift === 'applied-by-caller';
  // plain loops rather than callbacks (Float64Array.from, forEach, every); the widening only of a cold metric
  const widening = scratchOf(wideningScratch, q);
  const requested = quantiles.length;
  const lowers = new Int32Array(requested);
  const weights = scratchOf(weightsScratch, requested);
  const keys = new Array<string>(requested);
  // every requested quantile is one of the model's (the usual case): no interpolation
  let exact = true;
  for (let k = 0; k < requested; k++) {
    const r = quantiles[k] as number;
    const { lower, weight } = interpolationOf(r, modelQuantiles);
    lowers[k] = lower;
    weights[k] = weight;
    if (weight !== 0) exact = false;
    keys[k] = String(r);
  }
  // one metric's floored model quantiles, step by step (horizonHours × q), read column by column below
  const grid = scratchOf(gridScratch, horizonHours * q);
  const metrics = {} as DemandForecast['metrics'];

  for (let mi = 0; mi < METRICS.length; mi++) {
    const metric = METRICS[mi] as (typeof METRICS)[number];
    const metricScale = scale[metric];
    const widen = missing[metric];
    if (widen) for (let j = 0; j < q; j++) widening[j] = model.coldStartWidening[metric][String(modelQuantiles[j])] ?? 1;
    for (let h = 0; h < horizonHours; h++) {
      const base = (h * METRICS.length + mi) * q;
      const at = h * q;
      const factor = upliftApplied ? metricScale * (eventUplift[h] as number) : metricScale;
      // Never negative, never below the previous quantile, whatever the graph or the widening did. One loop
      // per case rather than a test per value: the same products, (output × factor) × widening.
      let floor = 0;
      if (widen) {
        for (let j = 0; j < q; j++) {
          const value = (outputs[base + j] as number) * factor * (widening[j] as number);
          if (value > floor) floor = value;
          grid[at + j] = floor;
        }
      } else {
        for (let j = 0; j < q; j++) {
          const value = (outputs[base + j] as number) * factor;
          if (value > floor) floor = value;
          grid[at + j] = floor;
        }
      }
    }
    // each series filled in one pass, in order
    const bySeries: Record<string, number[]> = {};
    for (let k = 0; k < requested; k++) {
      const lower = lowers[k] as number;
      const weight = weights[k] as number;
      const series = new Array<number>(horizonHours);
      if (exact || weight === 0) {
        for (let h = 0; h < horizonHours; h++) series[h] = grid[h * q + lower] as number;
      } else {
        for (let h = 0; h < horizonHours; h++) {
          const low = grid[h * q + lower] as number;
          series[h] = low + weight * ((grid[h * q + lower + 1] as number) - low);
        }
      }
      bySeries[keys[k] as string] = series;
    }
    metrics[metric] = bySeries;
  }

  return {
    modelVersion: input.modelVersion,
    stepMinutes: 60,
    start: toIso(origin),
    timestamps: hourlyTimestamps(origin, horizonHours),
    quantiles: [...quantiles],
    metrics,
  };
}

/**
 * assembleForecast's scratch arrays (the grid, the per-quantile widening and interpolation weights), kept from
 * call to call: they hold nothing between calls (every value read is written first), and a fresh Float64Array
 * lives outside V8's heap (~0.3 µs even for 9 values).
 */
interface Scratch {
  values: Float64Array;
}
const gridScratch: Scratch = { values: new Float64Array(0) };
const wideningScratch: Scratch = { values: new Float64Array(0) };
const weightsScratch: Scratch = { values: new Float64Array(0) };

/** `scratch`'s array, grown to at least `length` values. */
function scratchOf(scratch: Scratch, length: number): Float64Array {
  if (scratch.values.length < length) scratch.values = new Float64Array(length);
  return scratch.values;
}

/** Index of the model quantile at or below `requested` and the linear weight of the next one. */
function interpolationOf(requested: number, modelQuantiles: readonly number[]): { lower: number; weight: number } {
  const exact = modelQuantiles.indexOf(requested);
  if (exact >= 0) return { lower: exact, weight: 0 };
  let lower = 0;
  while (lower + 1 < modelQuantiles.length && (modelQuantiles[lower + 1] as number) < requested) lower++;
  const from = modelQuantiles[lower] as number;
  const to = modelQuantiles[lower + 1] as number;
  return { lower, weight: (requested - from) / (to - from) };
}
