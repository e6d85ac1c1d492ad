import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogAgeDays, catalogFile, loadBundledCatalog, loadCatalog } from '@clonecast/pricing/catalog';
import { AwsPriceRefresher, AzureRetailPricesRefresher, GcpBillingCatalogRefresher, refreshCatalog, regionsByCloud } from '../src';
import { GCP_API_KEY, type ReplayServer, awsHandler, azureRetailHandler, failingHandler, gcpHandler, startReplayServer } from './replay-server';

const now = new Date('2026-08-09T12:00:00Z');
const bundled = loadBundledCatalog();

describe('refreshCatalog end to end against the replay servers', () => {
  let aws: ReplayServer;
  let azure: ReplayServer;
  let gcp: ReplayServer;
  let down: ReplayServer;
  beforeAll(async () => {
    aws = await startReplayServer(awsHandler);
    azure = await startReplayServer(azureRetailHandler);
    gcp = await startReplayServer(gcpHandler);
    down = await startReplayServer(failingHandler);
  });
  afterAll(() => Promise.all([aws, azure, gcp, down].map((s) => s.close())));

  const healthy = () => [
    new AwsPriceRefresher({ endpoint: aws.origin, maxAttempts: 1 }),
    new AzureRetailPricesRefresher({ endpoint: azure.origin }),
    new GcpBillingCatalogRefresher({ apiEndpoint: gcp.host, protocol: 'http', apiKey: GCP_API_KEY }),
  ];

  it('merges fresh rows of all three clouds into the bundled snapshot and writes the catalog', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    const report = await refreshCatalog({ dir, refreshers: healthy(), now });
    expect(report.clouds.map((c) => [c.cloud, c.status])).toEqual([
      ['aws', 'refreshed'],
      ['azure', 'refreshed'],
      ['gcp', 'refreshed'],
    ]);
    expect(report).toMatchObject({ wrote: true, file: catalogFile(dir), previous: { origin: 'bundled', catalogVersion: bundled.catalogVersion } });
    // Default regions = the catalog's own: us-east-1 for m5.large; 14 e2 types × us-central1/us-east1/us-west1
    // (T2D is priced only in asia-southeast1, not a catalog region); no Azure size has both specs and a price.
    expect(report.clouds.map((c) => c.rows)).toEqual([1, 0, 42]);

    const loaded = loadCatalog(dir);
    expect(loaded.origin).toBe('refreshed');
    expect(loaded.catalog.catalogVersion).toBe(report.catalogVersion);
    expect(loaded.catalog.rows.length).toBe(bundled.rows.length + 1);
    const e2 = loaded.catalog.rows.find((r) => r.region === 'us-east1' && r.instanceType === 'e2-standard-2');
    expect(e2).toMatchObject({ source: 'gcp-cloud-billing-catalog-api', snapshotDate: '2026-08-09', spotHourly: null, commitment1yHourly: null });
    // An untouched row keeps its own source and date, so plans using it still report its true age.
    const n2 = loaded.catalog.rows.find((r) => r.region === 'us-east1' && r.instanceType === 'n2-standard-2');
    expect(n2?.source).toBe('gcp-cyclenerd');
    expect(catalogAgeDays(loaded.catalog, now, e2 ? [e2] : [])).toBe(0);
    expect(catalogAgeDays(loaded.catalog, now, n2 ? [n2] : [])).toBe(10);
    expect(readdirSync(dir)).toEqual(['catalog.json']);
  });

  it('keeps the last good catalog and reports the failure when a source is down', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    const first = await refreshCatalog({ dir, refreshers: healthy(), now });
    const lastGood = readFileSync(catalogFile(dir), 'utf8');

    const later = new Date('2026-08-20T12:00:00Z');
    const report = await refreshCatalog({
      dir,
      refreshers: [new AwsPriceRefresher({ endpoint: down.origin, maxAttempts: 1 }), new AzureRetailPricesRefresher({ endpoint: down.origin })],
      now: later,
    });
    expect(report.wrote).toBe(false);
    expect(report.previous).toEqual({ catalogVersion: first.catalogVersion, origin: 'refreshed', rejected: null });
    expect(report.clouds).toEqual([
      expect.objectContaining({ cloud: 'aws', status: 'failed', error: { code: 'SOURCE_UNAVAILABLE', message: expect.stringContaining('GetProducts') } }),
      expect.objectContaining({ cloud: 'azure', status: 'failed', error: { code: 'SOURCE_UNAVAILABLE', message: expect.stringContaining('HTTP 503') } }),
    ]);
    expect(readFileSync(catalogFile(dir), 'utf8')).toBe(lastGood);
    expect(loadCatalog(dir)).toMatchObject({ origin: 'refreshed', catalog: { catalogVersion: first.catalogVersion } });
  });

  it('merges the clouds that succeeded when another fails', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    const report = await refreshCatalog({
      dir,
      refreshers: [new AwsPriceRefresher({ endpoint: down.origin, maxAttempts: 1 }), new GcpBillingCatalogRefresher({ apiEndpoint: gcp.host, protocol: 'http', apiKey: GCP_API_KEY })],
      regions: ['us-east-1', 'us-central1'],
      now,
    });
    expect(report.clouds.map((c) => [c.cloud, c.status, c.regions])).toEqual([
      ['aws', 'failed', ['us-east-1']],
      ['gcp', 'refreshed', ['us-central1']],
    ]);
    expect(report.wrote).toBe(true);
    const aws = loadCatalog(dir).catalog.rows.filter((r) => r.cloud === 'aws');
    expect(aws.every((r) => r.source === 'aws-ec2instances-info')).toBe(true);
  });

  it('falls back to the bundled snapshot when the refreshed file is damaged, and refreshes from there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    writeFileSync(catalogFile(dir), '{"catalogVersion": "trunc');
    const loaded = loadCatalog(dir);
    expect(loaded).toMatchObject({ origin: 'bundled', file: null, rejected: expect.stringContaining('not valid JSON') });
    const report = await refreshCatalog({ dir, refreshers: [new AwsPriceRefresher({ endpoint: aws.origin, maxAttempts: 1 })], now });
    expect(report.previous.origin).toBe('bundled');
    expect(loadCatalog(dir).origin).toBe('refreshed');
  });
});

describe('regionsByCloud', () => {
  it('splits a cross-cloud list by provider naming', () => {
    expect(Object.fromEntries(regionsByCloud(['us-east-1', 'europe-west4', 'westeurope', 'eu-central-1']))).toEqual({
      aws: ['us-east-1', 'eu-central-1'],
      gcp: ['europe-west4'],
      azure: ['westeurope'],
    });
    expect(() => regionsByCloud(['Mars-1'])).toThrow(/not an AWS, Azure or GCP region/);
  });
});
