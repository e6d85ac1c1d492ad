import { HourOfWeekSampler } from './hour-of-week-sample';
import { MS_PER_HOUR } from './instant';
import { quantileOfSorted } from './quantile';

const START = Date.UTC(2024, 2, 4);
const WEEK = 168;

/** Four weeks of noisy hourly values with a few gaps (NaN), so that windows of every size occur. */
function series(hours: number, seed: number): Float64Array {
  let s = seed;
  const next = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Float64Array.from({ length: hours }, (_, h) => (next() < 0.15 ? Number.NaN : 3 + Math.sin(h / 5) + next()));
}

/** The sample's quantiles computed directly: the window's finite values sorted, type 7, floored at 0 and monotone. */
function expected(values: Float64Array, usableHours: number, stepIndex: number, ascending: readonly number[], weeks: number): number[] | undefined {
  const window: number[] = [];
  for (let w = 1; w <= weeks; w++) {
    for (let i = stepIndex - w * WEEK - 1; i <= stepIndex - w * WEEK + 1; i++) {
      if (i >= 0 && i < usableHours && Number.isFinite(values[i] as number)) window.push(values[i] as number);
    }
  }
  if (window.length === 0) return undefined;
  const sorted = Float64Array.from(window).sort();
  let floor = 0;
  return ascending.map((q) => (floor = Math.max(floor, quantileOfSorted(sorted, sorted.length, q))));
}

describe('HourOfWeekSampler.quantilesAt', () => {
  it('gives the same quantiles whatever was asked before (probabilities and window sizes change between calls)', () => {
    const values = series(4 * WEEK, 5);
    const usableHours = values.length;
    const sampler = new HourOfWeekSampler(values, START, usableHours, 4);
    const probabilitySets = [[0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99], [0.5], [0.1, 0.9], [0.25, 0.5, 0.75]];
    let checked = 0;
    for (let step = 0; step < 2 * WEEK; step++) {
      // the same array objects again and again, as callers pass them, interleaved
      const ascending = probabilitySets[step % probabilitySets.length] as number[];
      const stepIndex = usableHours + (step % WEEK);
      const want = expected(values, usableHours, stepIndex, ascending, 4);
      if (want === undefined) continue;
      const out = new Float64Array(ascending.length);
      sampler.quantilesAt(START + (usableHours + step) * MS_PER_HOUR, ascending, out, 0);
      for (let k = 0; k < ascending.length; k++) expect(out[k]).toBeCloseTo(want[k] as number, 12);
      checked++;
    }
    expect(checked).toBeGreaterThan(WEEK);
  });

  it('answers a step the same on a fresh sampler and on one already used for other steps', () => {
    const values = series(5 * WEEK, 9);
    const ascending = [0.05, 0.5, 0.95];
    const used = new HourOfWeekSampler(values, START, 4 * WEEK + 3, 4);
    for (let step = -WEEK; step < 2 * WEEK; step += 7) {
      const stepHour = START + (4 * WEEK + step) * MS_PER_HOUR;
      const a = new Float64Array(3);
      const b = new Float64Array(3);
      used.quantilesAt(stepHour, ascending, a, 0);
      new HourOfWeekSampler(values, START, 4 * WEEK + 3, 4).quantilesAt(stepHour, ascending, b, 0);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('sorts a full four-week window exactly, ties, zeros and -0 included (the branch-free ranking path)', () => {
    // few distinct values, so that most windows hold ties; no gaps, so every inner step takes the full window
    let s = 11;
    const next = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const choices = [0, -0, 0.5, 1, 1, 2.25, 3, 7.5];
    const values = Float64Array.from({ length: 5 * WEEK }, () => choices[Math.floor(next() * choices.length)] as number);
    const ascending = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
    const sampler = new HourOfWeekSampler(values, START, values.length, 4);
    const out = new Float64Array(ascending.length);
    for (let stepIndex = 4 * WEEK + 1; stepIndex < 5 * WEEK; stepIndex++) {
      sampler.quantilesAt(START + stepIndex * MS_PER_HOUR, ascending, out, 0);
      expect(Array.from(out)).toEqual(expected(values, values.length, stepIndex, ascending, 4));
    }
  });
});

describe('HourOfWeekSampler.writeScaledQuantiles', () => {
  it('writes quantilesAt divided by the scale, to the bit, for full, partial and empty windows and steps weeks ahead', () => {
    const ascending = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
    const stride = 13;
    const scale = 0.37;
    for (const [hours, usable] of [
      [5 * WEEK, 4 * WEEK + 30],
      [4 * WEEK, 4 * WEEK],
      [2 * WEEK, 2 * WEEK],
    ] as const) {
      const values = series(hours, hours);
      const sampler = new HourOfWeekSampler(values, START, usable, 4);
      // from 20 h before the data end to three weeks after it: every kind of window, and steps moved back by weeks
      const first = START + (usable - 20) * MS_PER_HOUR;
      const count = 3 * WEEK;
      const out = new Float32Array(count * stride).fill(Number.NaN);
      sampler.writeScaledQuantiles(first, count, ascending, scale, out, 2, stride, new Float64Array(ascending.length));
      const step = new Float64Array(ascending.length);
      const want = new Float32Array(ascending.length);
      for (let h = 0; h < count; h++) {
        new HourOfWeekSampler(values, START, usable, 4).quantilesAt(first + h * MS_PER_HOUR, ascending, step, 0);
        for (let k = 0; k < ascending.length; k++) want[k] = (step[k] as number) / scale;
        expect(Array.from(out.subarray(h * stride + 2, h * stride + 2 + ascending.length))).toEqual(Array.from(want));
      }
    }
  });

  it('slides the full window from step to step exactly as quantilesAt sorts it: ties, zeros, rare gaps, restarts', () => {
    const ascending = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
    const stride = 11;
    const scale = 1.7;
    let s = 7;
    const next = () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (const [name, value] of [
      // few distinct values: most windows have ties, across quads and within one
      ['ties', () => Math.floor(next() * 4)],
      ['zeros', () => (next() < 0.5 ? 0 : next())],
      ['rare gaps', () => (next() < 0.01 ? Number.NaN : 2 + next())],
      ['no gaps', () => 5 + Math.sin(next() * 6)],
    ] as const) {
      const usable = 5 * WEEK + 3;
      const values = Float64Array.from({ length: usable }, value);
      const sampler = new HourOfWeekSampler(values, START, usable, 4);
      const first = START + (usable - 2 * WEEK) * MS_PER_HOUR;
      const count = 3 * WEEK + 5;
      const out = new Float32Array(count * stride).fill(Number.NaN);
      sampler.writeScaledQuantiles(first, count, ascending, scale, out, 1, stride, new Float64Array(ascending.length));
      const step = new Float64Array(ascending.length);
      for (let h = 0; h < count; h++) {
        new HourOfWeekSampler(values, START, usable, 4).quantilesAt(first + h * MS_PER_HOUR, ascending, step, 0);
        const want = Float32Array.from(step, (v) => v / scale);
        expect([name, h, Array.from(out.subarray(h * stride + 1, h * stride + 1 + ascending.length))]).toEqual([name, h, Array.from(want)]);
      }
    }
  });
});
