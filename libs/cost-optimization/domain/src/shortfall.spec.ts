import { UnusableForecastError } from './errors';
import { expectedShortfall, serviceLevelQuantile } from './shortfall';

describe('serviceLevelQuantile', () => {
  it('takes the smallest quantile at or above the service level', () => {
    expect(serviceLevelQuantile([0.99, 0.5, 0.9, 0.95], 0.95)).toBe(0.95);
    expect(serviceLevelQuantile([0.5, 0.9, 0.99], 0.95)).toBe(0.99);
  });

  it('falls back to the largest quantile when none reaches the service level', () => {
    expect(serviceLevelQuantile([0.5, 0.9], 0.95)).toBe(0.9);
  });

  it('refuses a forecast without quantiles', () => {
    expect(() => serviceLevelQuantile([], 0.95)).toThrow(UnusableForecastError);
  });
});

describe('expectedShortfall', () => {
  it('is zero when capacity covers every quantile', () => {
    expect(expectedShortfall([0.5, 0.9], [2, 4], 4)).toBe(0);
  });

  it('integrates the part of the quantile curve above capacity', () => {
    // Q rises linearly from 2 (u=0.5) to 4 (u=0.9), flat to u=1: above 3 from u=0.7, area 0.1 + 0.1.
    expect(expectedShortfall([0.5, 0.9], [2, 4], 3)).toBeCloseTo(0.2, 12);
  });

  it('equals mean minus capacity when capacity is below every quantile', () => {
    // Flat ends: mean of the curve is 0.5*2 + 0.4*3 + 0.1*4 = 2.6.
    expect(expectedShortfall([0.5, 0.9], [2, 4], 0)).toBeCloseTo(2.6, 12);
  });

  it('repairs crossed quantiles by sorting them', () => {
    expect(expectedShortfall([0.5, 0.9], [4, 2], 3)).toBeCloseTo(expectedShortfall([0.5, 0.9], [2, 4], 3), 12);
  });

  it('does not depend on the order quantile levels are listed in', () => {
    expect(expectedShortfall([0.9, 0.5], [4, 2], 3)).toBeCloseTo(0.2, 12);
  });
});
