import type { DemandForecast } from '@clonecast/contracts';
import { InvalidInstantError } from './errors';
import { forecastMedianAt } from './forecast-median';

function forecast(quantiles: number[]): DemandForecast {
  const series = (base: number) =>
    Object.fromEntries(quantiles.map((q) => [String(q), [base + q * 10, base + 100 + q * 10]]));
  return {
    modelVersion: 'test@1',
    stepMinutes: 60,
    start: '2024-05-06T10:00:00Z',
    timestamps: ['2024-05-06T10:00:00Z', '2024-05-06T11:00:00Z'],
    quantiles,
    metrics: { cpu: series(0), memory: series(1000), storage: series(2000), network: series(3000) },
  };
}

describe('forecastMedianAt', () => {
  it('returns the 0.5 quantile of the step containing the instant', () => {
    expect(forecastMedianAt(forecast([0.1, 0.5, 0.9]), '2024-05-06T11:42:00Z')).toEqual({
      cpu: 105,
      memory: 1105,
      storage: 2105,
      network: 3105,
    });
  });

  it('includes the first instant of a step and excludes the end of the last one', () => {
    const f = forecast([0.5]);

    expect(forecastMedianAt(f, '2024-05-06T10:00:00Z')?.cpu).toBe(5);
    expect(forecastMedianAt(f, '2024-05-06T12:00:00Z')).toBeUndefined();
  });

  it('returns undefined before the forecast starts', () => {
    expect(forecastMedianAt(forecast([0.5]), '2024-05-06T09:59:59Z')).toBeUndefined();
  });

  it('uses the quantile nearest to 0.5 when 0.5 is absent', () => {
    expect(forecastMedianAt(forecast([0.1, 0.45, 0.9]), '2024-05-06T10:00:00Z')?.cpu).toBe(4.5);
  });

  it('breaks a tie towards the higher quantile', () => {
    expect(forecastMedianAt(forecast([0.4, 0.6]), '2024-05-06T10:00:00Z')?.cpu).toBe(6);
  });

  it('rejects an instant that does not parse', () => {
    expect(() => forecastMedianAt(forecast([0.5]), 'soon')).toThrow(InvalidInstantError);
  });
});
