import { METRICS, type DemandForecast, type Metric, type UsageSample } from '@clonecast/contracts';
import { InvalidForecastOptionsError, NoHistoryError } from './errors';
import { resampleHourly, type HourlySeries } from './hourly-series';
import {
  floorToHour,
  HOURS_PER_DAY,
  HOURS_PER_WEEK,
  MS_PER_HOUR,
  parseIsoInstant,
  toIso,
} from './instant';
import { quantile, sortedAscending } from './quantile';

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

/** Hours either side of the same hour of week (and of day, in the fallback) that count as "the same time". */
const WINDOW_HALF_WIDTH_HOURS = 1;

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
  const { horizonHours, quantiles, lookbackWeeks, startMs: explicitStart } = validatedOptions(options);
  const series = resampleHourly(history);
  const startMs = explicitStart ?? hourAfterLastRow(history);
  const usableHours = Math.max(0, Math.min(series.length, Math.floor((startMs - series.start) / MS_PER_HOUR)));

  // Quantiles are computed in ascending order so that each can be kept at or above the previous one.
  const ascending = [...quantiles].sort((a, b) => a - b);
  const timestamps = Array.from({ length: horizonHours }, (_, step) => toIso(startMs + step * MS_PER_HOUR));
  const metrics = {} as DemandForecast['metrics'];

  const dataEnd = series.start + usableHours * MS_PER_HOUR;
  const weekMs = HOURS_PER_WEEK * MS_PER_HOUR;
  const lookupHour = (stepHour: number) => stepHour - Math.max(0, Math.floor((stepHour - dataEnd) / weekMs)) * weekMs;

  for (const metric of METRICS) {
    const pool = new HistoryPool(series, metric, usableHours, startMs);
    const bySeries: Record<string, number[]> = Object.fromEntries(ascending.map((q) => [String(q), []]));
    for (let step = 0; step < horizonHours; step++) {
      const stepHour = lookupHour(floorToHour(startMs + step * MS_PER_HOUR));
      const sample = pool.sameHourOfWeek(stepHour, lookbackWeeks) ?? pool.sameHourOfDay(stepHour) ?? pool.all();
      let floor = 0;
      for (const q of ascending) {
        // Never negative, never below the previous quantile (guards against 1-ulp interpolation crossings).
        floor = Math.max(floor, quantile(sample, q));
        (bySeries[String(q)] as number[]).push(floor);
      }
    }
    metrics[metric] = bySeries;
  }

  return {
    modelVersion: BASELINE_MODEL_VERSION,
    stepMinutes: 60,
    start: toIso(startMs),
    timestamps,
    quantiles: [...quantiles],
    metrics,
  };
}

/** The hourly values of one metric before the forecast start, with the three windows the forecaster draws from. */
class HistoryPool {
  private readonly byHourOfDay = new Map<number, number[]>();
  private sortedAll: number[] | undefined;

  constructor(
    private readonly series: HourlySeries,
    private readonly metric: Metric,
    private readonly usableHours: number,
    private readonly startMs: number,
  ) {}

  /** Sorted values at stepHour - w weeks ± 1 h for w = 1..lookbackWeeks, or undefined if none. */
  sameHourOfWeek(stepHour: number, lookbackWeeks: number): number[] | undefined {
    const values: number[] = [];
    for (let week = 1; week <= lookbackWeeks; week++) {
      const centre = stepHour - week * HOURS_PER_WEEK * MS_PER_HOUR;
      for (let offset = -WINDOW_HALF_WIDTH_HOURS; offset <= WINDOW_HALF_WIDTH_HOURS; offset++) {
        const value = this.valueAt(centre + offset * MS_PER_HOUR);
        if (value !== undefined) values.push(value);
      }
    }
    return values.length > 0 ? sortedAscending(values) : undefined;
  }

  /** Sorted values at the same UTC hour of day ± 1 h anywhere before the start, or undefined if none. */
  sameHourOfDay(stepHour: number): number[] | undefined {
    const hourOfDay = hourOfDayOf(stepHour);
    let values = this.byHourOfDay.get(hourOfDay);
    if (values === undefined) {
      const collected: number[] = [];
      for (let h = 0; h < this.usableHours; h++) {
        const distance = Math.abs(hourOfDayOf(this.series.start + h * MS_PER_HOUR) - hourOfDay);
        if (Math.min(distance, HOURS_PER_DAY - distance) > WINDOW_HALF_WIDTH_HOURS) continue;
        const value = this.series.values[this.metric][h] as number;
        if (!Number.isNaN(value)) collected.push(value);
      }
      values = sortedAscending(collected);
      this.byHourOfDay.set(hourOfDay, values);
    }
    return values.length > 0 ? values : undefined;
  }

  /** Every value before the start, sorted. */
  all(): number[] {
    if (this.sortedAll === undefined) {
      const values = Array.from(this.series.values[this.metric].subarray(0, this.usableHours));
      this.sortedAll = sortedAscending(values.filter((value) => !Number.isNaN(value)));
    }
    if (this.sortedAll.length === 0) {
      throw new NoHistoryError(`no ${this.metric} usage recorded before the forecast start ${toIso(this.startMs)}`);
    }
    return this.sortedAll;
  }

  private valueAt(hourStart: number): number | undefined {
    const h = (hourStart - this.series.start) / MS_PER_HOUR;
    if (h < 0 || h >= this.usableHours) return undefined;
    const value = this.series.values[this.metric][h] as number;
    return Number.isNaN(value) ? undefined : value;
  }
}

function hourOfDayOf(ms: number): number {
  const hours = Math.floor(ms / MS_PER_HOUR);
  return ((hours % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
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
