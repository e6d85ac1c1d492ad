import { mkdtempSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import { UsageError } from '../cli-error';
import { type CatalogRefreshOptions, runCatalogExport, runCatalogRefresh, runCatalogShow } from './catalog';

const fixtures = path.resolve(__dirname, '../../../../libs/pricing/adapters/test/fixtures/gcp');
const page1 = readFileSync(path.join(fixtures, 'skus-page-1.opencost.json'), 'utf8');
const page2 = readFileSync(path.join(fixtures, 'skus-page-2.cyclenerd-vpn-egress.derived.json'), 'utf8');
const token = (JSON.parse(page1) as { nextPageToken: string }).nextPageToken;

/** Replays the recorded Cloud Billing Catalog pages; any other path answers 503 like a service that is down. */
async function replay(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://replay');
    if (url.pathname !== '/v1/services/6F81-5844-456A/skus') {
      res.writeHead(503).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(url.searchParams.get('pageToken') === token ? page2 : page1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const now = new Date('2026-08-09T12:00:00Z');
const base: CatalogRefreshOptions = { azureApi: 'retail-prices', json: true };

describe('clonecast catalog', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => ({ server, origin } = await replay()));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refresh writes the merged catalog; show and export read it back', async () => {
    const env = { CLONECAST_CATALOG_DIR: mkdtempSync(path.join(os.tmpdir(), 'cli-catalog-')) };
    expect(runCatalogShow(now, env)).toMatchObject({ origin: 'bundled', file: null });

    const report = await runCatalogRefresh({ ...base, clouds: ['gcp'], regions: ['us-central1'], endpointGcp: origin }, now, env);
    expect(report).toMatchObject({ wrote: true, clouds: [{ cloud: 'gcp', status: 'refreshed', rows: 14, regions: ['us-central1'] }] });

    const summary = runCatalogShow(now, env);
    expect(summary).toMatchObject({ origin: 'refreshed', catalogVersion: report.catalogVersion, file: path.join(env.CLONECAST_CATALOG_DIR, 'catalog.json') });
    expect(summary.rowsPerCloud).toEqual({ aws: 1105, azure: 588, gcp: 1208 });
    expect(summary.sources.find((s) => s.source === 'gcp-cloud-billing-catalog-api')).toEqual({
      source: 'gcp-cloud-billing-catalog-api',
      cloud: 'gcp',
      kind: 'api',
      rows: 14,
      oldestSnapshotDate: '2026-08-09',
      ageDays: 0,
      fetchedAt: now.toISOString(),
    });
    expect(summary.sources.find((s) => s.source === 'aws-ec2instances-info')).toMatchObject({ kind: 'snapshot', ageDays: 857 });

    const rows = runCatalogExport({ clouds: ['gcp'], regions: ['us-central1'], json: true }, env);
    const e2 = rows.find((r) => r.instanceType === 'e2-standard-2');
    expect(e2).toEqual({
      cloud: 'gcp',
      region: 'us-central1',
      instanceType: 'e2-standard-2',
      family: 'e2',
      architecture: 'x86_64',
      vcpu: 2,
      memoryGiB: 8,
      onDemandHourly: 0.067011,
      // The Catalog pages have no Preemptible or commitment SKUs: unknown, not copied from the older snapshot.
      spotHourly: null,
      spotInterruptionRate: null,
      commitmentModel: null,
      commitment1yHourly: null,
      commitment3yHourly: null,
      source: 'gcp-cloud-billing-catalog-api',
      snapshotDate: '2026-08-09',
    });
  });

  it('a failing source keeps the last good catalog and says so', async () => {
    const env = { CLONECAST_CATALOG_DIR: mkdtempSync(path.join(os.tmpdir(), 'cli-catalog-')) };
    const good = await runCatalogRefresh({ ...base, clouds: ['gcp'], endpointGcp: origin }, now, env);
    const failed = await runCatalogRefresh({ ...base, clouds: ['aws', 'azure'], endpointAws: origin, endpointAzure: origin }, now, env);
    expect(failed.wrote).toBe(false);
    expect(failed.clouds.map((c) => [c.cloud, c.status, c.error?.code])).toEqual([
      ['aws', 'failed', 'SOURCE_UNAVAILABLE'],
      ['azure', 'failed', 'SOURCE_UNAVAILABLE'],
    ]);
    expect(runCatalogShow(now, env)).toMatchObject({ origin: 'refreshed', catalogVersion: good.catalogVersion });
  });

  it('export prints every bundled row with nulls for unknown prices', () => {
    const env = { CLONECAST_CATALOG_DIR: mkdtempSync(path.join(os.tmpdir(), 'cli-catalog-')) };
    const rows = runCatalogExport({ json: true }, env);
    expect(rows).toHaveLength(loadBundledCatalog().rows.length);
    expect(rows.find((r) => r.cloud === 'azure' && r.region === 'westeurope')).toMatchObject({ spotHourly: null, commitment1yHourly: null });
  });

  it('says which option is wrong', async () => {
    const env = { CLONECAST_CATALOG_DIR: mkdtempSync(path.join(os.tmpdir(), 'cli-catalog-')) };
    expect(() => runCatalogExport({ clouds: ['ibm'], json: true }, env)).toThrow(new UsageError('--clouds: unknown cloud "ibm" (use aws, azure, gcp)'));
    expect(() => runCatalogExport({ regions: ['Mars 1'], json: true }, env)).toThrow(UsageError);
    await expect(runCatalogRefresh({ ...base, endpointAws: 'localhost:1' }, now, env)).rejects.toThrow(/--endpoint-aws must be/);
    await expect(runCatalogRefresh({ ...base, clouds: ['azure'], azureApi: 'ratecard' }, now, env)).rejects.toThrow(/AZURE_SUBSCRIPTION_ID/);
  });
});
