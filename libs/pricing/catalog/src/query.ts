import type { Architecture, Cloud, PricingModel } from '@clonecast/contracts';
import { UndatedCatalogError } from './errors';
import { type CatalogRow, type PriceCatalog, allSources } from './schema';

export interface RowFilter {
  clouds: readonly Cloud[];
  /** Allowed regions of any cloud; absent = every region of the allowed clouds. */
  regions?: readonly string[];
  /** Allowed instance families, matched without regard to case ("dsv5" = "Dsv5"); absent = every family. */
  families?: readonly string[];
  /** Allowed CPU architectures; absent = both. */
  architectures?: readonly Architecture[];
}

export function rowsFor(catalog: PriceCatalog, filter: RowFilter): CatalogRow[] {
  const clouds = new Set(filter.clouds);
  const regions = filter.regions ? new Set(filter.regions) : undefined;
  const families = filter.families ? new Set(filter.families.map((f) => f.toLowerCase())) : undefined;
  const architectures = filter.architectures ? new Set(filter.architectures) : undefined;
  return catalog.rows.filter(
    (row) =>
      clouds.has(row.cloud) &&
      (!regions || regions.has(row.region)) &&
      (!families || families.has(row.family.toLowerCase())) &&
      (!architectures || architectures.has(row.architecture)),
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whole days since the oldest dated price among `rows` (default: the whole catalog), so a plan can report
 * the age of the prices it actually used. Undated rows (source without a date) fall back to the oldest
 * date of the catalog: the conservative answer. A clock before the snapshot gives 0, not a negative age.
 */
export function catalogAgeDays(catalog: PriceCatalog, now: Date, rows: readonly CatalogRow[] = catalog.rows): number {
  const oldest = oldestSnapshotDate(rows) ?? oldestSnapshotDate(catalog.rows);
  if (oldest === undefined) throw new UndatedCatalogError(catalog.catalogVersion);
  return Math.max(0, Math.floor((now.getTime() - Date.parse(`${oldest}T00:00:00Z`)) / DAY_MS));
}

function oldestSnapshotDate(rows: readonly CatalogRow[]): string | undefined {
  let oldest: string | undefined;
  for (const row of rows) if (row.snapshotDate !== null && (oldest === undefined || row.snapshotDate < oldest)) oldest = row.snapshotDate;
  return oldest;
}

export interface UnitPrice {
  pricingModel: PricingModel;
  hourly: number;
}

/** The row's known prices under the contracts' pricing-model names; unknown prices are left out. */
export function unitPrices(row: CatalogRow): UnitPrice[] {
  const prices: UnitPrice[] = [{ pricingModel: 'on-demand', hourly: row.onDemandHourly }];
  if (row.spotHourly !== null) prices.push({ pricingModel: 'spot', hourly: row.spotHourly });
  if (row.commitmentModel !== null) {
    if (row.commitment1yHourly !== null)
      prices.push({ pricingModel: `${row.commitmentModel}-1y`, hourly: row.commitment1yHourly });
    if (row.commitment3yHourly !== null)
      prices.push({ pricingModel: `${row.commitmentModel}-3y`, hourly: row.commitment3yHourly });
  }
  return prices;
}

export interface SourceAge {
  source: string;
  cloud: Cloud;
  rows: number;
  /** Oldest snapshot date among the source's rows (a refreshed source keeps older rows it did not refetch). */
  oldestSnapshotDate: string | null;
  /** Whole days since oldestSnapshotDate; null when the source has no dated row. */
  ageDays: number | null;
}

/** How old each source's prices are, from the rows that cite it; sources without rows report 0 rows and no age. */
export function sourceAges(catalog: PriceCatalog, now: Date): SourceAge[] {
  return allSources(catalog).map((source) => {
    const rows = catalog.rows.filter((row) => row.source === source.id);
    const oldest = oldestSnapshotDate(rows) ?? null;
    const ageDays = oldest === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(`${oldest}T00:00:00Z`)) / DAY_MS));
    return { source: source.id, cloud: source.cloud, rows: rows.length, oldestSnapshotDate: oldest, ageDays };
  });
}
