import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { demandForecastSchema, METRICS, type DemandForecast } from '@clonecast/contracts';
import { DEFAULT_MODEL_DIR } from '../src';
import { resampleHourly, type ForecastRequest } from '@clonecast/prediction/domain';
import { ACTIVATION_AT, syntheticHistory } from '@clonecast/platform/testing';
import { OnnxDemandModel } from '../src';
import { MODEL_DIR, MODEL_DIR_V1, MODEL_DIR_V2, MODEL_VECTORS } from './model-files';

const TOLERANCE = 1e-4;

const vectorsSchema = z.object({
  featureSpec: z.enum(['v1', 'v2', 'v3']).default('v1'),
  quantiles: z.array(z.number()),
  cases: z
    .array(
      z.object({
        name: z.string(),
        features: z.array(z.array(z.number())).min(1),
        quantiles: z.array(z.array(z.array(z.number()))),
      }),
    )
    .min(1),
});

function request(overrides: Partial<ForecastRequest> = {}): ForecastRequest {
  return {
    history: syntheticHistory(),
    start: ACTIVATION_AT,
    horizonHours: 48,
    quantiles: [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99],
    accountType: 'web',
    applications: ['web', 'api'],
    events: [],
    ...overrides,
  };
}

/** Mean over steps and metrics of the 5–95 % interval relative to the median. */
function relativeWidth(forecast: DemandForecast): number {
  let sum = 0;
  let count = 0;
  for (const metric of METRICS) {
    const series = forecast.metrics[metric];
    series['0.5']?.forEach((median, h) => {
      sum += ((series['0.95']?.[h] as number) - (series['0.05']?.[h] as number)) / median;
      count++;
    });
  }
  return sum / count;
}

