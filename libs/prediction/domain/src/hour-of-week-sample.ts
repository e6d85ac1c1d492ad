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
  /** Whether some usable hour has a value. */
  private readonly anyFinite: boolean;

  constructor(
    private readonly values: Float64Array,
    /** Epoch ms of values[0], a whole UTC hour. */
    private readonly seriesStart: number,
    /** Hours of `values` that may be drawn from; more than values.length reads as gaps. */
    private readonly usableHours: number,
    private readonly lookbackWeeks: number,
  ) {
    this.window = windowScratch(lookbackWeeks * (2 * WINDOW_HALF_WIDTH_HOURS + 1));
    this.startHourOfDay = hourOfDayOf(seriesStart);
    const end = Math.min(usableHours, values.length);
    let h = 0;
    while (h < end && !Number.isFinite(values[h] as number)) h++;
    this.anyFinite = h < end;
  }

  /** False when no usable hour has a value: the baseline has no history to draw from (NoHistory). */
  get hasHistory(): boolean {
    return this.anyFinite;
  }

  /**
   * Writes the sample's type-7 quantiles for the step at `stepHour` (a whole hour; a step more than a week
   * after the data end is first moved back by whole weeks), for probabilities `ascending` (sorted ascending), into out[offset + k], each at least 0
   * and at least the previous one. The caller checks `hasHistory` first: without history nothing is written.
   */
  quantilesAt(stepHour: number, ascending: ArrayLike<number>, out: Float64Array, offset: number): void {
    if (!this.hasHistory) return;
    const index = this.sampleIndex((stepHour - this.seriesStart) / MS_PER_HOUR);
    let sample = this.fullWindow(index);
    let n = sample === undefined ? 0 : sample.length;
    if (sample === undefined) {
      sample = this.window;
      n = this.sameHourOfWeek(index);
    }
    if (n === 0) {
      sample = this.sameHourOfDay(this.seriesStart + index * MS_PER_HOUR);
      n = sample.length;
      if (n === 0) {
        sample = this.all();
        n = sample.length;
      }
    }
    const { lowers, fractions } = positionsOf(ascending, n, stepPositions);
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
   * The hour whose sample serves the step at `stepIndex`. Index arithmetic: hour offsets from the series start,
   * small integers; dataEnd is index usableHours, and `beyond` whole weeks after it move the step back by that many
   * weeks (a step less than a week after the data end, a forecast's usual steps, stays where it is).
   */
  private sampleIndex(stepIndex: number): number {
    const beyond = stepIndex - this.usableHours;
    return beyond < HOURS_PER_WEEK ? stepIndex : stepIndex - Math.floor(beyond / HOURS_PER_WEEK) * HOURS_PER_WEEK;
  }

  /**
   * quantilesAt for the `count` consecutive hours from `firstStep`, each value divided by `scale` and written to
   * out[at + h·stride + k] (the model's `hw_*` columns): the same values to the bit. One call per metric instead
   * of one per step, and a full window's values go straight from the sorted window to `out` with positions
   * computed once: the per-step call, its copy and its position check were half the cost of these columns.
   * `scratch` (at least ascending.length values) serves the steps whose window is not full.
   *
   * Full windows (see fullWindow) are sorted by rank as there, but a step's window shares two thirds of the
   * previous step's: it is three "quads", the values at the same hour 4, 3, 2 and 1 weeks back for the hours
   * index − 1 (p), index (c) and index + 1 (n), and the next step's window drops p and adds the quad of index + 2.
   * So the ranks are kept per quad (among its own values) and per pair of quads (how many of the other's values
   * precede each value), and a step compares only its new quad: 6 + 16 + 16 comparisons instead of 66. Ties go
   * to the earlier quad, then the earlier week, so every rank is used once, and the sorted sample is the same
   * multiset as fullWindow's (0 and -0 may swap, which the quantiles cannot tell apart).
   */
  writeScaledQuantiles(
    firstStep: number,
    count: number,
    ascending: ArrayLike<number>,
    scale: number,
    out: Float32Array,
    at: number,
    stride: number,
    scratch: Float64Array,
  ): void {
    if (!this.hasHistory) return;
    const q = ascending.length;
    const window = this.window;
    const full = window.length;
    // its own positions, which the steps that go through quantilesAt leave as they are
    const { lowers, fractions } = positionsOf(ascending, full, fullWindowPositions);
    const last = full - 1;
    const firstIndex = (firstStep - this.seriesStart) / MS_PER_HOUR;
    const values = this.values;
    const end = Math.min(this.usableHours, values.length);
    // quads are of four weeks (WINDOW_HALF_WIDTH_HOURS is 1): with another lookback every step goes through quantilesAt
    const quads = this.lookbackWeeks === 4;
    // The index whose window the quads below hold (NaN: none). Ranks are 4-bit fields, value k of a quad at bits
    // 4k: pIn, cIn, nIn within each quad; pc, pn, cn across two, the earlier quad's fields in the low 16 bits and
    // the later one's above. A value's rank in the window is the sum of its three fields (at most 3 + 4 + 4).
    let held = Number.NaN;
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0, n0 = 0, n1 = 0, n2 = 0, n3 = 0;
    let pIn = 0, cIn = 0, nIn = 0, pc = 0, pn = 0, cn = 0;
    for (let h = 0; h < count; h++) {
      const row = at + h * stride;
      const index = this.sampleIndex(firstIndex + h);
      // Quads j from index − 1 (or only index + 1, when the window of index − 1 is held) to index + 1 move in as
      // n, each compared with the c and n before it; the loop stops early at a quad that is not full.
      let j = index === held + 1 ? index + 1 : index - 1;
      for (; quads && j <= index + 1; j++) {
        const first = j - 4 * HOURS_PER_WEEK;
        if (first < 0 || j - HOURS_PER_WEEK >= end) break;
        const x0 = values[first] as number;
        const x1 = values[first + HOURS_PER_WEEK] as number;
        const x2 = values[first + 2 * HOURS_PER_WEEK] as number;
        const x3 = values[first + 3 * HOURS_PER_WEEK] as number;
        // a gap (NaN) would compare false with everything; a sum that overflows only sends the step to quantilesAt
        if (!Number.isFinite(x0 + x1 + x2 + x3)) break;
        // within x, as in fullWindow: value k starts ranked above the later ones (3 − k), a pair (i, k), i < k,
        // with x_i <= x_k moves that 1 from x_i's field to x_k's
        let xIn = 0x0123;
        xIn = (xIn + Number(x0 <= x1) * (0x10 - 0x1)) | 0;
        xIn = (xIn + Number(x0 <= x2) * (0x100 - 0x1)) | 0;
        xIn = (xIn + Number(x0 <= x3) * (0x1000 - 0x1)) | 0;
        xIn = (xIn + Number(x1 <= x2) * (0x100 - 0x10)) | 0;
        xIn = (xIn + Number(x1 <= x3) * (0x1000 - 0x10)) | 0;
        xIn = (xIn + Number(x2 <= x3) * (0x1000 - 0x100)) | 0;
        // c and n against x: each of their values starts with all four of x before it, and one that is <= a value
        // of x gives that 1 to the x value instead. Written out for c and for n: one function for both (8 number
        // arguments) measured ~7 % slower end to end (2026-11-28, in-process A/B, batch 64)
        let cx = 0x4444;
        cx = (cx + Number(c0 <= x0) * (0x10000 - 0x1)) | 0;
        cx = (cx + Number(c0 <= x1) * (0x100000 - 0x1)) | 0;
        cx = (cx + Number(c0 <= x2) * (0x1000000 - 0x1)) | 0;
        cx = (cx + Number(c0 <= x3) * (0x10000000 - 0x1)) | 0;
        cx = (cx + Number(c1 <= x0) * (0x10000 - 0x10)) | 0;
        cx = (cx + Number(c1 <= x1) * (0x100000 - 0x10)) | 0;
        cx = (cx + Number(c1 <= x2) * (0x1000000 - 0x10)) | 0;
        cx = (cx + Number(c1 <= x3) * (0x10000000 - 0x10)) | 0;
        cx = (cx + Number(c2 <= x0) * (0x10000 - 0x100)) | 0;
        cx = (cx + Number(c2 <= x1) * (0x100000 - 0x100)) | 0;
        cx = (cx + Number(c2 <= x2) * (0x1000000 - 0x100)) | 0;
        cx = (cx + Number(c2 <= x3) * (0x10000000 - 0x100)) | 0;
        cx = (cx + Number(c3 <= x0) * (0x10000 - 0x1000)) | 0;
        cx = (cx + Number(c3 <= x1) * (0x100000 - 0x1000)) | 0;
        cx = (cx + Number(c3 <= x2) * (0x1000000 - 0x1000)) | 0;
        cx = (cx + Number(c3 <= x3) * (0x10000000 - 0x1000)) | 0;
        let nx = 0x4444;
        nx = (nx + Number(n0 <= x0) * (0x10000 - 0x1)) | 0;
        nx = (nx + Number(n0 <= x1) * (0x100000 - 0x1)) | 0;
        nx = (nx + Number(n0 <= x2) * (0x1000000 - 0x1)) | 0;
        nx = (nx + Number(n0 <= x3) * (0x10000000 - 0x1)) | 0;
        nx = (nx + Number(n1 <= x0) * (0x10000 - 0x10)) | 0;
        nx = (nx + Number(n1 <= x1) * (0x100000 - 0x10)) | 0;
        nx = (nx + Number(n1 <= x2) * (0x1000000 - 0x10)) | 0;
        nx = (nx + Number(n1 <= x3) * (0x10000000 - 0x10)) | 0;
        nx = (nx + Number(n2 <= x0) * (0x10000 - 0x100)) | 0;
        nx = (nx + Number(n2 <= x1) * (0x100000 - 0x100)) | 0;
        nx = (nx + Number(n2 <= x2) * (0x1000000 - 0x100)) | 0;
        nx = (nx + Number(n2 <= x3) * (0x10000000 - 0x100)) | 0;
        nx = (nx + Number(n3 <= x0) * (0x10000 - 0x1000)) | 0;
        nx = (nx + Number(n3 <= x1) * (0x100000 - 0x1000)) | 0;
        nx = (nx + Number(n3 <= x2) * (0x1000000 - 0x1000)) | 0;
        nx = (nx + Number(n3 <= x3) * (0x10000000 - 0x1000)) | 0;
        p0 = c0; p1 = c1; p2 = c2; p3 = c3;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        n0 = x0; n1 = x1; n2 = x2; n3 = x3;
        pIn = cIn; cIn = nIn; nIn = xIn;
        pc = cn; pn = cx; cn = nx;
      }
      if (j <= index + 1) {
        held = Number.NaN;
        this.quantilesAt(firstStep + h * MS_PER_HOUR, ascending, scratch, 0);
        for (let k = 0; k < q; k++) out[row + k] = (scratch[k] as number) / scale;
        continue;
      }
      held = index;
      const pRanks = pIn + (pc & 0xffff) + (pn & 0xffff);
      const cRanks = cIn + (pc >>> 16) + (cn & 0xffff);
      const nRanks = nIn + (pn >>> 16) + (cn >>> 16);
      window[pRanks & 15] = p0;
      window[(pRanks >>> 4) & 15] = p1;
      window[(pRanks >>> 8) & 15] = p2;
      window[pRanks >>> 12] = p3;
      window[cRanks & 15] = c0;
      window[(cRanks >>> 4) & 15] = c1;
      window[(cRanks >>> 8) & 15] = c2;
      window[cRanks >>> 12] = c3;
      window[nRanks & 15] = n0;
      window[(nRanks >>> 4) & 15] = n1;
      window[(nRanks >>> 8) & 15] = n2;
      window[nRanks >>> 12] = n3;
      let floor = 0;
      for (let k = 0; k < q; k++) {
        const lower = lowers[k] as number;
        const low = window[lower] as number;
        const value = lower >= last ? low : low + (fractions[k] as number) * ((window[lower + 1] as number) - low);
        if (value > floor) floor = value;
        out[row + k] = floor / scale;
      }
    }
  }

  /**
   * The usual step of the usual sampler: four weeks, and every hour of the window inside the usable history
   * with a value. Then each of the 12 values goes straight to its rank in the sorted sample, counted over
   * all 66 pairs in registers: each comparison becomes a 0 or 1 that is added, with no branch on the data.
   * The insertion sort branches on every comparison, mispredicted often on noisy data, and was most of a
   * step; this sorts 2-3 times faster (a whole step about 40 % faster). Ties go by position (the earlier
   * value ranks lower), so every rank is used once; the same multiset, so the same sorted sample (0 and -0
   * may swap, which quantilesAt cannot tell apart). Undefined (and sameHourOfWeek decides) otherwise.
   */
  private fullWindow(index: number): Float64Array | undefined {
    const values = this.values;
    const end = Math.min(this.usableHours, values.length);
    // the window's hours: index − w weeks + (−1, 0, 1) for w = 4..1 (WINDOW_HALF_WIDTH_HOURS is 1)
    const a = index - 4 * HOURS_PER_WEEK - 1;
    if (this.lookbackWeeks !== 4 || a < 0 || index - HOURS_PER_WEEK + 1 >= end) return undefined;
    const b = a + HOURS_PER_WEEK;
    const d = b + HOURS_PER_WEEK;
    const e = d + HOURS_PER_WEEK;
    const v0 = values[a] as number;
    const v1 = values[a + 1] as number;
    const v2 = values[a + 2] as number;
    const v3 = values[b] as number;
    const v4 = values[b + 1] as number;
    const v5 = values[b + 2] as number;
    const v6 = values[d] as number;
    const v7 = values[d + 1] as number;
    const v8 = values[d + 2] as number;
    const v9 = values[e] as number;
    const v10 = values[e + 1] as number;
    const v11 = values[e + 2] as number;
    // a gap (NaN) would compare false with everything; a sum that overflows only sends the step to sameHourOfWeek
    if (!Number.isFinite(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11)) return undefined;
    // Each value's rank is a 4-bit field: values 0-7 in `low` (value k at bits 4k), 8-11 in `high`. Every value
    // starts ranked above all later ones (value k at 11 - k: 0x456789ab, 0x123); a pair (j, i), j < i, with
    // v_j <= v_i then moves that 1 from v_j's field to v_i's. Two int32s instead of twelve counters, which next to
    // the twelve values did not fit in registers: ~25 % less per step. A field never leaves 0-11, so none carries.
    let low = 0x456789ab;
    let high = 0x123;
    let c: number;
    c = Number(v0 <= v1); low = (low + c * (0x10 - 0x1)) | 0;
    c = Number(v0 <= v2); low = (low + c * (0x100 - 0x1)) | 0;
    c = Number(v0 <= v3); low = (low + c * (0x1000 - 0x1)) | 0;
    c = Number(v0 <= v4); low = (low + c * (0x10000 - 0x1)) | 0;
    c = Number(v0 <= v5); low = (low + c * (0x100000 - 0x1)) | 0;
    c = Number(v0 <= v6); low = (low + c * (0x1000000 - 0x1)) | 0;
    c = Number(v0 <= v7); low = (low + c * (0x10000000 - 0x1)) | 0;
    c = Number(v0 <= v8); low = (low - c * 0x1) | 0; high = (high + c * 0x1) | 0;
    c = Number(v0 <= v9); low = (low - c * 0x1) | 0; high = (high + c * 0x10) | 0;
    c = Number(v0 <= v10); low = (low - c * 0x1) | 0; high = (high + c * 0x100) | 0;
    c = Number(v0 <= v11); low = (low - c * 0x1) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v1 <= v2); low = (low + c * (0x100 - 0x10)) | 0;
    c = Number(v1 <= v3); low = (low + c * (0x1000 - 0x10)) | 0;
    c = Number(v1 <= v4); low = (low + c * (0x10000 - 0x10)) | 0;
    c = Number(v1 <= v5); low = (low + c * (0x100000 - 0x10)) | 0;
    c = Number(v1 <= v6); low = (low + c * (0x1000000 - 0x10)) | 0;
    c = Number(v1 <= v7); low = (low + c * (0x10000000 - 0x10)) | 0;
    c = Number(v1 <= v8); low = (low - c * 0x10) | 0; high = (high + c * 0x1) | 0;
    c = Number(v1 <= v9); low = (low - c * 0x10) | 0; high = (high + c * 0x10) | 0;
    c = Number(v1 <= v10); low = (low - c * 0x10) | 0; high = (high + c * 0x100) | 0;
    c = Number(v1 <= v11); low = (low - c * 0x10) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v2 <= v3); low = (low + c * (0x1000 - 0x100)) | 0;
    c = Number(v2 <= v4); low = (low + c * (0x10000 - 0x100)) | 0;
    c = Number(v2 <= v5); low = (low + c * (0x100000 - 0x100)) | 0;
    c = Number(v2 <= v6); low = (low + c * (0x1000000 - 0x100)) | 0;
    c = Number(v2 <= v7); low = (low + c * (0x10000000 - 0x100)) | 0;
    c = Number(v2 <= v8); low = (low - c * 0x100) | 0; high = (high + c * 0x1) | 0;
    c = Number(v2 <= v9); low = (low - c * 0x100) | 0; high = (high + c * 0x10) | 0;
    c = Number(v2 <= v10); low = (low - c * 0x100) | 0; high = (high + c * 0x100) | 0;
    c = Number(v2 <= v11); low = (low - c * 0x100) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v3 <= v4); low = (low + c * (0x10000 - 0x1000)) | 0;
    c = Number(v3 <= v5); low = (low + c * (0x100000 - 0x1000)) | 0;
    c = Number(v3 <= v6); low = (low + c * (0x1000000 - 0x1000)) | 0;
    c = Number(v3 <= v7); low = (low + c * (0x10000000 - 0x1000)) | 0;
    c = Number(v3 <= v8); low = (low - c * 0x1000) | 0; high = (high + c * 0x1) | 0;
    c = Number(v3 <= v9); low = (low - c * 0x1000) | 0; high = (high + c * 0x10) | 0;
    c = Number(v3 <= v10); low = (low - c * 0x1000) | 0; high = (high + c * 0x100) | 0;
    c = Number(v3 <= v11); low = (low - c * 0x1000) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v4 <= v5); low = (low + c * (0x100000 - 0x10000)) | 0;
    c = Number(v4 <= v6); low = (low + c * (0x1000000 - 0x10000)) | 0;
    c = Number(v4 <= v7); low = (low + c * (0x10000000 - 0x10000)) | 0;
    c = Number(v4 <= v8); low = (low - c * 0x10000) | 0; high = (high + c * 0x1) | 0;
    c = Number(v4 <= v9); low = (low - c * 0x10000) | 0; high = (high + c * 0x10) | 0;
    c = Number(v4 <= v10); low = (low - c * 0x10000) | 0; high = (high + c * 0x100) | 0;
    c = Number(v4 <= v11); low = (low - c * 0x10000) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v5 <= v6); low = (low + c * (0x1000000 - 0x100000)) | 0;
    c = Number(v5 <= v7); low = (low + c * (0x10000000 - 0x100000)) | 0;
    c = Number(v5 <= v8); low = (low - c * 0x100000) | 0; high = (high + c * 0x1) | 0;
    c = Number(v5 <= v9); low = (low - c * 0x100000) | 0; high = (high + c * 0x10) | 0;
    c = Number(v5 <= v10); low = (low - c * 0x100000) | 0; high = (high + c * 0x100) | 0;
    c = Number(v5 <= v11); low = (low - c * 0x100000) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v6 <= v7); low = (low + c * (0x10000000 - 0x1000000)) | 0;
    c = Number(v6 <= v8); low = (low - c * 0x1000000) | 0; high = (high + c * 0x1) | 0;
    c = Number(v6 <= v9); low = (low - c * 0x1000000) | 0; high = (high + c * 0x10) | 0;
    c = Number(v6 <= v10); low = (low - c * 0x1000000) | 0; high = (high + c * 0x100) | 0;
    c = Number(v6 <= v11); low = (low - c * 0x1000000) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v7 <= v8); low = (low - c * 0x10000000) | 0; high = (high + c * 0x1) | 0;
    c = Number(v7 <= v9); low = (low - c * 0x10000000) | 0; high = (high + c * 0x10) | 0;
    c = Number(v7 <= v10); low = (low - c * 0x10000000) | 0; high = (high + c * 0x100) | 0;
    c = Number(v7 <= v11); low = (low - c * 0x10000000) | 0; high = (high + c * 0x1000) | 0;
    c = Number(v8 <= v9); high = (high + c * (0x10 - 0x1)) | 0;
    c = Number(v8 <= v10); high = (high + c * (0x100 - 0x1)) | 0;
    c = Number(v8 <= v11); high = (high + c * (0x1000 - 0x1)) | 0;
    c = Number(v9 <= v10); high = (high + c * (0x100 - 0x10)) | 0;
    c = Number(v9 <= v11); high = (high + c * (0x1000 - 0x10)) | 0;
    c = Number(v10 <= v11); high = (high + c * (0x1000 - 0x100)) | 0;
    const window = this.window;
    window[low & 15] = v0;
    window[(low >>> 4) & 15] = v1;
    window[(low >>> 8) & 15] = v2;
    window[(low >>> 12) & 15] = v3;
    window[(low >>> 16) & 15] = v4;
    window[(low >>> 20) & 15] = v5;
    window[(low >>> 24) & 15] = v6;
    window[low >>> 28] = v7;
    window[high & 15] = v8;
    window[(high >>> 4) & 15] = v9;
    window[(high >>> 8) & 15] = v10;
    window[(high >>> 12) & 15] = v11;
    return window;
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
      const pool = new Float64Array(end);
      let n = 0;
      for (let h = 0; h < end; h++) {
        const value = this.values[h] as number;
        if (Number.isFinite(value)) pool[n++] = value;
      }
      this.sortedAll = pool.slice(0, n).sort();
    }
    return this.sortedAll;
  }

}

