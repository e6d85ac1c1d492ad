import { topics } from '@clonecast/contracts';
import { aCloneRequested, buildEnvelope } from '@clonecast/platform/testing';
import { DemandForecaster, FORECAST_QUANTILES } from './demand-forecaster';
import { PredictionController } from './prediction.controller';

const controller = new PredictionController(new DemandForecaster());

describe('PredictionController', () => {
  it('answers a clone request with the forecast of its timeframe, from the hour of activation', () => {
    const request = aCloneRequested({ spec: { activationAt: '2025-10-29T06:30:00.000Z', timeframeHours: 12 } });
    const [out] = controller.onCloneRequested(buildEnvelope('cloneRequested', request));
    expect(out?.topic).toBe(topics.demandPredicted);
    const data = topics.demandPredicted.schema.parse(out?.data);
    expect(data.forecast.start).toBe('2025-10-29T06:00:00.000Z');
    expect(data.forecast.timestamps).toHaveLength(12);
    expect(data.forecast.quantiles).toEqual([...FORECAST_QUANTILES]);
    expect(data.predictor).toEqual({ kind: 'baseline', modelVersion: 'baseline-hour-of-week@1' });
    expect(data.spec).toEqual(request.spec);
  });

  it('rejects a request without history as clone.failed at the prediction stage', () => {
    const request = aCloneRequested({ profile: { historicalData: [] } });
    const [out] = controller.onCloneRequested(buildEnvelope('cloneRequested', request));
    expect(out?.topic).toBe(topics.cloneFailed);
    expect(out?.data).toMatchObject({ stage: 'prediction', code: 'NO_HISTORY', targetAccountId: request.spec.targetAccountId });
  });
});
