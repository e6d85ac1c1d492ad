import { createHash } from 'node:crypto';
import type { Cloud } from '@clonecast/contracts';
import { z } from 'zod';
import { InvalidCatalogError } from './errors';
import { type ApiSource, type CatalogRow, type PriceCatalog, priceCatalogSchema } from './schema';

/** Rows one refresher read for one cloud, with the API sources they cite. */
export interface RefreshedPrices {
  cloud: Cloud;
  sources: ApiSource[];
  rows: CatalogRow[];
}

/** First 12 hex digits of sha256(JSON of rows): the same rule the snapshot build uses. */
export function catalogVersionOf(rows: readonly CatalogRow[]): string {
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 12);
}

export function rowKey(row: Pick<CatalogRow, 'cloud' | 'region' | 'instanceType'>): string {
  return `${row.cloud}/${row.region}/${row.instanceType}`;
}

/**
 * Upserts fresh rows into the last good catalog: a fresh row replaces the whole row with the same
 * cloud/region/instance type (prices from different fetches are never mixed in one row); rows the refresh
 * did not return are kept with their own source and date. A refreshed source replaces its older entry.
 * The result is validated, so a refresh can never produce a catalog the loader would reject.
 */
export function mergeRefreshed(base: PriceCatalog, refreshed: readonly RefreshedPrices[]): PriceCatalog {
  const rows = new Map<string, CatalogRow>(base.rows.map((row) => [rowKey(row), row]));
  const apiSources = new Map<string, ApiSource>((base.apiSources ?? []).map((source) => [source.id, source]));
  for (const part of refreshed) {
    for (const source of part.sources) apiSources.set(source.id, source);
    for (const row of part.rows) {
      if (row.cloud !== part.cloud) throw new InvalidCatalogError(`refreshed ${part.cloud} prices contain a ${row.cloud} row (${rowKey(row)})`);
      rows.set(rowKey(row), row);
    }
  }
  const mergedRows = [...rows.values()];
  const candidate = {
    catalogVersion: catalogVersionOf(mergedRows),
    currency: 'USD' as const,
    sources: base.sources,
    apiSources: [...apiSources.values()],
    rows: mergedRows,
  };
  const parsed = priceCatalogSchema.safeParse(candidate);
  if (!parsed.success) throw new InvalidCatalogError(z.prettifyError(parsed.error));
  return parsed.data;
}