/** UTC hour of day of an instant (epoch ms), also before 1970. */
export function hourOfDayOf(ms: number): number {
  const hours = Math.floor(ms / MS_PER_HOUR);
  return ((hours % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
}

/**
 * Type-7 positions of `ascending` in a sorted sample of n values, split into floor and fraction, kept in `cache`:
 * the same for every step whose sample has n values, so computed when the probabilities or n change, not per step.
 * Module-level like the window below: the samplers of one forecast (one per metric) and of the next share them.
 */
interface Positions {
  ascending: ArrayLike<number> | undefined;
  n: number;
  lowers: Int32Array;
  fractions: Float64Array;
}

/** quantilesAt's positions, and writeScaledQuantiles' (a full window) apart so that neither recomputes the other's. */
const stepPositions: Positions = { ascending: undefined, n: -1, lowers: new Int32Array(0), fractions: new Float64Array(0) };
const fullWindowPositions: Positions = { ascending: undefined, n: -1, lowers: new Int32Array(0), fractions: new Float64Array(0) };

function positionsOf(ascending: ArrayLike<number>, n: number, cache: Positions): Positions {
  if (cache.ascending === ascending && cache.n === n) return cache;
  if (cache.lowers.length !== ascending.length) {
    cache.lowers = new Int32Array(ascending.length);
    cache.fractions = new Float64Array(ascending.length);
  }
  const last = n - 1;
  for (let k = 0; k < ascending.length; k++) {
    const position = last * (ascending[k] as number);
    const lower = Math.floor(position);
    cache.lowers[k] = lower;
    cache.fractions[k] = position - lower;
  }
  cache.ascending = ascending;
  cache.n = n;
  return cache;
}

let sharedWindow = new Float64Array(4 * (2 * WINDOW_HALF_WIDTH_HOURS + 1));

/**
 * The sorted-window scratch of a sampler: one buffer shared by the samplers of its size (each fills it and reads
 * it back within one call), since a fresh Float64Array of 12 values, outside V8's heap, cost ~0.3 µs per sampler.
 */
function windowScratch(size: number): Float64Array {
  if (sharedWindow.length !== size) sharedWindow = new Float64Array(size);
  return sharedWindow;
}
