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
  validateRequestedQuantiles(quantiles, modelQuantiles);

  const upliftApplied = model.eventUplift === 'applied-by-caller';
  const widening = Float64Array.from(modelQuantiles, (mq) => model.coldStartWidening[String(mq)] ?? 1);
  const interpolation = quantiles.map((requested) => interpolationOf(requested, modelQuantiles));
  const lowers = Int32Array.from(interpolation, (i) => i.lower);
  const weights = Float64Array.from(interpolation, (i) => i.weight);
  const values = new Float64Array(q);
  const metrics = {} as DemandForecast['metrics'];

  METRICS.forEach((metric, mi) => {
    const series = quantiles.map(() => new Array<number>(horizonHours).fill(0));
    for (let h = 0; h < horizonHours; h++) {
      const base = (h * METRICS.length + mi) * q;
      const factor = scale[metric] * (upliftApplied ? (eventUplift[h] as number) : 1);
      for (let j = 0; j < q; j++) values[j] = (outputs[base + j] as number) * factor;
      if (missing[metric]) for (let j = 0; j < q; j++) values[j] = (values[j] as number) * (widening[j] as number);
      let floor = 0;
      for (let j = 0; j < q; j++) {
        // Never negative, never below the previous quantile, whatever the graph or the widening did.
        floor = Math.max(floor, values[j] as number);
        values[j] = floor;
      }
      for (let k = 0; k < series.length; k++) {
        const lower = lowers[k] as number;
        const weight = weights[k] as number;
        const low = values[lower] as number;
        (series[k] as number[])[h] = weight === 0 ? low : low + weight * ((values[lower + 1] as number) - low);
      }
    }
    metrics[metric] = Object.fromEntries(quantiles.map((requested, k) => [String(requested), series[k] as number[]]));
  });

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

/**
 * ISO-8601 strings of `count` whole hours from `origin`, exactly as toISOString writes them; one Date per
 * day instead of one per hour, since formatting was a third of assembling a forecast.
 */
export function hourlyTimestamps(origin: number, count: number): string[] {
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
  return timestamps;
}
