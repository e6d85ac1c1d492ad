import { HOURS_PER_DAY, HOURS_PER_WEEK, MS_PER_HOUR } from './instant';

/** Hours either side of the same hour of week (and of day, in the fallback) that count as "the same time". */
const WINDOW_HALF_WIDTH_HOURS = 1;

/**
 * The hour-of-week baseline's sample for one metric, shared by the baseline forecaster and the model's
 * `hw_*` features (FEATURES-v2.md): for a step, the finite values at the same hour of week ±1 h in the
 * `lookbackWeeks` weeks before it; when none, every value at the same UTC hour of day ±1 h; when none,
 * every value. Only the first `usableHours` hours of the series (those before the forecast start) count.
 * A step more than a week after the data end is moved back by whole weeks, keeping its hour of week.
 *
 * Allocation-free per step: the hour-of-week window (≤ 3·lookbackWeeks values) is insertion-sorted into a
 * scratch array, and the two fallback pools are sorted once, on first use, and cached.
 */
export class HourOfWeekSampler {
  private readonly window: Float64Array;
  private readonly byHourOfDay: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(HOURS_PER_DAY);
  private sortedAll: Float64Array | undefined;
  private readonly startHourOfDay: number;
  private readonly finiteCount: number;
  /** quantilesAt's positions (see `positions`), for the probabilities `positionsOf` and a sample of `positionsCount`. */
  private lowers = new Int32Array(0);
  private fractions = new Float64Array(0);
  private positionsOf: ArrayLike<number> | undefined;
  private positionsCount = -1;

  constructor(
    private readonly values: Float64Array,
    /** Epoch ms of values[0], a whole UTC hour. */
    private readonly seriesStart: number,
    /** Hours of `values` that may be drawn from; more than values.length reads as gaps. */
    private readonly usableHours: number,
    private readonly lookbackWeeks: number,
  ) {
    this.window = new Float64Array(lookbackWeeks * (2 * WINDOW_HALF_WIDTH_HOURS + 1));
    this.startHourOfDay = hourOfDayOf(seriesStart);
    const end = Math.min(usableHours, values.length);
    let finite = 0;
    for (let h = 0; h < end; h++) if (Number.isFinite(values[h] as number)) finite++;
    this.finiteCount = finite;
  }

  /** False when no usable hour has a value: the baseline has no history to draw from (NoHistory). */
  get hasHistory(): boolean {
    return this.finiteCount > 0;
  }

  /**
   * Writes the sample's type-7 quantiles for the step at `stepHour` (a whole hour; a step more than a week
   * after the data end is first moved back by whole weeks), for probabilities `ascending` (sorted ascending), into out[offset + k], each at least 0
   * and at least the previous one. The caller checks `hasHistory` first: without history nothing is written.
   */
  quantilesAt(stepHour: number, ascending: ArrayLike<number>, out: Float64Array, offset: number): void {
    if (!this.hasHistory) return;
    // Index arithmetic from here on: hour offsets from the series start, small integers; dataEnd is index
    // usableHours, and `beyond` whole weeks after it move the step back by that many weeks.
    const stepIndex = (stepHour - this.seriesStart) / MS_PER_HOUR;
    const beyond = stepIndex - this.usableHours;
    const index = beyond < 0 ? stepIndex : stepIndex - Math.floor(beyond / HOURS_PER_WEEK) * HOURS_PER_WEEK;
    let sample = this.window;
    let n = this.sameHourOfWeek(index);
    if (n === 0) {
      sample = this.sameHourOfDay(this.seriesStart + index * MS_PER_HOUR);
      n = sample.length;
      if (n === 0) {
        sample = this.all();
        n = sample.length;
      }
    }
    if (ascending !== this.positionsOf || n !== this.positionsCount) this.positions(ascending, n);
    const lowers = this.lowers;
    const fractions = this.fractions;
    let floor = 0;
    const last = n - 1;
    for (let k = 0; k < ascending.length; k++) {
      // type 7, as quantileOfSorted; never negative, never below the previous quantile (guards 1-ulp crossings)
      const lower = lowers[k] as number;
      const low = sample[lower] as number;
      const value = lower >= last ? low : low + (fractions[k] as number) * ((sample[lower + 1] as number) - low);
      if (value > floor) floor = value;
      out[offset + k] = floor;
    }
  }

  /**
   * Type-7 positions of `ascending` in a sorted sample of n values, split into floor and fraction: the same
   * for every step whose window is full, so computed when the probabilities or n change, not per step.
   */
  private positions(ascending: ArrayLike<number>, n: number): void {
    if (this.lowers.length !== ascending.length) {
      this.lowers = new Int32Array(ascending.length);
      this.fractions = new Float64Array(ascending.length);
    }
    const last = n - 1;
    for (let k = 0; k < ascending.length; k++) {
      const position = last * (ascending[k] as number);
      const lower = Math.floor(position);
      this.lowers[k] = lower;
      this.fractions[k] = position - lower;
    }
    this.positionsOf = ascending;
    this.positionsCount = n;
  }

  /** Insertion-sorts the finite values at index − w weeks ± 1 h (w = 1..lookbackWeeks) into `window`; their count. */
  private sameHourOfWeek(index: number): number {
    const window = this.window;
    const values = this.values;
    const end = Math.min(this.usableHours, values.length);
    let n = 0;
    for (let week = 1; week <= this.lookbackWeeks; week++) {
      const centre = index - week * HOURS_PER_WEEK;
      const from = Math.max(0, centre - WINDOW_HALF_WIDTH_HOURS);
      const to = Math.min(end, centre + WINDOW_HALF_WIDTH_HOURS + 1);
      for (let i = from; i < to; i++) {
        const value = values[i] as number;
        if (!Number.isFinite(value)) continue;
        let j = n++;
        while (j > 0 && (window[j - 1] as number) > value) {
          window[j] = window[j - 1] as number;
          j--;
        }
        window[j] = value;
      }
    }
    return n;
  }

  /** Sorted values at the same UTC hour of day ± 1 h anywhere in the usable history (possibly empty). */
  private sameHourOfDay(hour: number): Float64Array {
    const hourOfDay = hourOfDayOf(hour);
    let pool = this.byHourOfDay[hourOfDay];
    if (pool === undefined) {
      const collected: number[] = [];
      const end = Math.min(this.usableHours, this.values.length);
      for (let h = 0; h < end; h++) {
        const distance = Math.abs(((this.startHourOfDay + h) % HOURS_PER_DAY) - hourOfDay);
        if (Math.min(distance, HOURS_PER_DAY - distance) > WINDOW_HALF_WIDTH_HOURS) continue;
        const value = this.values[h] as number;
        if (Number.isFinite(value)) collected.push(value);
      }
      pool = Float64Array.from(collected).sort();
      this.byHourOfDay[hourOfDay] = pool;
    }
    return pool;
  }

  /** Every usable value, sorted (non-empty when hasHistory). */
  private all(): Float64Array {
    if (this.sortedAll === undefined) {
      const end = Math.min(this.usableHours, this.values.length);
      const pool = new Float64Array(this.finiteCount);
      let n = 0;
      for (let h = 0; h < end; h++) {
        const value = this.values[h] as number;
        if (Number.isFinite(value)) pool[n++] = value;
      }
      this.sortedAll = pool.sort();
    }
    return this.sortedAll;
  }

}

/** UTC hour of day of an instant (epoch ms), also before 1970. */
export function hourOfDayOf(ms: number): number {
  const hours = Math.floor(ms / MS_PER_HOUR);
  return ((hours % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
}
