import { METRICS, type Metric } from '@clonecast/contracts';
import { hourOfDayOf } from './hour-of-week-sample';
import type { HourlySeries } from './hourly-series';
import { HOURS_PER_DAY, HOURS_PER_WEEK, MS_PER_HOUR } from './instant';

/**
 * The three quantile blocks featureSpec v3 appends to v2 (FEATURES-v3.md), in column order:
 * `hd7` same UTC hour of day ±1 h over the week before the origin (per step), `l24` every value of the 24 h
 * before the origin, `l168` every value of the 168 h before the origin (both the same for every step).
 */
export const RECENT_BLOCKS = ['hd7', 'l24', 'l168'] as const;

const HOUR_OF_DAY_HALF_WIDTH = 1;

export interface RecentBlocksInput {
  readonly history: HourlySeries;
  readonly origin: number;
  readonly horizonHours: number;
  /** Hour offset of the origin from the series start (an integer; may be negative or beyond the history). */
  readonly originIndex: number;
  readonly scale: Readonly<Record<Metric, number>>;
}

/**
 * Writes the v3 block columns of every row: for block b, metric m, quantile k the column
 * `firstColumn + (b·4 + m)·q + k`. Each is the type-7 quantile of the block's finite values, never negative,
 * never below the previous quantile, divided by s_m; a block without a finite value takes the row's `hw_{m}_*`
 * values (at `hwColumn + m·q`, already written), and a metric without any finite value before the origin gets
 * 1.0 (the hw cold-start value).
 */
export function writeRecentQuantileBlocks(
  rows: Float32Array,
  stride: number,
  firstColumn: number,
  hwColumn: number,
  quantiles: readonly number[],
  { history, origin, horizonHours, originIndex, scale }: RecentBlocksInput,
): void {
  const q = quantiles.length;
  const usable = Math.max(0, Math.min(history.length, originIndex));
  const blockStride = METRICS.length * q;
  METRICS.forEach((metric, mi) => {
    const raw = history.values[metric];
    const end = Math.min(usable, raw.length);
    const columns = RECENT_BLOCKS.map((_, b) => firstColumn + b * blockStride + mi * q);
    const hw = hwColumn + mi * q;
    if (!hasFinite(raw, 0, end)) {
      for (let h = 0; h < horizonHours; h++) {
        for (const column of columns) rows.fill(1, h * stride + column, h * stride + column + q);
      }
      return;
    }
    const s = scale[metric];
    const from168 = Math.max(0, originIndex - HOURS_PER_WEEK);
    const last24 = blockQuantiles(sortedFinite(raw, Math.max(0, originIndex - HOURS_PER_DAY), end), quantiles, s);
    const last168 = blockQuantiles(sortedFinite(raw, from168, end), quantiles, s);
    const byHourOfDay = new Array<Float64Array | null | undefined>(HOURS_PER_DAY);
    const startHourOfDay = hourOfDayOf(history.start);
    for (let h = 0; h < horizonHours; h++) {
      const row = h * stride;
      const hourOfDay = hourOfDayOf(origin + h * MS_PER_HOUR);
      let sameHour = byHourOfDay[hourOfDay];
      if (sameHour === undefined) {
        const pool: number[] = [];
        for (let i = from168; i < end; i++) {
          const value = raw[i] as number;
          if (!Number.isFinite(value)) continue;
          const distance = Math.abs(((startHourOfDay + i) % HOURS_PER_DAY) - hourOfDay);
          if (Math.min(distance, HOURS_PER_DAY - distance) <= HOUR_OF_DAY_HALF_WIDTH) pool.push(value);
        }
        sameHour = blockQuantiles(Float64Array.from(pool).sort(), quantiles, s);
        byHourOfDay[hourOfDay] = sameHour;
      }
      [sameHour, last24, last168].forEach((block, b) => {
        const at = row + (columns[b] as number);
        if (block === null) rows.copyWithin(at, row + hw, row + hw + q);
        else rows.set(block, at);
      });
    }
  });
}

function hasFinite(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (Number.isFinite(values[i] as number)) return true;
  return false;
}

/** The finite values of values[from, to), sorted ascending. */
function sortedFinite(values: Float64Array, from: number, to: number): Float64Array {
  const pool: number[] = [];
  for (let i = from; i < to; i++) {
    const value = values[i] as number;
    if (Number.isFinite(value)) pool.push(value);
  }
  return Float64Array.from(pool).sort();
}

/**
 * Type-7 quantiles of a sorted sample (as HourOfWeekSampler: clamped at 0 and non-decreasing), divided by s;
 * null for an empty sample.
 */
function blockQuantiles(sorted: Float64Array, quantiles: readonly number[], s: number): Float64Array | null {
  const n = sorted.length;
  if (n === 0) return null;
  const out = new Float64Array(quantiles.length);
  const last = n - 1;
  let floor = 0;
  for (let k = 0; k < quantiles.length; k++) {
    const position = last * (quantiles[k] as number);
    const lower = Math.floor(position);
    const low = sorted[lower] as number;
    const value = lower >= last ? low : low + (position - lower) * ((sorted[lower + 1] as number) - low);
    if (value > floor) floor = value;
    out[k] = floor / s;
  }
  return out;
}
