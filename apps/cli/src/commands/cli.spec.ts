import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { anAccountProfile, syntheticHistory } from '@clonecast/platform/testing';
import { UsageError } from '../cli-error';
import { buildCloneRequest, type CloneRequestOptions } from './clone';
import { runForecast } from './forecast';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-spec-'));
const profileFile = path.join(dir, 'profile.json');
writeFileSync(profileFile, JSON.stringify(anAccountProfile({ accountId: 'shop-prod' })));
const csvFile = path.join(dir, 'history.csv');
writeFileSync(csvFile, ['timestamp,cpu,memory,storage,network', ...syntheticHistory().map((r) => `${r.timestamp},${r.cpu},${r.memory},${r.storage},${r.network}`)].join('\n'));

const base: CloneRequestOptions = { profile: profileFile, timeframeHours: 24, clouds: ['gcp', 'aws'], serviceLevel: 0.95, wait: false, timeoutSeconds: 10, json: true };

describe('clonecast clone request', () => {
  it('builds a valid clone.requested from a profile file', () => {
    const request = buildCloneRequest({ ...base, target: 'shop-staging', activationAt: '2026-01-01T08:00:00Z' }, new Date());
    expect(request.spec).toMatchObject({ sourceAccountId: 'shop-prod', targetAccountId: 'shop-staging', activationAt: '2026-01-01T08:00:00.000Z', constraints: { clouds: ['gcp', 'aws'] } });
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
  it('keeps quantile keys exactly as given and starts the hour after the last row', () => {
    const forecast = runForecast({ history: csvFile, horizonHours: 6, quantiles: '0.1,0.50,0.9', model: 'baseline', json: true });
    expect(Object.keys(forecast.metrics.cpu)).toEqual(['0.1', '0.50', '0.9']);
    expect(forecast.start).toBe('2025-10-29T00:00:00.000Z');
    expect(forecast.timestamps).toHaveLength(6);
  });

  it('rejects bad quantiles and unknown models with a clear message', () => {
    expect(() => runForecast({ history: csvFile, horizonHours: 6, quantiles: '0.5,1.5', model: 'baseline', json: true })).toThrow(/"1.5" is not a decimal in \(0, 1\)/);
    expect(() => runForecast({ history: csvFile, horizonHours: 6, quantiles: '0.5', model: 'prophet', json: true })).toThrow(/only "baseline"/);
  });
});
