import { METRICS, type DemandForecast } from '@clonecast/contracts';
import { InvalidForecastOptionsError, InvalidModelOutputError } from './errors';
import type { FeatureRows } from './features';
import { validateQuantiles } from './forecast-request';
import { HOURS_PER_DAY, MS_PER_HOUR, toIso } from './instant';
import type { ModelManifest } from './model-manifest';

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
 * metric without history (cold start, `missing`) by the manifest's factor for it (calibrated by the trainer
 * so that P(y ≤ f_q·q̂) = q on cold starts, non-decreasing in q, so intervals widen), then keeps every value
 * non-negative and the quantiles non-decreasing. Requested quantiles between the model's are
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
  const widening = Float64Array.from(modelQuantiles, (mq) => model.coldStartWidening[String(mq)] ?? 1);
  const requested = quantiles.length;
  const lowers = new Int32Array(requested);
  const weights = new Float64Array(requested);
  quantiles.forEach((r, k) => {
    const { lower, weight } = interpolationOf(r, modelQuantiles);
    lowers[k] = lower;
    weights[k] = weight;
  });
  // every requested quantile is one of the model's (the usual case): no interpolation
  const exact = weights.every((weight) => weight === 0);
  const keys = quantiles.map(String);
  const values = new Float64Array(q);
  const metrics = {} as DemandForecast['metrics'];

  for (let mi = 0; mi < METRICS.length; mi++) {
    const metric = METRICS[mi] as (typeof METRICS)[number];
    const metricScale = scale[metric];
    const widen = missing[metric];
    const series: number[][] = [];
    for (let k = 0; k < requested; k++) series.push(new Array<number>(horizonHours));
    for (let h = 0; h < horizonHours; h++) {
      const base = (h * METRICS.length + mi) * q;
      const factor = upliftApplied ? metricScale * (eventUplift[h] as number) : metricScale;
      let floor = 0;
      for (let j = 0; j < q; j++) {
        let value = (outputs[base + j] as number) * factor;
        if (widen) value *= widening[j] as number;
        // Never negative, never below the previous quantile, whatever the graph or the widening did.
        if (value > floor) floor = value;
        values[j] = floor;
      }
      if (exact) {
        for (let k = 0; k < requested; k++) (series[k] as number[])[h] = values[lowers[k] as number] as number;
      } else {
        for (let k = 0; k < requested; k++) {
          const lower = lowers[k] as number;
          const weight = weights[k] as number;
          const low = values[lower] as number;
          (series[k] as number[])[h] = weight === 0 ? low : low + weight * ((values[lower + 1] as number) - low);
        }
      }
    }
    const bySeries: Record<string, number[]> = {};
    for (let k = 0; k < requested; k++) bySeries[keys[k] as string] = series[k] as number[];
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

/** The last timestamps made: a batch's forecasts usually share origin and horizon. */
let lastTimestamps: { origin: number; count: number; timestamps: readonly string[] } | undefined;

/**
 * ISO-8601 strings of `count` whole hours from `origin`, exactly as toISOString writes them; one Date per
 * day instead of one per hour, since formatting was a third of assembling a forecast. A fresh array each
 * call (copied from the last one when origin and count repeat).
 */
export function hourlyTimestamps(origin: number, count: number): string[] {
  if (lastTimestamps !== undefined && lastTimestamps.origin === origin && lastTimestamps.count === count) {
    return lastTimestamps.timestamps.slice();
  }
  const timestamps = new Array<string>(count);
  let day = Number.NaN;
  let dayPrefix = '';
  for (let h = 0; h < count; h++) {
    const hours = Math.floor((origin + h * MS_PER_HOUR) / MS_PER_HOUR);
    const hourOfDay = ((hours % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
    const hourDay = (hours - hourOfDay) / HOURS_PER_DAY;
    if (hourDay !== day) {
      day = hourDay;
      dayPrefix = toIso(day * HOURS_PER_DAY * MS_PER_HOUR).slice(0, 11);
    }
    timestamps[h] = `${dayPrefix}${hourOfDay < 10 ? '0' : ''}${hourOfDay}:00:00.000Z`;
  }
  lastTimestamps = { origin, count, timestamps };
  return timestamps.slice();
}
