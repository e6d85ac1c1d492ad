import { METRICS, type DemandForecast, type ResourceDemand } from '@clonecast/contracts';
import { InvalidInstantError } from './errors';

const STEP_MS = 60 * 60_000;

/**
 * The forecast median for the hourly step that contains `at`, or undefined when `at` is outside the
 * forecast. Uses the 0.5 quantile, else the quantile nearest to 0.5 (the higher one on a tie, which
 * errs towards capacity).
 */
export function forecastMedianAt(forecast: DemandForecast, at: string): ResourceDemand | undefined {
  const atMs = Date.parse(at);
  if (Number.isNaN(atMs)) throw new InvalidInstantError('at', at);
  const step = forecast.timestamps.findIndex((timestamp) => {
    const stepStart = Date.parse(timestamp);
    return atMs >= stepStart && atMs < stepStart + STEP_MS;
  });
  const q = medianQuantile(forecast.quantiles);
  if (step < 0 || q === undefined) return undefined;
  const key = String(q);
  const demand: ResourceDemand = { cpu: 0, memory: 0, storage: 0, network: 0 };
  for (const metric of METRICS) {
    const value = forecast.metrics[metric][key]?.[step];
    if (value === undefined) return undefined;
    demand[metric] = value;
  }
  return demand;
}

/** Tolerance for comparing distances to 0.5, so 0.4 and 0.6 count as equally near despite rounding. */
const TIE_EPSILON = 1e-12;

function medianQuantile(quantiles: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const q of quantiles) {
    if (best === undefined) {
      best = q;
      continue;
    }
    const gap = Math.abs(q - 0.5) - Math.abs(best - 0.5);
    if (gap < -TIE_EPSILON || (Math.abs(gap) <= TIE_EPSILON && q > best)) best = q;
  }
  return best;
}
