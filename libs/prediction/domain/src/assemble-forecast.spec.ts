import { demandForecastSchema } from '@clonecast/contracts';
import { assembleForecast, hourlyTimestamps, type ModelOutputContract } from './assemble-forecast';
import { InvalidForecastOptionsError, InvalidModelOutputError } from './errors';
import type { FeatureRows } from './features';

const ORIGIN = Date.parse('2025-10-29T00:00:00Z');
const QUANTILES = [0.1, 0.5, 0.9];
const WIDENING = { '0.1': 0.5, '0.5': 1.1, '0.9': 2 };
const MODEL: ModelOutputContract = {
  quantiles: QUANTILES,
  eventUplift: 'applied-by-caller',
  coldStartWidening: { cpu: WIDENING, memory: { '0.1': 0.25, '0.5': 1, '0.9': 4 }, storage: WIDENING, network: WIDENING },
};

function features(overrides: Partial<FeatureRows> = {}): FeatureRows {
  return {
    origin: ORIGIN,
    horizonHours: 2,
    featureSpec: 'v1',
    featureCount: 63,
    rows: new Float32Array(0),
    scale: { cpu: 10, memory: 1, storage: 1, network: 1 },
    missing: { cpu: false, memory: false, storage: false, network: false },
    eventUplift: Float64Array.of(1, 1),
    ...overrides,
  };
}

/** Every metric and step gets the same normalised quantiles. */
function modelOutputs(perStep: number[], steps = 2): Float32Array {
  return Float32Array.from(Array.from({ length: steps * 4 }, () => perStep).flat());
}

describe('assembleForecast', () => {
  it('multiplies by the metric scale and keys series by the requested quantiles', () => {
    const forecast = assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5]), features: features(), model: MODEL, modelVersion: 'm@1', quantiles: QUANTILES });

    expect(forecast.metrics.cpu).toEqual({ '0.1': [5, 5], '0.5': [10, 10], '0.9': [15, 15] });
    expect(forecast.metrics.memory['0.5']).toEqual([1, 1]);
    expect(forecast).toMatchObject({ modelVersion: 'm@1', start: '2025-10-29T00:00:00.000Z', timestamps: ['2025-10-29T00:00:00.000Z', '2025-10-29T01:00:00.000Z'] });
    expect(() => demandForecastSchema.parse(forecast)).not.toThrow();
  });

  it('applies declared uplift only when the model leaves it to the caller', () => {
    const withUplift = features({ eventUplift: Float64Array.of(1, 2) });
    const byCaller = assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5]), features: withUplift, model: MODEL, modelVersion: 'm', quantiles: [0.5] });
    const learned = assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5]), features: withUplift, model: { ...MODEL, eventUplift: 'learned' }, modelVersion: 'm', quantiles: [0.5] });

    expect(byCaller.metrics.cpu['0.5']).toEqual([10, 20]);
    expect(learned.metrics.cpu['0.5']).toEqual([10, 10]);
  });

  it('multiplies each quantile of a cold-start metric by its manifest factor', () => {
    const cold = features({ missing: { cpu: true, memory: false, storage: false, network: false } });
    const forecast = assembleForecast({ outputs: modelOutputs([0.8, 1, 1.2]), features: cold, model: MODEL, modelVersion: 'm', quantiles: QUANTILES });

    expect(forecast.metrics.cpu['0.1']?.[0]).toBeCloseTo(4, 5);
    expect(forecast.metrics.cpu['0.5']?.[0]).toBeCloseTo(11, 5);
    expect(forecast.metrics.cpu['0.9']?.[0]).toBeCloseTo(24, 5);
    expect(forecast.metrics.memory['0.1']?.[0]).toBeCloseTo(0.8, 5);
  });

  it('widens each cold metric by its own factors', () => {
    const cold = features({ missing: { cpu: true, memory: true, storage: false, network: false } });
    const forecast = assembleForecast({ outputs: modelOutputs([0.8, 1, 1.2]), features: cold, model: MODEL, modelVersion: 'm', quantiles: QUANTILES });

    expect(forecast.metrics.cpu['0.9']?.[1]).toBeCloseTo(24, 5);
    expect(forecast.metrics.memory['0.1']?.[1]).toBeCloseTo(0.2, 5);
    expect(forecast.metrics.memory['0.9']?.[1]).toBeCloseTo(4.8, 5);
    expect(forecast.metrics.storage['0.9']?.[1]).toBeCloseTo(1.2, 5);
  });

  it('re-enforces non-negative, non-decreasing quantiles', () => {
    const forecast = assembleForecast({ outputs: modelOutputs([-0.2, 1, 0.9]), features: features(), model: MODEL, modelVersion: 'm', quantiles: QUANTILES });

    expect(forecast.metrics.cpu).toEqual({ '0.1': [0, 0], '0.5': [10, 10], '0.9': [10, 10] });
  });

  it("interpolates a quantile between the model's linearly in q", () => {
    const forecast = assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5]), features: features(), model: MODEL, modelVersion: 'm', quantiles: [0.3, 0.8] });

    expect(forecast.metrics.cpu['0.3']?.[0]).toBeCloseTo(7.5, 5);
    expect(forecast.metrics.cpu['0.8']?.[0]).toBeCloseTo(13.75, 5);
  });

  it("refuses quantiles outside the model's range and outputs of the wrong size", () => {
    expect(() => assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5]), features: features(), model: MODEL, modelVersion: 'm', quantiles: [0.95] })).toThrow(InvalidForecastOptionsError);
    expect(() => assembleForecast({ outputs: modelOutputs([0.5, 1, 1.5], 1), features: features(), model: MODEL, modelVersion: 'm', quantiles: [0.5] })).toThrow(InvalidModelOutputError);
  });
});

describe('hourlyTimestamps', () => {
  it('falls back to toISOString for years outside 0000–9999', () => {
    const start = Date.parse('9999-12-31T20:00:00Z');
    expect(hourlyTimestamps(start, 6)[5]).toBe('+010000-01-01T01:00:00.000Z');
    const before = Date.UTC(-1, 11, 31, 22);
    expect(hourlyTimestamps(before, 4)).toEqual(Array.from({ length: 4 }, (_, h) => new Date(before + h * 3_600_000).toISOString()));
  });

  it('writes whole hours exactly as toISOString does, across day, month, year and leap-day boundaries', () => {
    // 9999-12-31 runs into the year 10000, which toISOString writes as +010000
    for (const origin of ['2024-02-28T20:00:00Z', '2025-12-31T22:00:00Z', '1969-12-31T23:00:00Z', '9999-12-31T20:00:00Z', '0100-01-01T00:00:00Z']) {
      const start = Date.parse(origin);
      expect(hourlyTimestamps(start, 60)).toEqual(Array.from({ length: 60 }, (_, h) => new Date(start + h * 3_600_000).toISOString()));
    }
  });
});
