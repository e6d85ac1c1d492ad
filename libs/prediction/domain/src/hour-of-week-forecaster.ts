import { METRICS, type DemandForecast, type UsageSample } from '@clonecast/contracts';
import { InvalidForecastOptionsError, NoHistoryError } from './errors';
import { resampleHourly, type HourlySeries } from './hourly-series';
import { HourOfWeekSampler } from './hour-of-week-sample';
import { floorToHour, HOURS_PER_WEEK, hourlyTimestamps, MS_PER_HOUR, parseIsoInstant, toIso } from './instant';

export const BASELINE_MODEL_VERSION = 'baseline-hour-of-week@1';
export const DEFAULT_LOOKBACK_WEEKS = 4;
export const MAX_HORIZON_HOURS = HOURS_PER_WEEK;

export interface HourOfWeekForecastOptions {
  /**
   * First forecast step, ISO-8601; default: the hour after the last history row. A step between
   * whole hours is forecast as the hour containing it.
   */
  readonly start?: string;
  /** Number of hourly steps, 1..168. */
  readonly horizonHours: number;
  /** Probabilities in (0, 1); the forecast keys each series by `String(q)`. */
  readonly quantiles: readonly number[];
  /** Weeks of history before `start` to draw from (default 4); fewer are used when history is shorter. */
  readonly lookbackWeeks?: number;
}

/** String(q) must satisfy the contract's quantile-key pattern, so exponent forms such as 1e-7 are refused. */
const QUANTILE_KEY = /^0\.\d+$/;

/**
 * Baseline forecaster: for each step and metric, the empirical quantiles of the hourly values at the
 * same hour of week ±1 h in the `lookbackWeeks` weeks before `start`. A step whose window holds no
 * value falls back to every earlier value at the same hour of day ±1 h, then to every earlier value.
 * Only whole hours that end by `start` are used, so a start inside the history gives an honest backtest.
 * A start after the history ends (a clone activated later) draws on the last `lookbackWeeks` weeks of the
 * history: each step is moved back by whole weeks, which keeps its hour of week, into the week after the data.
 */
export function forecastHourOfWeek(
  history: readonly UsageSample[],
  options: HourOfWeekForecastOptions,
): DemandForecast {
  const validated = validatedOptions(options);
  const series = resampleHourly(history);
  return forecastFromSeries(series, validated, validated.startMs ?? hourAfterLastRow(history));
}

/**
 * forecastHourOfWeek from an already-hourly series (e.g. resampled once and reused); the default start
 * is the hour after the series' last hour.
 */
export function forecastHourOfWeekFromSeries(series: HourlySeries, options: HourOfWeekForecastOptions): DemandForecast {
  const validated = validatedOptions(options);
  return forecastFromSeries(series, validated, validated.startMs ?? series.start + series.length * MS_PER_HOUR);
}

function forecastFromSeries(
  series: HourlySeries,
  { horizonHours, quantiles, lookbackWeeks }: ReturnType<typeof validatedOptions>,
  startMs: number,
): DemandForecast {
  const usableHours = Math.max(0, Math.min(series.length, Math.floor((startMs - series.start) / MS_PER_HOUR)));

  // Quantiles are computed in ascending order so that each can be kept at or above the previous one.
  const ascending = [...quantiles].sort((a, b) => a - b);
  const keys = ascending.map(String);
  const values = new Float64Array(ascending.length);
  const metrics = {} as DemandForecast['metrics'];

  for (const metric of METRICS) {
    const sampler = new HourOfWeekSampler(series.values[metric], series.start, usableHours, lookbackWeeks);
    if (!sampler.hasHistory) {
      throw new NoHistoryError(`no ${metric} usage recorded before the forecast start ${toIso(startMs)}`);
    }
    const bySeries = ascending.map(() => new Array<number>(horizonHours));
    for (let step = 0; step < horizonHours; step++) {
      sampler.quantilesAt(floorToHour(startMs + step * MS_PER_HOUR), ascending, values, 0);
      for (let k = 0; k < bySeries.length; k++) (bySeries[k] as number[])[step] = values[k] as number;
    }
    metrics[metric] = Object.fromEntries(keys.map((key, k) => [key, bySeries[k] as number[]]));
  }

  return {
    modelVersion: BASELINE_MODEL_VERSION,
    stepMinutes: 60,
    start: toIso(startMs),
    // whole hours (the usual start): hourlyTimestamps, one Date a day; else one Date a step
    timestamps:
      startMs % MS_PER_HOUR === 0
        ? hourlyTimestamps(startMs, horizonHours)
        : Array.from({ length: horizonHours }, (_, step) => toIso(startMs + step * MS_PER_HOUR)),
    quantiles: [...quantiles],
    metrics,
  };
}

function hourAfterLastRow(history: readonly UsageSample[]): number {
  // resampleHourly has already validated every timestamp, so the last one parses.
  const last = history[history.length - 1] as UsageSample;
  return floorToHour(parseIsoInstant(last.timestamp) as number) + MS_PER_HOUR;
}

function validatedOptions(options: HourOfWeekForecastOptions): {
  horizonHours: number;
  quantiles: readonly number[];
  lookbackWeeks: number;
  startMs: number | undefined;
} {
  const { horizonHours, quantiles, lookbackWeeks = DEFAULT_LOOKBACK_WEEKS } = options;
  if (!Number.isInteger(horizonHours) || horizonHours < 1 || horizonHours > MAX_HORIZON_HOURS) {
    throw new InvalidForecastOptionsError(
      `horizonHours must be an integer in 1..${MAX_HORIZON_HOURS}, got ${horizonHours}`,
    );
  }
  if (quantiles.length === 0) throw new InvalidForecastOptionsError('at least one quantile is required');
  for (const q of quantiles) {
    if (!(q > 0 && q < 1) || !QUANTILE_KEY.test(String(q))) {
      throw new InvalidForecastOptionsError(`quantile ${q} must be a decimal strictly between 0 and 1, e.g. 0.5`);
    }
  }
  if (new Set(quantiles).size !== quantiles.length) {
    throw new InvalidForecastOptionsError(`quantiles must be distinct, got [${quantiles.join(', ')}]`);
  }
  if (!Number.isInteger(lookbackWeeks) || lookbackWeeks < 1) {
    throw new InvalidForecastOptionsError(`lookbackWeeks must be a positive integer, got ${lookbackWeeks}`);
  }
  let startMs: number | undefined;
  if (options.start !== undefined) {
    startMs = parseIsoInstant(options.start);
    if (startMs === undefined) {
      throw new InvalidForecastOptionsError(`start "${options.start}" is not an ISO-8601 instant with a zone`);
    }
  }
  return { horizonHours, quantiles, lookbackWeeks, startMs };
}
