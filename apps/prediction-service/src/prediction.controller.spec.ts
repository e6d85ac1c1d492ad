/** @jest-environment ../../libs/prediction/adapters/test/onnx-test-environment.js */
import { topics } from '@clonecast/contracts';
import { aCloneRequested, buildEnvelope } from '@clonecast/platform/testing';
import { DemandForecaster, FORECAST_QUANTILES } from './demand-forecaster';
import { predictionEnvSchema } from './prediction-env';
import { PredictionController } from './prediction.controller';

const quiet = { log: () => undefined, warn: () => undefined };

async function controllerWith(modelDir: string | undefined): Promise<{ controller: PredictionController; forecaster: DemandForecaster }> {
  const forecaster = await DemandForecaster.create(predictionEnvSchema.parse({ MODEL_DIR: modelDir }), quiet);
  return { controller: new PredictionController(forecaster), forecaster };
}

describe('PredictionController with the demand model', () => {
  let controller: PredictionController;
  let forecaster: DemandForecaster;

  beforeAll(async () => {
    // MODEL_DIR left to its default: the released model, v4
    ({ controller, forecaster } = await controllerWith(undefined));
  });

  afterAll(async () => {
    await forecaster.onModuleDestroy();
  });

  it('answers a clone request with the model forecast of its timeframe, from the hour of activation', async () => {
    const request = aCloneRequested({ spec: { activationAt: '2025-10-29T06:30:00.000Z', timeframeHours: 12 } });
    const [out] = await controller.onCloneRequested(buildEnvelope('cloneRequested', request));
    expect(out?.topic).toBe(topics.demandPredicted);
    const data = topics.demandPredicted.schema.parse(out?.data);
    expect(data.forecast.start).toBe('2025-10-29T06:00:00.000Z');
    expect(data.forecast.timestamps).toHaveLength(12);
    expect(data.forecast.quantiles).toEqual([...FORECAST_QUANTILES]);
    expect(data.predictor).toEqual({ kind: 'model', modelVersion: 'demand-forecaster@v4' });
    expect(data.forecast.modelVersion).toBe(data.predictor.modelVersion);
    expect(data.spec).toEqual(request.spec);
  });

  it('forecasts an account without history (cold start) instead of failing', async () => {
    const request = aCloneRequested({ profile: { historicalData: [] } });
    const [out] = await controller.onCloneRequested(buildEnvelope('cloneRequested', request));
    expect(out?.topic).toBe(topics.demandPredicted);
    const data = topics.demandPredicted.schema.parse(out?.data);
    expect(data.predictor).toEqual({ kind: 'model', modelVersion: 'demand-forecaster@v4' });
    expect(data.forecast.timestamps).toHaveLength(request.spec.timeframeHours);
    for (const metric of ['cpu', 'memory', 'storage', 'network'] as const) {
      // cold start: priors, widened by the manifest; positive and non-crossing
      const median = data.forecast.metrics[metric]['0.5'] as number[];
      const upper = data.forecast.metrics[metric]['0.99'] as number[];
      median.forEach((v, h) => {
        expect(v).toBeGreaterThan(0);
        expect(upper[h]).toBeGreaterThanOrEqual(v);
      });
    }
  });
});

describe('PredictionController without a model', () => {
  let controller: PredictionController;

  beforeAll(async () => {
    ({ controller } = await controllerWith('does/not/exist'));
  });

  it('answers with the hour-of-week baseline and says why', async () => {
    const [out] = await controller.onCloneRequested(buildEnvelope('cloneRequested', aCloneRequested()));
    const data = topics.demandPredicted.schema.parse(out?.data);
    expect(data.predictor).toEqual({
      kind: 'baseline',
      modelVersion: 'baseline-hour-of-week@1',
      fallbackReason: expect.stringMatching(/^model-missing: .*does\/not\/exist\/manifest\.json does not exist/),
    });
  });

  it('rejects a request without history as clone.failed at the prediction stage', async () => {
    const request = aCloneRequested({ profile: { historicalData: [] } });
    const [out] = await controller.onCloneRequested(buildEnvelope('cloneRequested', request));
    expect(out?.topic).toBe(topics.cloneFailed);
    expect(out?.data).toMatchObject({ stage: 'prediction', code: 'NO_HISTORY', targetAccountId: request.spec.targetAccountId });
  });
});
