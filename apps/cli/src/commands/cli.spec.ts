/** @jest-environment ../../libs/prediction/adapters/test/onnx-test-environment.js */
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { anAccountProfile, syntheticHistory } from '@clonecast/platform/testing';
import { UsageError } from '../cli-error';
import { buildCloneRequest, type CloneRequestOptions } from './clone';
import { registerForecast, runForecast, type ForecastOptions } from './forecast';

// The released demand model, relative to the repository root (jest runs there).
const MODEL_DIR = 'models/demand-forecaster/v4';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-spec-'));
const profileFile = path.join(dir, 'profile.json');
writeFileSync(profileFile, JSON.stringify(anAccountProfile({ accountId: 'shop-prod' })));
const csvFile = path.join(dir, 'history.csv');
writeFileSync(csvFile, ['timestamp,cpu,memory,storage,network', ...syntheticHistory().map((r) => `${r.timestamp},${r.cpu},${r.memory},${r.storage},${r.network}`)].join('\n'));

const base: CloneRequestOptions = {
  profile: profileFile,
  timeframeHours: 24,
  clouds: ['gcp', 'aws'],
  maxSpotShare: 0.5,
  minInstances: 1,
  commitments: true,
  serviceLevel: 0.95,
  wait: false,
  timeoutSeconds: 10,
  json: true,
};

describe('clonecast clone request', () => {
  it('builds a valid clone.requested from a profile file', () => {
    const request = buildCloneRequest({ ...base, target: 'shop-staging', activationAt: '2026-01-01T08:00:00Z' }, new Date());
    expect(request.spec).toMatchObject({ sourceAccountId: 'shop-prod', targetAccountId: 'shop-staging', activationAt: '2026-01-01T08:00:00.000Z', constraints: { clouds: ['gcp', 'aws'] } });
    const narrow = buildCloneRequest({ ...base, families: ['n2'], architectures: ['x86_64'], maxSpotShare: 0, minInstances: 2, budget: 50, commitments: false }, new Date());
    expect(narrow.spec.constraints).toEqual({ clouds: ['gcp', 'aws'], families: ['n2'], architectures: ['x86_64'], maxSpotShare: 0, allowCommitments: false, minInstances: 2, budget: 50 });
  });

  it('says which option is wrong', () => {
    expect(() => buildCloneRequest({ ...base, clouds: ['gcp', 'ibm'] }, new Date())).toThrow(new UsageError('--clouds: unknown cloud "ibm" (use aws, azure, gcp)'));
    expect(() => buildCloneRequest({ ...base, activationAt: 'tomorrow' }, new Date())).toThrow(/--activation-at "tomorrow"/);
    expect(() => buildCloneRequest({ ...base, target: 'shop-prod' }, new Date())).toThrow(/target account must differ/);
    expect(() => buildCloneRequest({ ...base, profile: path.join(dir, 'missing.json') }, new Date())).toThrow(/cannot read profile .*ENOENT/);
  });

  it('names the invalid field of a profile file', () => {
    const bad = path.join(dir, 'bad-profile.json');
    writeFileSync(bad, JSON.stringify({ ...anAccountProfile(), historicalData: [{ timestamp: 'x', cpu: -1, memory: 1, storage: 1, network: 1 }] }));
    expect(() => buildCloneRequest({ ...base, profile: bad }, new Date())).toThrow(/historicalData\.0\.cpu/);
  });
});

describe('clonecast forecast', () => {
  const modelDir = MODEL_DIR;
  const forecast = (options: Partial<ForecastOptions>) =>
    runForecast({ history: csvFile, horizonHours: 6, quantiles: '0.5', model: 'model', modelDir, json: true, ...options });

  it('keeps quantile keys exactly as given and starts the hour after the last row', async () => {
    for (const model of ['model', 'baseline']) {
      const result = await forecast({ model, quantiles: '0.1,0.50,0.9' });
      expect(Object.keys(result.metrics.cpu)).toEqual(['0.1', '0.50', '0.9']);
      expect(result.start).toBe('2025-10-29T00:00:00.000Z');
      expect(result.timestamps).toHaveLength(6);
    }
  });

  it('answers with the demand model unless --model baseline', async () => {
    const program = new Command();
    registerForecast(program);
    const options = program.commands.find((c) => c.name() === 'forecast')?.options;
    expect(options?.find((o) => o.long === '--model')?.defaultValue).toBe('model');
    expect(options?.find((o) => o.long === '--model-dir')?.defaultValue).toBe('models/demand-forecaster/v4');
    expect((await forecast({})).modelVersion).toBe('demand-forecaster@v4');
    expect((await forecast({ modelDir: 'models/demand-forecaster/v1' })).modelVersion).toBe('demand-forecaster@v1');
    expect((await forecast({ model: 'baseline' })).modelVersion).toBe('baseline-hour-of-week@1');
  });

  it("interpolates a quantile between the model's and refuses one outside them", async () => {
    const result = await forecast({ quantiles: '0.5,0.6,0.75' });
    result.metrics.cpu['0.6']?.forEach((v, h) => {
      expect(v).toBeGreaterThanOrEqual(result.metrics.cpu['0.5']?.[h] as number);
      expect(v).toBeLessThanOrEqual(result.metrics.cpu['0.75']?.[h] as number);
    });
    await expect(forecast({ quantiles: '0.5,0.999' })).rejects.toThrow(/^quantile 0\.999 is outside the model's range 0\.\d+\.\.0\.\d+; the model does not extrapolate$/);
  });

  it('feeds the events file to the model: a declared uplift raises the forecast while the event runs', async () => {
    const eventsFile = path.join(dir, 'events.json');
    writeFileSync(eventsFile, JSON.stringify([{ name: 'sale', kind: 'campaign', start: '2025-10-29T02:00:00Z', end: '2025-10-29T04:00:00Z', uplift: 2 }]));
    const plain = await forecast({ accountType: 'web', applications: ['web'] });
    const withEvent = await forecast({ accountType: 'web', applications: ['web'], events: eventsFile });
    const ratio = (withEvent.metrics.cpu['0.5'] as number[]).map((v, h) => v / (plain.metrics.cpu['0.5']?.[h] as number));
    expect(ratio.map((r) => Number(r.toFixed(4)))).toEqual([1, 1, 2, 2, 1, 1]);
  });

  it('forecasts a header-only history with the model from --start (cold start)', async () => {
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, 'timestamp,cpu,memory,storage,network\n');
    const result = await forecast({ history: empty, start: '2026-01-01T08:00:00Z', accountType: 'web' });
    expect(result.start).toBe('2026-01-01T08:00:00.000Z');
    await expect(forecast({ history: empty })).rejects.toThrow(/empty\.csv: the usage history is empty and no forecast start was given/);
  });

  it('rejects bad quantiles, unknown predictors and a missing model with a clear message', async () => {
    await expect(forecast({ quantiles: '0.5,1.5' })).rejects.toThrow(/"1.5" is not a decimal in \(0, 1\)/);
    await expect(forecast({ model: 'prophet' })).rejects.toThrow(/--model "prophet": use "model" .* or "baseline"/);
    await expect(forecast({ modelDir: path.join(dir, 'no-model') })).rejects.toThrow(/--model-dir .*no-model: .*manifest\.json does not exist \(--model baseline needs no model\)/);
  });
});
