import type { Cloud } from '@clonecast/contracts';
import { type CatalogOrigin, type RefreshedPrices, loadCatalog, mergeRefreshed, writeCatalogAtomically } from '@clonecast/pricing/catalog';
import { PriceRefreshError, UnknownRegionError } from './errors';
import { type PriceRefresher, type RefreshOutcome, cloudOfRegion, specIndexOf } from './refresher';

export interface CloudRefreshReport {
  cloud: Cloud;
  status: 'refreshed' | 'failed';
  regions: string[];
  rows: number;
  /** API records left out, by reason */
  skipped: Record<string, number>;
  error: { code: string; message: string } | null;
}

export interface RefreshReport {
  catalogDir: string;
  /** The catalog the refresh started from and that stays in use when every cloud fails. */
  previous: { catalogVersion: string; origin: CatalogOrigin; rejected: string | null };
  /** true when a merged catalog was written; false keeps the last good catalog untouched. */
  wrote: boolean;
  file: string | null;
  catalogVersion: string;
  clouds: CloudRefreshReport[];
}

export interface RefreshCatalogOptions {
  dir: string;
  refreshers: readonly PriceRefresher[];
  /** Regions of any cloud; absent = the regions each cloud already has in the catalog. */
  regions?: readonly string[];
  now: Date;
}

/** Splits a cross-cloud region list by the naming scheme of each provider. */
export function regionsByCloud(regions: readonly string[]): Map<Cloud, string[]> {
  const byCloud = new Map<Cloud, string[]>();
  for (const region of regions) {
    const cloud = cloudOfRegion(region);
    if (!cloud) throw new UnknownRegionError(region);
    byCloud.set(cloud, [...(byCloud.get(cloud) ?? []), region]);
  }
  return byCloud;
}

/**
 * Refreshes each cloud from its API and merges the successful ones into the last good catalog, written
 * atomically. A cloud that fails leaves its rows as they were; when all fail nothing is written.
 */
export async function refreshCatalog(options: RefreshCatalogOptions): Promise<RefreshReport> {
  const loaded = loadCatalog(options.dir);
  const base = loaded.catalog;
  const requested = options.regions ? regionsByCloud(options.regions) : undefined;
  const regionsOf = (cloud: Cloud) =>
    requested ? (requested.get(cloud) ?? []) : [...new Set(base.rows.filter((r) => r.cloud === cloud).map((r) => r.region))].sort();

  const settled = await Promise.allSettled(
    options.refreshers.map(async (refresher): Promise<RefreshOutcome> => {
      const regions = regionsOf(refresher.cloud);
      if (regions.length === 0) return { cloud: refresher.cloud, sources: [], rows: [], skipped: {} };
      return refresher.refresh({ regions, now: options.now, specs: specIndexOf(base, refresher.cloud) });
    }),
  );

  const clouds: CloudRefreshReport[] = [];
  const fresh: RefreshedPrices[] = [];
  settled.forEach((result, i) => {
    const cloud = options.refreshers[i]?.cloud ?? 'aws';
    const regions = regionsOf(cloud);
    if (result.status === 'fulfilled') {
      if (result.value.rows.length > 0) fresh.push(result.value);
      clouds.push({ cloud, status: 'refreshed', regions, rows: result.value.rows.length, skipped: result.value.skipped, error: null });
    } else {
      clouds.push({ cloud, status: 'failed', regions, rows: 0, skipped: {}, error: errorOf(result.reason) });
    }
  });

  const previous = { catalogVersion: base.catalogVersion, origin: loaded.origin, rejected: loaded.rejected };
  if (fresh.length === 0) return { catalogDir: options.dir, previous, wrote: false, file: loaded.file, catalogVersion: base.catalogVersion, clouds };
  try {
    const merged = mergeRefreshed(base, fresh);
    const file = writeCatalogAtomically(options.dir, merged);
    return { catalogDir: options.dir, previous, wrote: true, file, catalogVersion: merged.catalogVersion, clouds };
  } catch (error) {
    // The fetched prices were good individually but could not be stored: keep the last good catalog.
    const failure = errorOf(error);
    const failed = clouds.map((c) => (c.status === 'refreshed' && c.rows > 0 ? { ...c, status: 'failed' as const, error: failure } : c));
    return { catalogDir: options.dir, previous, wrote: false, file: loaded.file, catalogVersion: base.catalogVersion, clouds: failed };
  }
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof PriceRefreshError) return { code: error.code, message: error.message };
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : 'REFRESH_FAILED', message: (error as Error).message ?? String(error) };
}
