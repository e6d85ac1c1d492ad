import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBundledCatalog } from './bundled';
import { InvalidCatalogError } from './errors';
import { catalogVersionOf, mergeRefreshed } from './merge';
import { sourceAges } from './query';
import type { ApiSource, CatalogRow } from './schema';
import { catalogDir, catalogFile, loadCatalog, readLastGoodCatalog, writeCatalogAtomically } from './store';

const bundled = loadBundledCatalog();
const source: ApiSource = {
  id: 'gcp-cloud-billing-catalog-api',
  cloud: 'gcp',
  provides: ['on-demand'],
  api: 'Cloud Billing Catalog',
  endpoint: 'https://cloudbilling.googleapis.com',
  fetchedAt: '2026-08-09T12:00:00.000Z',
  snapshotDate: '2026-08-09',
  licence: 'LicenseRef-Google-Cloud-pricing-terms',
};
const existing = bundled.rows.find((r) => r.cloud === 'gcp' && r.region === 'us-east1' && r.instanceType === 'e2-standard-2') as CatalogRow;
const fresh: CatalogRow = { ...existing, onDemandHourly: 0.07, spotHourly: null, commitmentModel: null, commitment1yHourly: null, commitment3yHourly: null, source: source.id, snapshotDate: '2026-08-09' };
const added: CatalogRow = { ...fresh, region: 'asia-southeast1' };

describe('mergeRefreshed', () => {
  const merged = mergeRefreshed(bundled, [{ cloud: 'gcp', sources: [source], rows: [fresh, added] }]);

  it('replaces a refreshed row whole and adds new ones; other rows keep their source', () => {
    expect(merged.rows).toHaveLength(bundled.rows.length + 1);
    expect(merged.rows.find((r) => r.region === 'us-east1' && r.instanceType === 'e2-standard-2')).toEqual(fresh);
    expect(merged.rows.find((r) => r.region === 'us-east1' && r.instanceType === 'n2-standard-2')?.source).toBe('gcp-cyclenerd');
    expect(merged.apiSources).toEqual([source]);
    expect(merged.sources).toEqual(bundled.sources);
    expect(merged.catalogVersion).toBe(catalogVersionOf(merged.rows));
    expect(merged.catalogVersion).not.toBe(bundled.catalogVersion);
  });

  it('replaces an older entry of the same API source', () => {
    const later = { ...source, fetchedAt: '2026-08-20T00:00:00.000Z', snapshotDate: '2026-08-20' };
    const again = mergeRefreshed(merged, [{ cloud: 'gcp', sources: [later], rows: [{ ...fresh, snapshotDate: '2026-08-20' }] }]);
    expect(again.apiSources).toEqual([later]);
    // asia-southeast1 was not refetched: it keeps its older date, and the source's age says so.
    const age = sourceAges(again, new Date('2026-08-20T12:00:00Z')).find((a) => a.source === source.id);
    expect(age).toEqual({ source: source.id, cloud: 'gcp', rows: 2, oldestSnapshotDate: '2026-08-09', ageDays: 11 });
  });

  it('refuses rows that break the schema or cite an unknown source', () => {
    expect(() => mergeRefreshed(bundled, [{ cloud: 'gcp', sources: [], rows: [fresh] }])).toThrow(InvalidCatalogError);
    expect(() => mergeRefreshed(bundled, [{ cloud: 'aws', sources: [source], rows: [fresh] }])).toThrow(/refreshed aws prices contain a gcp row/);
  });
});

describe('catalog store', () => {
  const merged = mergeRefreshed(bundled, [{ cloud: 'gcp', sources: [source], rows: [fresh] }]);

  it('defaults to .clonecast/catalog and honours CLONECAST_CATALOG_DIR', () => {
    expect(catalogDir({})).toBe(path.resolve('.clonecast/catalog'));
    expect(catalogDir({ CLONECAST_CATALOG_DIR: '/tmp/prices' })).toBe('/tmp/prices');
  });

  it('writes atomically (no temporary file left) and reads back the same catalog', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'store-')), 'nested');
    expect(writeCatalogAtomically(dir, merged)).toBe(catalogFile(dir));
    expect(readdirSync(dir)).toEqual(['catalog.json']);
    expect(readLastGoodCatalog(dir)).toEqual(merged);
    expect(loadCatalog(dir)).toMatchObject({ origin: 'refreshed', file: catalogFile(dir), rejected: null });
  });

  it('loads the bundled snapshot when no refresh has succeeded yet', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
    expect(loadCatalog(dir)).toEqual({ catalog: bundled, origin: 'bundled', file: null, rejected: null });
  });

  it('ignores a catalog file that fails the schema, and says why', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
    writeFileSync(catalogFile(dir), JSON.stringify({ ...merged, rows: [{ ...fresh, onDemandHourly: 0 }] }));
    const loaded = loadCatalog(dir);
    expect(loaded.origin).toBe('bundled');
    expect(loaded.rejected).toMatch(/does not match its schema/);
    expect(readFileSync(catalogFile(dir), 'utf8')).toContain('"onDemandHourly":0');
  });

  it('never writes an invalid catalog', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
    expect(() => writeCatalogAtomically(dir, { ...merged, rows: [] })).toThrow(InvalidCatalogError);
  });
});
