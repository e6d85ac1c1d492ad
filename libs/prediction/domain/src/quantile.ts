import { InvalidQuantileError } from './errors';

/**
 * Empirical quantile with linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of R and NumPy). `sortedValues` must be sorted ascending and non-empty; q in [0, 1].
 */
export function quantile(sortedValues: ArrayLike<number>, q: number): number {
  const n = sortedValues.length;
  if (n === 0) throw new InvalidQuantileError('cannot take a quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new InvalidQuantileError(`quantile ${q} is outside [0, 1]`);
  return quantileOfSorted(sortedValues, n, q);
}

/**
 * Type-7 quantile of the first `n` values of `sortedValues` (ascending, n ≥ 1, q in [0, 1]), unchecked:
 * the hot path of the hour-of-week sample, whose callers guarantee both.
 */
export function quantileOfSorted(sortedValues: ArrayLike<number>, n: number, q: number): number {
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const lowValue = sortedValues[lower] as number;
  const highValue = sortedValues[upper] as number;
  return lowValue + (position - lower) * (highValue - lowValue);
}

/** Ascending numeric sort of a copy (Array.prototype.sort compares strings by default). */
export function sortedAscending(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}
