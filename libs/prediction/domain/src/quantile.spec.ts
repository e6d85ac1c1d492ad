import { InvalidQuantileError } from './errors';
import { quantile, sortedAscending } from './quantile';

describe('quantile (type 7)', () => {
  it('interpolates linearly between order statistics like R and NumPy', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([10, 20, 30, 40, 50], 0.9)).toBeCloseTo(46, 12);
  });

  it('returns the minimum at q=0 and the maximum at q=1', () => {
    expect(quantile([3, 5, 9], 0)).toBe(3);
    expect(quantile([3, 5, 9], 1)).toBe(9);
  });

  it('returns the only value of a one-element sample for every q', () => {
    expect(quantile([7], 0.05)).toBe(7);
    expect(quantile([7], 0.95)).toBe(7);
  });

  it('accepts typed arrays', () => {
    expect(quantile(Float64Array.from([0, 10]), 0.3)).toBeCloseTo(3, 12);
  });

  it('refuses an empty sample', () => {
    expect(() => quantile([], 0.5)).toThrow(InvalidQuantileError);
  });

  it('refuses a probability outside [0, 1]', () => {
    expect(() => quantile([1, 2], 1.5)).toThrow('quantile 1.5 is outside [0, 1]');
    expect(() => quantile([1, 2], Number.NaN)).toThrow(InvalidQuantileError);
  });

  it('sorts numerically rather than lexicographically', () => {
    expect(sortedAscending([10, 9, 100, 1])).toEqual([1, 9, 10, 100]);
  });
});
