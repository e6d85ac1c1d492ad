import { createHash } from 'node:crypto';
import { CLOUDS } from '@clonecast/contracts';
import snapshot from '../data/catalog.snapshot.json';
import { loadBundledCatalog } from './bundled';
import { priceCatalogSchema } from './schema';

const catalog = loadBundledCatalog();
const PRICE_FIELDS = ['onDemandHourly', 'spotHourly', 'commitment1yHourly', 'commitment3yHourly'] as const;

describe('bundled catalog snapshot', () => {
  it('validates against the catalog schema', () => {
    expect(priceCatalogSchema.safeParse(snapshot).success).toBe(true);
  });

  it('is validated once and shared frozen', () => {
    expect(loadBundledCatalog()).toBe(catalog);
    expect(Object.isFrozen(catalog.rows)).toBe(true);
    expect(catalog.rows.every((row) => Object.isFrozen(row))).toBe(true);
  });

  it('has a catalogVersion that is the hash of its rows', () => {
    const hash = createHash('sha256').update(JSON.stringify(catalog.rows)).digest('hex');
    expect(catalog.catalogVersion).toBe(hash.slice(0, 12));
  });

  it.each(CLOUDS)('covers %s in US and EU regions', (cloud) => {
    const regions = new Set(catalog.rows.filter((r) => r.cloud === cloud).map((r) => r.region));
    expect(regions.size).toBeGreaterThanOrEqual(6);
    expect([...regions].some((r) => /^(us-|eastus|centralus|westus)/.test(r))).toBe(true);
    expect([...regions].some((r) => /^(eu-|europe-|westeurope|northeurope|germany)/.test(r))).toBe(true);
  });

  it('has both architectures on every cloud', () => {
    for (const cloud of CLOUDS) {
      const architectures = new Set(catalog.rows.filter((r) => r.cloud === cloud).map((r) => r.architecture));
      expect([...architectures].sort()).toEqual(['arm64', 'x86_64']);
    }
  });

  it('has no zero or negative price: a price is positive or null', () => {
    for (const row of catalog.rows)
      for (const field of PRICE_FIELDS) {
        const price = row[field];
        if (price !== null) expect(price).toBeGreaterThan(0);
      }
  });

  it('prices spot and commitments below on-demand', () => {
    for (const row of catalog.rows) {
      for (const price of [row.spotHourly, row.commitment1yHourly, row.commitment3yHourly])
        if (price !== null) expect(price).toBeLessThan(row.onDemandHourly);
      if (row.commitment1yHourly !== null && row.commitment3yHourly !== null)
        expect(row.commitment3yHourly).toBeLessThan(row.commitment1yHourly);
    }
  });

  it('leaves prices the sources do not have as null', () => {
    const aws = catalog.rows.filter((r) => r.cloud === 'aws');
    expect(aws.every((r) => r.commitmentModel === null && r.commitment1yHourly === null)).toBe(true);
    const azureEurope = catalog.rows.filter((r) => r.cloud === 'azure' && r.region === 'westeurope');
    expect(azureEurope.length).toBeGreaterThan(0);
    expect(azureEurope.every((r) => r.spotHourly === null)).toBe(true);
    const gcp = catalog.rows.filter((r) => r.cloud === 'gcp');
    expect(gcp.every((r) => r.commitmentModel === 'committed')).toBe(true);
  });

  it('keeps Azure prices size-linear within a series, so contaminated karpenter prices are gone', () => {
    const perVcpu = new Map<string, number[]>();
    for (const row of catalog.rows.filter((r) => r.cloud === 'azure')) {
      const key = `${row.region}/${row.family}`;
      perVcpu.set(key, [...(perVcpu.get(key) ?? []), row.onDemandHourly / row.vcpu]);
    }
    for (const prices of perVcpu.values()) expect(Math.max(...prices) / Math.min(...prices)).toBeLessThan(1.5);
  });

  it('prefers the SkyPilot Azure price over the contaminated karpenter one', () => {
    const row = catalog.rows.find((r) => r.region === 'eastus' && r.instanceType === 'Standard_D2as_v5');
    expect(row).toMatchObject({ onDemandHourly: 0.086, source: 'azure-skypilot-v6', snapshotDate: null });
  });

  it('dates every price source it can and names a licence for each', () => {
    const byId = new Map(catalog.sources.map((s) => [s.id, s]));
    for (const row of catalog.rows) expect(byId.get(row.source)?.snapshotDate ?? null).toBe(row.snapshotDate);
    expect(catalog.sources.every((s) => s.licence.length > 0)).toBe(true);
  });
});
