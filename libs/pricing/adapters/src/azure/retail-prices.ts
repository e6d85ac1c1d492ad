import { z } from 'zod';
import type { ApiSource, CatalogRow } from '@clonecast/pricing/catalog';
import { PriceSourceUnavailableError, UnexpectedPriceResponseError } from '../errors';
import { HOURS_PER_TERM, type PriceRefresher, type RefreshOutcome, type RefreshRequest, SkipCounter, catalogRow, utcDay } from '../refresher';

export const AZURE_RETAIL_PRICES_SOURCE = 'azure-retail-prices-api';
export const AZURE_RETAIL_PRICES_ENDPOINT = 'https://prices.azure.com';
const API = 'Retail Prices';
const MAX_PAGES = 2000;

const retailItemSchema = z.object({
  currencyCode: z.string(),
  tierMinimumUnits: z.number().optional(),
  retailPrice: z.number(),
  armRegionName: z.string(),
  effectiveStartDate: z.string().optional(),
  meterName: z.string(),
  productName: z.string(),
  skuName: z.string(),
  serviceName: z.string(),
  unitOfMeasure: z.string(),
  type: z.string(),
  armSkuName: z.string(),
  reservationTerm: z.string().optional(),
});
export type RetailPriceItem = z.infer<typeof retailItemSchema>;

export const retailPricesPageSchema = z.object({
  BillingCurrency: z.string().optional(),
  Items: z.array(z.unknown()),
  NextPageLink: z.string().nullable().optional(),
});

export type RetailPriceKind = 'on-demand' | 'spot' | 'reserved-1y' | 'reserved-3y';

export type ClassifiedItem =
  | { ok: true; region: string; armSkuName: string; kind: RetailPriceKind; hourly: number; effectiveStartDate: string }
  | { ok: false; reason: string };

/**
 * One Retail Prices item as a Linux VM price, or why it is not one. Windows products (" Windows", " Win"),
 * Cloud Services (same armSkuName, other prices), DevTest and Low Priority meters are left out; Spot is a
 * Consumption meter whose skuName/meterName ends in " Spot"; a Reservation's retailPrice is the whole term.
 */
export function classifyRetailItem(raw: unknown): ClassifiedItem {
  const parsed = retailItemSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'item without the retail price fields' };
  const item = parsed.data;
  if (item.serviceName !== 'Virtual Machines') return { ok: false, reason: 'not a virtual machine (service)' };
  if (/ (Windows|Win)$/.test(item.productName)) return { ok: false, reason: 'Windows product' };
  if (item.currencyCode !== 'USD') return { ok: false, reason: 'not priced in USD' };
  if ((item.tierMinimumUnits ?? 0) !== 0) return { ok: false, reason: 'higher usage tier' };
  if (item.unitOfMeasure !== '1 Hour') return { ok: false, reason: `unit "${item.unitOfMeasure}" is not 1 Hour` };
  if (!item.armSkuName || !item.armRegionName) return { ok: false, reason: 'no ARM SKU or region name' };
  if (!(item.retailPrice > 0)) return { ok: false, reason: 'zero price' };
  const lowPriority = item.skuName.endsWith(' Low Priority') || item.meterName.endsWith(' Low Priority');
  const spot = item.skuName.endsWith(' Spot') || item.meterName.endsWith(' Spot');
  const base = { ok: true as const, region: item.armRegionName, armSkuName: item.armSkuName, effectiveStartDate: item.effectiveStartDate ?? '' };
  switch (item.type) {
    case 'Consumption':
      if (lowPriority) return { ok: false, reason: 'Low Priority meter (Batch, not Spot)' };
      return { ...base, kind: spot ? 'spot' : 'on-demand', hourly: item.retailPrice };
    case 'Reservation':
      if (item.reservationTerm === '1 Year') return { ...base, kind: 'reserved-1y', hourly: item.retailPrice / HOURS_PER_TERM['1y'] };
      if (item.reservationTerm === '3 Years') return { ...base, kind: 'reserved-3y', hourly: item.retailPrice / HOURS_PER_TERM['3y'] };
      return { ok: false, reason: `reservation term "${item.reservationTerm ?? ''}"` };
    case 'DevTestConsumption':
      return { ok: false, reason: 'Dev/Test price' };
    default:
      return { ok: false, reason: `price type "${item.type}"` };
  }
}

/** Prices of one (region, size) collected over all pages; the newest effectiveStartDate of a kind wins. */
interface SizePrices {
  region: string;
  armSkuName: string;
  prices: Partial<Record<RetailPriceKind, { hourly: number; effectiveStartDate: string }>>;
}

