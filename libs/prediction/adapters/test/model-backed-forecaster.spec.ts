import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ForecastRequest } from '@clonecast/prediction/domain';
import { ACTIVATION_AT, syntheticHistory } from '@clonecast/platform/testing';
import { ModelBackedForecaster } from '../src';
import { MODEL_DIR } from './model-files';

function request(overrides: Partial<ForecastRequest> = {}): ForecastRequest {
  return {
    history: syntheticHistory(),
    start: ACTIVATION_AT,
    horizonHours: 24,
    quantiles: [0.05, 0.5, 0.95],
    accountType: 'web',
    applications: [],
    events: [],
    ...overrides,
  };
}

describe('ModelBackedForecaster', () => {
  it('answers with the model, naming its version', async () => {
    const forecaster = await ModelBackedForecaster.create(MODEL_DIR);
    try {
      const { forecast, predictor } = await forecaster.forecast(request());

      expect(predictor).toEqual({ kind: 'model', modelVersion: expect.stringMatching(/^demand-forecaster@/) });
      expect(forecast.modelVersion).toBe(predictor.modelVersion);
      expect(forecaster.status).toEqual(predictor);
    } finally {
      await forecaster.close();
    }
  });

  it('falls back to the hour-of-week baseline when the model file is absent, and says so', async () => {
    const reasons: string[] = [];
    const forecaster = await ModelBackedForecaster.create(path.join(os.tmpdir(), 'no-such-model'), { onFallback: (r) => reasons.push(r) });

    const { forecast, predictor } = await forecaster.forecast(request());

    expect(predictor).toMatchObject({ kind: 'baseline', modelVersion: 'baseline-hour-of-week@1', fallbackReason: expect.stringMatching(/^model-missing: .*manifest\.json does not exist/) });
    expect(forecast.timestamps).toHaveLength(24);
    expect(reasons).toEqual([predictor.fallbackReason]);
  });

  it('falls back when the model file does not match the manifest checksum', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tampered-model-'));
    const manifest = JSON.parse(readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, sha256: '0'.repeat(64) }));
    copyFileSync(path.join(MODEL_DIR, manifest.onnx), path.join(dir, manifest.onnx));

    const forecaster = await ModelBackedForecaster.create(dir);

    expect(forecaster.status).toMatchObject({ kind: 'baseline', fallbackReason: expect.stringMatching(/^model-load-error: .*sha256/) });
  });

  it('lets the baseline answer a request outside the model’s quantile range, and the model the rest of the batch', async () => {
    const forecaster = await ModelBackedForecaster.create(MODEL_DIR);
    try {
      const [inRange, outside] = await forecaster.forecastBatch([request(), request({ quantiles: [0.5, 0.999] })]);

      expect(inRange).toMatchObject({ ok: true, prediction: { predictor: { kind: 'model' } } });
      expect(outside).toMatchObject({ ok: true, prediction: { predictor: { kind: 'baseline', fallbackReason: expect.stringMatching(/^quantiles-outside-model/) } } });
    } finally {
      await forecaster.close();
    }
  });

  it('forecasts an account without history with the model instead of failing', async () => {
    const forecaster = await ModelBackedForecaster.create(MODEL_DIR);
    try {
      const { predictor, forecast } = await forecaster.forecast(request({ history: [] }));

      expect(predictor.kind).toBe('model');
      expect(forecast.metrics.cpu['0.5']?.every((v) => v > 0)).toBe(true);
    } finally {
      await forecaster.close();
    }
  });

  it('answers the rest of a model batch when one request has an unreadable history', async () => {
    const forecaster = await ModelBackedForecaster.create(MODEL_DIR);
    try {
      const outOfOrder = request({ history: syntheticHistory({ days: 1 }).reverse() });

      const [bad, good] = await forecaster.forecastBatch([outOfOrder, request()]);

      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_HISTORY' } });
      expect(good).toMatchObject({ ok: true, prediction: { predictor: { kind: 'model' } } });
    } finally {
      await forecaster.close();
    }
  });

  it('reports an unanswerable request as its domain error, without failing the batch', async () => {
    const forecaster = await ModelBackedForecaster.create(path.join(os.tmpdir(), 'no-such-model'));

    const [noHistory, fine] = await forecaster.forecastBatch([request({ history: [] }), request()]);

    expect(noHistory).toMatchObject({ ok: false, error: { code: 'NO_HISTORY' } });
    expect(fine?.ok).toBe(true);
  });
});
