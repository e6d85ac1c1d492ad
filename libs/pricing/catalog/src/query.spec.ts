import { UndatedCatalogError } from './errors';
import { catalogAgeDays, rowsFor, unitPrices } from './query';
import { type CatalogRow, type PriceCatalog, catalogRowSchema, priceCatalogSchema } from './schema';

function row(overrides: Partial<CatalogRow>): CatalogRow {
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
    spotHourly: 0.05,
    spotInterruptionRate: null,
    commitmentModel: 'committed',
    commitment1yHourly: 0.13,
    commitment3yHourly: 0.09,
    source: 'test',
    snapshotDate: '2026-07-30',
    ...overrides,
  };
}

function catalogOf(rows: CatalogRow[]): PriceCatalog {
  return {
    catalogVersion: '0123456789ab',
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

const catalog = catalogOf([
  row({}),
  row({ region: 'us-east1' }),
  row({ cloud: 'aws', region: 'eu-west-1', instanceType: 'm7i.xlarge', family: 'm7i', snapshotDate: '2024-04-04' }),
  row({ cloud: 'aws', region: 'us-east-1', instanceType: 'm7g.xlarge', family: 'm7g', architecture: 'arm64', snapshotDate: '2024-04-04' }),
  row({ cloud: 'azure', region: 'westeurope', instanceType: 'Standard_D4s_v5', family: 'Dsv5', snapshotDate: null }),
]);

describe('rowsFor', () => {
  it('keeps the allowed clouds in every region when no region is given', () => {
    expect(rowsFor(catalog, { clouds: ['gcp'] }).map((r) => r.region)).toEqual(['europe-west1', 'us-east1']);
  });

  it('applies the region list across clouds', () => {
    const rows = rowsFor(catalog, { clouds: ['gcp', 'aws'], regions: ['europe-west1', 'eu-west-1', 'westeurope'] });
    expect(rows.map((r) => `${r.cloud}/${r.region}`)).toEqual(['gcp/europe-west1', 'aws/eu-west-1']);
  });

  it('keeps only the allowed families (any case) and architectures', () => {
    const types = (filter: Parameters<typeof rowsFor>[1]) => rowsFor(catalog, filter).map((r) => r.instanceType);
    expect(types({ clouds: ['aws', 'azure'], families: ['M7I', 'dsv5'] })).toEqual(['m7i.xlarge', 'Standard_D4s_v5']);
    expect(types({ clouds: ['aws', 'gcp'], architectures: ['arm64'] })).toEqual(['m7g.xlarge']);
    expect(types({ clouds: ['aws'], families: ['m7i'], architectures: ['arm64'] })).toEqual([]);
  });

  it('returns nothing when no region of the allowed clouds is allowed', () => {
    expect(rowsFor(catalog, { clouds: ['azure'], regions: ['us-east1'] })).toEqual([]);
  });
});

describe('catalogAgeDays', () => {
  const now = new Date('2026-08-09T12:00:00Z');

  it('counts whole days from the oldest dated price of the catalog', () => {
    expect(catalogAgeDays(catalog, new Date('2024-04-14T23:00:00Z'))).toBe(10);
  });

  it('counts from the rows given, so a plan reports the age of the prices it used', () => {
    expect(catalogAgeDays(catalog, now, [row({})])).toBe(10);
  });

  it('falls back to the oldest catalog date for undated rows', () => {
    const undated = catalog.rows.filter((r) => r.snapshotDate === null);
    expect(catalogAgeDays(catalog, new Date('2024-04-05T00:00:00Z'), undated)).toBe(1);
  });

  it('never reports a negative age', () => {
    expect(catalogAgeDays(catalog, new Date('2020-01-01T00:00:00Z'))).toBe(0);
  });

  it('refuses a catalog without any date', () => {
    const undated = catalogOf([row({ snapshotDate: null })]);
    expect(() => catalogAgeDays(undated, now)).toThrow(UndatedCatalogError);
  });
});

describe('unitPrices', () => {
  it('names the known prices with the contract pricing models', () => {
    expect(unitPrices(row({}))).toEqual([
      { pricingModel: 'on-demand', hourly: 0.2 },
      { pricingModel: 'spot', hourly: 0.05 },
      { pricingModel: 'committed-1y', hourly: 0.13 },
      { pricingModel: 'committed-3y', hourly: 0.09 },
    ]);
  });

  it('leaves unknown prices out', () => {
    const onDemandOnly = row({ spotHourly: null, commitmentModel: null, commitment1yHourly: null, commitment3yHourly: null });
    expect(unitPrices(onDemandOnly)).toEqual([{ pricingModel: 'on-demand', hourly: 0.2 }]);
  });
});

describe('catalog schema', () => {
  it('accepts a consistent row', () => {
    expect(catalogRowSchema.safeParse(row({})).success).toBe(true);
    expect(catalogRowSchema.safeParse(row({ spotInterruptionRate: 0.05 })).success).toBe(true);
  });

  it('reads a row without an interruption rate as unknown (null)', () => {
    const { spotInterruptionRate: _, ...stored } = row({});
    expect(catalogRowSchema.parse(stored).spotInterruptionRate).toBeNull();
  });

  it.each([
    ['a zero price instead of null', { spotHourly: 0 }],
    ['a negative price', { onDemandHourly: -0.1 }],
    ['spot at the on-demand price', { spotHourly: 0.2 }],
    ['commitment prices without a commitment model', { commitmentModel: null }],
    ['a commitment model without prices', { commitment1yHourly: null, commitment3yHourly: null }],
    ['an architecture outside x86_64/arm64', { architecture: 'i386' }],
    ['an interruption rate without a spot price', { spotHourly: null, spotInterruptionRate: 0.05 }],
    ['an interruption rate above 1', { spotInterruptionRate: 1.5 }],
  ])('rejects %s', (_name, overrides) => {
    expect(catalogRowSchema.safeParse({ ...row({}), ...overrides }).success).toBe(false);
  });

  it('rejects duplicate rows and rows from an unknown source', () => {
    expect(priceCatalogSchema.safeParse(catalogOf([row({}), row({})])).success).toBe(false);
    expect(priceCatalogSchema.safeParse(catalogOf([row({ source: 'elsewhere' })])).success).toBe(false);
  });
});