describe('OnnxDemandModel', () => {
  let model: OnnxDemandModel;

  beforeAll(async () => {
    model = await OnnxDemandModel.load(MODEL_DIR);
  });

  afterAll(async () => {
    await model.close();
  });

  it('is the released v4 model (featureSpec v3, regime head), served by default', () => {
    expect(DEFAULT_MODEL_DIR).toBe('models/demand-forecaster/v4');
    expect(model.modelVersion).toBe('demand-forecaster@v4');
    expect(model.manifest.featureSpec).toBe('v3');
    expect(model.featureCount).toBe(207);
  });

  it('answers with non-negative, non-decreasing quantiles that satisfy the contract', async () => {
    const requests = [
      request(),
      request({ history: [], accountType: 'batch' }),
      request({ history: syntheticHistory({ days: 3 }), horizonHours: 168, accountType: 'database' }),
      request({ events: [{ name: 'sale', kind: 'campaign', start: '2025-10-29T10:00:00Z', end: '2025-10-30T10:00:00Z', uplift: 3 }] }),
    ];

    const forecasts = await model.forecastBatch(requests);

    for (const forecast of forecasts) {
      expect(() => demandForecastSchema.parse(forecast)).not.toThrow();
      for (const metric of METRICS) {
        const series = forecast.quantiles.map((q) => forecast.metrics[metric][String(q)] as number[]);
        forecast.timestamps.forEach((_, h) => {
          const column = series.map((values) => values[h] as number);
          expect(column.every((v, j) => v >= 0 && (j === 0 || v >= (column[j - 1] as number)))).toBe(true);
        });
      }
    }
  });

  it('forecasts a batch exactly as it forecasts each request alone', async () => {
    const requests = [request(), request({ history: [], horizonHours: 5 }), request({ horizonHours: 1, accountType: 'fleet' })];

    const batch = await model.forecastBatch(requests);
    const single = await Promise.all(requests.map((r) => model.forecast(r)));

    batch.forEach((forecast, i) => {
      expect(forecast.timestamps).toEqual(single[i]?.timestamps);
      for (const metric of METRICS) {
        const alone = single[i]?.metrics[metric]['0.5'] as number[];
        forecast.metrics[metric]['0.5']?.forEach((v, h) => expect(v).toBeCloseTo(alone[h] as number, 4));
      }
    });
  });

  it('forecasts a batch in chunks of rows exactly as in one model run', async () => {
    const chunked = await OnnxDemandModel.load(MODEL_DIR, { chunkRows: 100 });
    const whole = await OnnxDemandModel.load(MODEL_DIR, { chunkRows: Infinity });
    try {
      const horizons = [48, 24, 30, 168, 5, 60, 40, 1, 99, 100];
      const requests = horizons.map((horizonHours, i) => request({ horizonHours, accountType: i % 2 ? 'web' : 'database', history: i === 4 ? [] : syntheticHistory() }));
      // consecutive, at most 100 rows each, a longer request alone
      expect(chunked.chunks(requests).map((c) => c.map((r) => r.horizonHours))).toEqual([[48, 24], [30], [168], [5, 60], [40, 1], [99], [100]]);
      expect(whole.chunks(requests)).toHaveLength(1);
      expect(await chunked.forecastBatch(requests)).toEqual(await whole.forecastBatch(requests));
      const hourly = requests.filter((r) => r.history.length > 0).map((r) => ({ ...r, history: resampleHourly(r.history) }));
      expect(await chunked.forecastHourlyBatch(hourly)).toEqual(await whole.forecastHourlyBatch(hourly));
    } finally {
      await chunked.close();
      await whole.close();
    }
  });

  it('gives a cold start (no history) wider intervals than the same account with history', async () => {
    const [withHistory, coldStart] = await model.forecastBatch([request(), request({ history: [] })]);

    expect(coldStart?.modelVersion).toBe(model.modelVersion);
    expect(relativeWidth(coldStart as DemandForecast)).toBeGreaterThan(relativeWidth(withHistory as DemandForecast));
  });

  it('raises the forecast during a declared event and nowhere else', async () => {
    const event = { name: 'launch', kind: 'launch' as const, start: '2025-10-29T10:00:00Z', end: '2025-10-29T14:00:00Z', uplift: 2 };
    const [plain, withEvent] = await model.forecastBatch([request({ horizonHours: 24 }), request({ horizonHours: 24, events: [event] })]);

    const during = (h: number) => h >= 10 && h < 14;
    for (const metric of METRICS) {
      const before = plain?.metrics[metric]['0.5'] as number[];
      const after = withEvent?.metrics[metric]['0.5'] as number[];
      after.forEach((v, h) => {
        if (during(h)) expect(v).toBeGreaterThan(before[h] as number);
        else expect(v).toBeCloseTo(before[h] as number, 6);
      });
    }
  });

  it("refuses a horizon beyond the model's and quantiles outside its range", async () => {
    await expect(model.forecast(request({ horizonHours: model.manifest.maxHorizon + 1 }))).rejects.toMatchObject({ code: 'INVALID_FORECAST_OPTIONS' });
    await expect(model.forecast(request({ quantiles: [0.001] }))).rejects.toThrow(/outside the model's range/);
  });

  it('forecasts from an already-hourly history exactly as from the samples it was resampled from', async () => {
    const requests = [request({ horizonHours: 168 }), request({ history: syntheticHistory({ days: 3 }), accountType: 'database' })];

    const fromSamples = await model.forecastBatch(requests);
    const fromHourly = await model.forecastHourlyBatch(requests.map((r) => ({ ...r, history: resampleHourly(r.history) })));

    expect(fromHourly).toEqual(fromSamples);
  });

  it('still serves the v1 model (featureSpec v1) through the same pipeline', async () => {
    const v1 = await OnnxDemandModel.load(MODEL_DIR_V1);
    try {
      const [forecast] = await v1.forecastBatch([request()]);
      expect(v1.featureCount).toBe(63);
      expect(forecast?.modelVersion).toBe('demand-forecaster@v1');
      expect(() => demandForecastSchema.parse(forecast)).not.toThrow();
      const features = model.features(request());
      await expect(v1.forecastFeatures([{ features, quantiles: [0.5] }])).rejects.toThrow(/spec v3 given to a model of spec v1/);
    } finally {
      await v1.close();
    }
  });

  it('still serves the previous v2 model (featureSpec v2) through the same pipeline', async () => {
    const v2 = await OnnxDemandModel.load(MODEL_DIR_V2);
    try {
      const requests = [request({ horizonHours: 168 }), request({ history: [], accountType: 'batch' }), request({ history: syntheticHistory({ days: 3 }) })];
      const forecasts = await v2.forecastBatch(requests);
      expect(v2.featureCount).toBe(99);
      expect(v2.manifest.featureSpec).toBe('v2');
      for (const forecast of forecasts) {
        expect(forecast.modelVersion).toBe('demand-forecaster@v2');
        expect(() => demandForecastSchema.parse(forecast)).not.toThrow();
        for (const metric of METRICS) {
          const series = forecast.quantiles.map((q) => forecast.metrics[metric][String(q)] as number[]);
          forecast.timestamps.forEach((_, h) => {
            const column = series.map((values) => values[h] as number);
            expect(column.every((v, j) => v >= 0 && (j === 0 || v >= (column[j - 1] as number)))).toBe(true);
          });
        }
      }
      await expect(v2.forecastFeatures([{ features: model.features(request()), quantiles: [0.5] }])).rejects.toThrow(/spec v3 given to a model of spec v2/);
    } finally {
      await v2.close();
    }
  });

  it('interpolates a quantile between two of the model’s', async () => {
    const forecast = await model.forecast(request({ quantiles: [0.5, 0.6, 0.75] }));

    forecast.metrics.cpu['0.6']?.forEach((v, h) => {
      expect(v).toBeGreaterThanOrEqual(forecast.metrics.cpu['0.5']?.[h] as number);
      expect(v).toBeLessThanOrEqual(forecast.metrics.cpu['0.75']?.[h] as number);
    });
  });
});

// A missing vectors file fails (readFileSync throws), never skips.
describe.each(MODEL_VECTORS.map((v) => [v.file.split('/').pop() as string, v] as const))('OnnxDemandModel against %s', (_file, { dir, file }) => {
  const vectors = vectorsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  let model: OnnxDemandModel;

  beforeAll(async () => {
    model = await OnnxDemandModel.load(dir);
  });

  afterAll(async () => {
    await model.close();
  });

  it('declares the feature spec and quantiles the trainer’s vectors were computed for', () => {
    expect(model.manifest.featureSpec).toBe(vectors.featureSpec);
    expect(model.manifest.quantiles).toEqual(vectors.quantiles);
    for (const c of vectors.cases) for (const row of c.features) expect(row).toHaveLength(model.featureCount);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('reproduces the trainer’s outputs within 1e-4: %s', async (_name, vector) => {
    const outputs = await model.infer(Float32Array.from(vector.features.flat()));

    const expected = vector.quantiles.flat(2);
    expect(outputs).toHaveLength(expected.length);
    const worst = expected.reduce((max, want, i) => Math.max(max, Math.abs((outputs[i] as number) - want)), 0);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });
});
