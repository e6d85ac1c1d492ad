import { UnusableForecastError } from './errors';

/**
 * Picks the forecast quantile a plan covers: the smallest one at or above the service level, else the
 * largest available (the plan then covers less than asked, and `required` shows what it does cover).
 */
export function serviceLevelQuantile(quantiles: readonly number[], serviceLevel: number): number {
  const sorted = [...quantiles].sort((a, b) => a - b);
  const largest = sorted[sorted.length - 1];
  if (largest === undefined) throw new UnusableForecastError('it has no quantiles');
  return sorted.find((q) => q >= serviceLevel) ?? largest;
}

/**
 * Expected shortfall E[(D - capacity)+] of a demand D known only through quantiles: the integral over
 * u in [0, 1] of (Q(u) - capacity)+, with Q linear between the known quantiles and flat beyond the
 * outermost ones. The flat upper tail makes it a lower bound when demand can exceed the top quantile.
 * Crossed quantiles are sorted first (rearrangement), so Q is non-decreasing.
 */
export function expectedShortfall(levels: readonly number[], values: readonly number[], capacity: number): number {
  if (levels.length === 0 || levels.length !== values.length)
    throw new UnusableForecastError(`${values.length} values for ${levels.length} quantile levels`);
  const u = [...levels].sort((a, b) => a - b);
  const q = [...values].sort((a, b) => a - b);
  const points: Array<[number, number]> = [[0, q[0] as number]];
  u.forEach((level, i) => points.push([level, q[i] as number]));
  points.push([1, q[q.length - 1] as number]);

  let shortfall = 0;
  for (let i = 1; i < points.length; i++) {
    const [u0, v0] = points[i - 1] as [number, number];
    const [u1, v1] = points[i] as [number, number];
    shortfall += segmentExcess(u1 - u0, v0 - capacity, v1 - capacity);
  }
  return shortfall;
}

/** Integral over a segment of width `width` of the positive part of a line going from `a` to `b`. */
function segmentExcess(width: number, a: number, b: number): number {
  if (width <= 0 || (a <= 0 && b <= 0)) return 0;
  if (a >= 0 && b >= 0) return (width * (a + b)) / 2;
  const high = Math.max(a, b);
  // Only the part of the segment above zero counts: a triangle of height `high`.
  return (width * (high / (high - Math.min(a, b))) * high) / 2;
}
