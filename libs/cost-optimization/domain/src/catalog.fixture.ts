import type { CatalogRow, PriceCatalog } from '@clonecast/pricing/catalog';

// Test data for the planners' specs: one GCP on-demand row by default, overridden per case.

export function row(overrides: Partial<CatalogRow>): CatalogRow {
  return {
    cloud: 'gcp',
    region: 'europe-west1',
    instanceType: 'n2-standard-4',
    family: 'n2',
    architecture: 'x86_64',
    vcpu: 4,
    memoryGiB: 16,
    gpu: 0,
    onDemandHourly: 0.2,
    spotHourly: null,
    spotInterruptionRate: null,
    commitmentModel: null,
    commitment1yHourly: null,
    commitment3yHourly: null,
    source: 'test',
    snapshotDate: '2026-07-30',
    ...overrides,
  };
}

// Small GCP on-demand/spot types and one with commitment prices: the toy catalogs of the optimiser's specs.
export const small = row({ instanceType: 'n2-standard-4', vcpu: 4, memoryGiB: 16, onDemandHourly: 0.2, spotHourly: 0.06 });
export const highcpu = row({ instanceType: 'n2-highcpu-8', vcpu: 8, memoryGiB: 8, onDemandHourly: 0.29, spotHourly: 0.09 });
export const highmem = row({ instanceType: 'n2-highmem-2', vcpu: 2, memoryGiB: 16, onDemandHourly: 0.13, spotHourly: 0.04 });
export const committed = row({
  instanceType: 'n2-standard-8',
  vcpu: 8,
  memoryGiB: 32,
  onDemandHourly: 0.39,
  spotHourly: 0.12,
  commitmentModel: 'committed',
  commitment1yHourly: 0.25,
  commitment3yHourly: 0.18,
});

export function catalogOf(rows: CatalogRow[]): PriceCatalog {
  return {
    catalogVersion: 'abcdef012345',
    currency: 'USD',
    sources: [
      {
        id: 'test',
        cloud: 'gcp',
        provides: ['on-demand'],
        repository: 'example/prices',
        path: 'prices.yml',
        commit: 'a'.repeat(40),
        inputSha256: 'b'.repeat(64),
        snapshotDate: '2026-07-30',
        licence: 'MIT',
      },
    ],
    rows,
  };
}