export function collectRetailPrices(items: readonly unknown[], regions: ReadonlySet<string>, skipped: SkipCounter, into = new Map<string, SizePrices>()): Map<string, SizePrices> {
  for (const raw of items) {
    const item = classifyRetailItem(raw);
    if (!item.ok) {
      skipped.add(item.reason);
      continue;
    }
    if (!regions.has(item.region)) {
      skipped.add('outside the requested regions');
      continue;
    }
    const key = `${item.region}/${item.armSkuName}`;
    const size = into.get(key) ?? { region: item.region, armSkuName: item.armSkuName, prices: {} };
    const seen = size.prices[item.kind];
    if (!seen || item.effectiveStartDate > seen.effectiveStartDate) size.prices[item.kind] = { hourly: item.hourly, effectiveStartDate: item.effectiveStartDate };
    into.set(key, size);
  }
  return into;
}

/** `$filter` for Linux-and-Windows VM prices of the regions; Windows is dropped while parsing (no API filter for it). */
export function retailPricesFilter(regions: readonly string[]): string {
  const regionClause = regions.map((r) => `armRegionName eq '${r}'`).join(' or ');
  return `serviceName eq 'Virtual Machines' and (${regionClause})`;
}

export interface AzureRetailPricesOptions {
  /** Origin of the Retail Prices API; a replay server in tests. */
  endpoint?: string;
  fetch?: typeof fetch;
}

/** Azure VM prices from the public Retail Prices API (no subscription or credentials needed), following NextPageLink. */
export class AzureRetailPricesRefresher implements PriceRefresher {
  readonly cloud = 'azure' as const;

  constructor(private readonly options: AzureRetailPricesOptions = {}) {}

  async refresh({ regions, now, specs }: RefreshRequest): Promise<RefreshOutcome> {
    const skipped = new SkipCounter();
    const endpoint = new URL(this.options.endpoint ?? AZURE_RETAIL_PRICES_ENDPOINT);
    const first = new URL('/api/retail/prices', endpoint);
    first.searchParams.set('currencyCode', 'USD');
    first.searchParams.set('$filter', retailPricesFilter(regions));
    const sizes = new Map<string, SizePrices>();
    let next: URL | undefined = first;
    for (let page = 0; next; page += 1) {
      if (page >= MAX_PAGES) throw new UnexpectedPriceResponseError('azure', API, `more than ${MAX_PAGES} pages`);
      const body = retailPricesPageSchema.safeParse(await this.getJson(next));
      if (!body.success) throw new UnexpectedPriceResponseError('azure', API, 'page without Items');
      collectRetailPrices(body.data.Items, new Set(regions), skipped, sizes);
      next = body.data.NextPageLink ? new URL(body.data.NextPageLink) : undefined;
      // Only follow links to the API itself: a page cannot send the refresh elsewhere.
      if (next && next.origin !== endpoint.origin) throw new UnexpectedPriceResponseError('azure', API, `NextPageLink leaves ${endpoint.origin}: ${next.origin}`);
    }
    const snapshotDate = utcDay(now);
    const rows: CatalogRow[] = [];
    for (const size of sizes.values()) {
      const spec = specs.get(size.armSkuName);
      const onDemand = size.prices['on-demand'];
      if (!onDemand) {
        // Spot or reservation prices alone would need another fetch's on-demand price in the same row.
        skipped.add('no on-demand price in this refresh');
        continue;
      }
      if (!spec) {
        skipped.add('size without known specs');
        continue;
      }
      const row = catalogRow(
        { cloud: 'azure', region: size.region, instanceType: size.armSkuName },
        spec,
        {
          onDemandHourly: onDemand.hourly,
          spotHourly: size.prices.spot?.hourly ?? null,
          commitmentModel: 'reserved',
          commitment1yHourly: size.prices['reserved-1y']?.hourly ?? null,
          commitment3yHourly: size.prices['reserved-3y']?.hourly ?? null,
        },
        { id: AZURE_RETAIL_PRICES_SOURCE, snapshotDate },
        skipped,
      );
      if (row) rows.push(row);
    }
    const source: ApiSource = {
      id: AZURE_RETAIL_PRICES_SOURCE,
      cloud: 'azure',
      provides: ['on-demand', 'spot', 'commitments'],
      api: 'Azure Retail Prices API (GET /api/retail/prices)',
      endpoint: endpoint.origin,
      fetchedAt: now.toISOString(),
      snapshotDate,
      licence: 'LicenseRef-Microsoft-Azure-pricing-terms',
    };
    return { cloud: 'azure', sources: [source], rows, skipped: skipped.counts };
  }

  private async getJson(url: URL): Promise<unknown> {
    const get = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await get(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new PriceSourceUnavailableError('azure', API, `${url.origin}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new PriceSourceUnavailableError('azure', API, `HTTP ${response.status} from ${url.origin}${url.pathname}`);
    try {
      return await response.json();
    } catch (error) {
      throw new UnexpectedPriceResponseError('azure', API, `not JSON: ${(error as Error).message}`);
    }
  }
}
