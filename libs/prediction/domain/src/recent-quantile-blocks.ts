import { METRICS, type Metric } from '@clonecast/contracts';
import { hourOfDayOf } from './hour-of-week-sample';
import type { HourlySeries } from './hourly-series';
import { HOURS_PER_DAY, HOURS_PER_WEEK } from './instant';

/**
 * The three quantile blocks featureSpec v3 appends to v2 (FEATURES-v3.md), in column order:
 * `hd7` same UTC hour of day ±1 h over the week before the origin (per step), `l24` every value of the 24 h
 * before the origin, `l168` every value of the 168 h before the origin (both the same for every step).
 */
export const RECENT_BLOCKS = ['hd7', 'l24', 'l168'] as const;

/** Values an hour of day has in the last week, at most: the room each hour gets in the hd7 buckets. */
const DAYS_PER_WEEK = HOURS_PER_WEEK / HOURS_PER_DAY;

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
  const from168 = Math.max(0, originIndex - HOURS_PER_WEEK);
  const from24 = Math.max(0, originIndex - HOURS_PER_DAY);
  const startHourOfDay = hourOfDayOf(history.start);
  const originHourOfDay = hourOfDayOf(origin);
  const { sample, merged, byHour, inHour, week, weekRuns, hd7, last24, last168, cold } = scratchOf(q);
  // every block of every metric has a sample (or the metric is cold): no row takes its hw values, so a row's
  // block columns depend only on its hour of day and repeat every 24 rows
  let daily = true;

  for (let mi = 0; mi < METRICS.length; mi++) {
    const raw = history.values[METRICS[mi] as Metric];
    const end = Math.min(usable, raw.length);
    cold[mi] = hasFinite(raw, 0, end) ? 0 : 1;
    if (cold[mi] === 1) continue;
    const s = scale[METRICS[mi] as Metric];
    blockQuantiles(sample, sortedFinite(raw, from24, end, sample), quantiles, s, last24, mi * q);

    // hd7: the finite values of the last week by UTC hour of day, then per hour of day the pool of it and
    // its two neighbours (circular distance <= 1).
    inHour.fill(0);
    for (let i = from168; i < end; i++) {
      const value = raw[i] as number;
      if (!Number.isFinite(value)) continue;
      const hour = (startHourOfDay + i) % HOURS_PER_DAY;
      byHour[hour * DAYS_PER_WEEK + (inHour[hour] as number)] = value;
      inHour[hour] = (inHour[hour] as number) + 1;
    }
    // Each hour's values (at most 7) sorted once, then each pool merged from its three sorted hours: the
    // same multiset as inserting all 21 one by one, so the same sorted sample, in a fraction of the moves.
    for (let hour = 0; hour < HOURS_PER_DAY; hour++) {
      const from = hour * DAYS_PER_WEEK;
      const count = inHour[hour] as number;
      for (let k = 1; k < count; k++) insertSorted(byHour, from, from + k, byHour[from + k] as number);
    }
    // The pools of hours 1, 4, …, 22 hold every value of the week once (hours 0–2, 3–5, …): kept as the l168
    // sample's sorted runs, which merged pairwise give the same sorted sample as sorting the week did (the
    // typed-array sort of 168 values took ~7 µs, a tenth of a forecast's features).
    let weekEnd = 0;
    let run = 0;
    for (let hour = 0; hour < HOURS_PER_DAY; hour++) {
      // ±1 h: the hour before, the hour, the hour after (circular)
      const before = (hour + HOURS_PER_DAY - 1) % HOURS_PER_DAY;
      const after = (hour + 1) % HOURS_PER_DAY;
      const pair = mergeSorted(byHour, before * DAYS_PER_WEEK, inHour[before] as number, byHour, hour * DAYS_PER_WEEK, inHour[hour] as number, merged, 0);
      const n = mergeSorted(merged, 0, pair, byHour, after * DAYS_PER_WEEK, inHour[after] as number, sample, 0);
      blockQuantiles(sample, n, quantiles, s, hd7, (mi * HOURS_PER_DAY + hour) * q);
      if (n === 0) daily = false;
      if (hour % 3 === 1) {
        for (let k = 0; k < n; k++) week[weekEnd + k] = sample[k] as number;
        weekEnd += n;
        weekRuns[++run] = weekEnd;
      }
    }
    blockQuantiles(mergeRuns(week, merged, weekRuns), weekEnd, quantiles, s, last168, mi * q);
    if (Number.isNaN(last24[mi * q] as number) || Number.isNaN(last168[mi * q] as number)) daily = false;
  }

  // rows 24 on of a daily layout are copies of the row a day before (one copy of the 3·4·q columns each)
  const written = daily ? Math.min(horizonHours, HOURS_PER_DAY) : horizonHours;
  for (let h = 0; h < written; h++) {
    const row = h * stride;
    const hour = (originHourOfDay + h) % HOURS_PER_DAY;
    for (let mi = 0; mi < METRICS.length; mi++) {
      const hd7Column = row + firstColumn + mi * q;
      const l24Column = hd7Column + blockStride;
      const l168Column = l24Column + blockStride;
      if (cold[mi] === 1) {
        rows.fill(1, hd7Column, hd7Column + q);
        rows.fill(1, l24Column, l24Column + q);
        rows.fill(1, l168Column, l168Column + q);
        continue;
      }
      const hw = row + hwColumn + mi * q;
      writeBlock(rows, hd7Column, hd7, (mi * HOURS_PER_DAY + hour) * q, q, hw);
      writeBlock(rows, l24Column, last24, mi * q, q, hw);
      writeBlock(rows, l168Column, last168, mi * q, q, hw);
    }
  }
  const width = RECENT_BLOCKS.length * blockStride;
  for (let h = written; h < horizonHours; h++) {
    const from = (h - HOURS_PER_DAY) * stride + firstColumn;
    rows.copyWithin(h * stride + firstColumn, from, from + width);
  }
}

/**
 * writeRecentQuantileBlocks' scratch, kept from call to call (it holds nothing between them; every value is
 * written before it is read): a fresh typed array of these sizes cost ~0.4-2.5 µs, nine of them per forecast.
 * A sorted sample and its values per hour of day; then the three blocks' quantiles per metric (at mi·24·q and
 * mi·q; hd7: one row of q per hour of day; NaN in the first slot = empty sample) and which metrics are cold.
 */
interface Scratch {
  readonly q: number;
  readonly sample: Float64Array;
  readonly merged: Float64Array;
  readonly byHour: Float64Array;
  readonly inHour: Int32Array;
  /** The week's values as sorted runs: run r is week[weekRuns[r], weekRuns[r + 1]) (weekRuns[0] stays 0). */
  readonly week: Float64Array;
  readonly weekRuns: Int32Array;
  readonly hd7: Float64Array;
  readonly last24: Float64Array;
  readonly last168: Float64Array;
  readonly cold: Uint8Array;
}

let scratch: Scratch | undefined;

function scratchOf(q: number): Scratch {
  if (scratch?.q !== q) {
    scratch = {
      q,
      sample: new Float64Array(HOURS_PER_WEEK),
      merged: new Float64Array(HOURS_PER_WEEK),
      byHour: new Float64Array(HOURS_PER_DAY * DAYS_PER_WEEK),
      inHour: new Int32Array(HOURS_PER_DAY),
      week: new Float64Array(HOURS_PER_WEEK),
      weekRuns: new Int32Array(HOURS_PER_DAY / 3 + 1),
      hd7: new Float64Array(METRICS.length * HOURS_PER_DAY * q),
      last24: new Float64Array(METRICS.length * q),
      last168: new Float64Array(METRICS.length * q),
      cold: new Uint8Array(METRICS.length),
    };
  }
  return scratch;
}

/** Writes q quantiles from block[at..] to rows[to..], or the row's hw values (at `hw`) when the block is empty (NaN). */
function writeBlock(rows: Float32Array, to: number, block: Float64Array, at: number, q: number, hw: number): void {
  if (Number.isNaN(block[at] as number)) {
    for (let k = 0; k < q; k++) rows[to + k] = rows[hw + k] as number;
  } else {
    for (let k = 0; k < q; k++) rows[to + k] = block[at + k] as number;
  }
}

function hasFinite(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (Number.isFinite(values[i] as number)) return true;
  return false;
}

/** Sorts the finite values of values[from, to) into `into` (ascending); returns how many there are. */
function sortedFinite(values: Float64Array, from: number, to: number, into: Float64Array): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const value = values[i] as number;
    if (Number.isFinite(value)) into[n++] = value;
  }
  into.subarray(0, n).sort();
  return n;
}

/**
 * Merges the adjacent ascending runs of `a` (run r is a[runs[r], runs[r + 1])) pairwise, level by level,
 * alternating between a and b as source and target; returns the one holding the merged a[runs[0], runs[last]).
 */
function mergeRuns(a: Float64Array, b: Float64Array, runs: Int32Array): Float64Array {
  const count = runs.length - 1;
  let from = a;
  let to = b;
  for (let width = 1; width < count; width *= 2) {
    for (let r = 0; r < count; r += 2 * width) {
      const start = runs[r] as number;
      const middle = runs[Math.min(r + width, count)] as number;
      const end = runs[Math.min(r + 2 * width, count)] as number;
      mergeSorted(from, start, middle - start, from, middle, end - middle, to, start);
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Inserts value into the ascending sorted[from, end), making it sorted[from, end + 1). */
function insertSorted(sorted: Float64Array, from: number, end: number, value: number): void {
  let i = end;
  while (i > from && (sorted[i - 1] as number) > value) {
    sorted[i] = sorted[i - 1] as number;
    i--;
  }
  sorted[i] = value;
}

/** Merges the ascending a[aFrom, aFrom + aN) and b[bFrom, bFrom + bN) into out[at..]; returns aN + bN. */
function mergeSorted(a: Float64Array, aFrom: number, aN: number, b: Float64Array, bFrom: number, bN: number, out: Float64Array, at: number): number {
  let i = aFrom;
  let j = bFrom;
  const aEnd = aFrom + aN;
  const bEnd = bFrom + bN;
  let o = at;
  while (i < aEnd && j < bEnd) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (y < x) {
      out[o++] = y;
      j++;
    } else {
      out[o++] = x;
      i++;
    }
  }
  while (i < aEnd) out[o++] = a[i++] as number;
  while (j < bEnd) out[o++] = b[j++] as number;
  return aN + bN;
}

/**
 * Type-7 quantiles of the ascending sorted[0, n) (as HourOfWeekSampler: clamped at 0 and non-decreasing),
 * divided by s, written to out[at..]; an empty sample writes NaN to out[at] (the caller's "empty" mark).
 */
function blockQuantiles(sorted: Float64Array, n: number, quantiles: readonly number[], s: number, out: Float64Array, at: number): void {
  if (n === 0) {
    out[at] = Number.NaN;
    return;
  }
  const last = n - 1;
  let floor = 0;
  for (let k = 0; k < quantiles.length; k++) {
    const position = last * (quantiles[k] as number);
    const lower = Math.floor(position);
    const low = sorted[lower] as number;
    const value = lower >= last ? low : low + (position - lower) * ((sorted[lower + 1] as number) - low);
    if (value > floor) floor = value;
    out[at + k] = floor / s;
  }
}
