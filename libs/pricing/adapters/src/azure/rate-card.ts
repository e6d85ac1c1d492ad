import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { UsageManagementClient, type UsageManagementModels } from '@azure/arm-commerce';
import type { ApiSource, CatalogRow } from '@clonecast/pricing/catalog';
import { PriceSourceUnavailableError } from '../errors';
import { type PriceRefresher, type RefreshOutcome, type RefreshRequest, SkipCounter, catalogRow, utcDay } from '../refresher';

type MeterInfo = UsageManagementModels.MeterInfo;

export const AZURE_RATECARD_SOURCE = 'azure-ratecard-api';
export const AZURE_MANAGEMENT_ENDPOINT = 'https://management.azure.com';
/** Pay-As-You-Go offer: list prices. */
export const PAY_AS_YOU_GO_OFFER = 'MS-AZR-0003P';

/** RateCard names regions by display name ("US East"); the catalog uses ARM names. */
const REGION_BY_METER_REGION: Record<string, string> = {
  'US East': 'eastus',
  'US East 2': 'eastus2',
  'US Central': 'centralus',
  'US North Central': 'northcentralus',
  'US South Central': 'southcentralus',
  'US West Central': 'westcentralus',
  'US West': 'westus',
  'US West 2': 'westus2',
  'US West 3': 'westus3',
  'EU West': 'westeurope',
  'EU North': 'northeurope',
  'DE West Central': 'germanywestcentral',
  'UK South': 'uksouth',
  'FR Central': 'francecentral',
  'JA East': 'japaneast',
  'JA West': 'japanwest',
  'AP Southeast': 'southeastasia',
  'AP East': 'eastasia',
};

export type ClassifiedMeter =
  | { ok: true; region: string; armSkuNames: string[]; kind: 'on-demand' | 'spot'; hourly: number }
  | { ok: false; reason: string };

/**
 * One RateCard meter as Linux VM prices. A meter names one or more sizes ("D2 v3/D2s v3"); its rate is the
 * tier starting at quantity 0. Windows subcategories and Low Priority meters are left out, " Spot" meters are spot.
 */
export function classifyRateCardMeter(meter: MeterInfo): ClassifiedMeter {
  if (meter.meterCategory !== 'Virtual Machines') return { ok: false, reason: 'not a virtual machine meter' };
  if (/ Windows$/.test(meter.meterSubCategory ?? '')) return { ok: false, reason: 'Windows meter' };
  if (!/^(1 )?Hours?$/.test(meter.unit ?? '')) return { ok: false, reason: `unit "${meter.unit ?? ''}" is not hourly` };
  const region = REGION_BY_METER_REGION[meter.meterRegion ?? ''];
  if (!region) return { ok: false, reason: 'unknown meter region' };
  const hourly = meter.meterRates?.['0'];
  if (hourly === undefined || !(hourly > 0)) return { ok: false, reason: 'no rate for the first tier' };
  let name = meter.meterName ?? '';
  if (name.endsWith(' Low Priority')) return { ok: false, reason: 'Low Priority meter (Batch, not Spot)' };
  const kind = name.endsWith(' Spot') ? 'spot' : 'on-demand';
  name = name.replace(/ Spot$/, '');
  const armSkuNames = name
    .split('/')
    .map((size) => size.trim())
    .filter(Boolean)
    .map((size) => `Standard_${size.replace(/ /g, '_')}`);
  if (armSkuNames.length === 0) return { ok: false, reason: 'meter without a size name' };
  return { ok: true, region, armSkuNames, kind, hourly };
}

/** A fixed bearer token (e.g. `az account get-access-token`), for environments without @azure/identity. */
export class StaticTokenCredential implements TokenCredential {
  constructor(
    private readonly token: string,
    private readonly lifetimeMs = 55 * 60 * 1000,
  ) {}

  async getToken(): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}

export interface AzureRateCardOptions {
  credential: TokenCredential;
  subscriptionId: string;
  /** ARM endpoint; a replay server in tests. */
  baseUri?: string;
  offerDurableId?: string;
}

/** Azure VM list prices from the RateCard API (`UsageManagementClient.rateCard.get`); needs a subscription. */
export class AzureRateCardRefresher implements PriceRefresher {
  readonly cloud = 'azure' as const;

  constructor(private readonly options: AzureRateCardOptions) {}

  async refresh({ regions, now, specs }: RefreshRequest): Promise<RefreshOutcome> {
    const skipped = new SkipCounter();
    const baseUri = this.options.baseUri ?? AZURE_MANAGEMENT_ENDPOINT;
    const client = new UsageManagementClient(this.options.credential, this.options.subscriptionId, { baseUri });
    const offer = this.options.offerDurableId ?? PAY_AS_YOU_GO_OFFER;
    let meters: MeterInfo[];
    try {
      const card = await client.rateCard.get(`OfferDurableId eq '${offer}' and Currency eq 'USD' and Locale eq 'en-US' and RegionInfo eq 'US'`);
      meters = card.meters ?? [];
    } catch (error) {
      throw new PriceSourceUnavailableError('azure', 'RateCard', (error as Error).message);
    }
    const wanted = new Set(regions);
    const prices = new Map<string, { region: string; armSkuName: string; onDemand?: number; spot?: number }>();
    for (const meter of meters) {
      const classified = classifyRateCardMeter(meter);
      if (!classified.ok) {
        skipped.add(classified.reason);
        continue;
      }
      if (!wanted.has(classified.region)) {
        skipped.add('outside the requested regions');
        continue;
      }
      for (const armSkuName of classified.armSkuNames) {
        const key = `${classified.region}/${armSkuName}`;
        const entry = prices.get(key) ?? { region: classified.region, armSkuName };
        if (classified.kind === 'spot') entry.spot = classified.hourly;
        else entry.onDemand = classified.hourly;
        prices.set(key, entry);
      }
    }
    const snapshotDate = utcDay(now);
    const rows: CatalogRow[] = [];
    for (const entry of prices.values()) {
      const spec = specs.get(entry.armSkuName);
      if (entry.onDemand === undefined) skipped.add('no on-demand price in this refresh');
      else if (!spec) skipped.add('size without known specs');
      else {
        const prices = { onDemandHourly: entry.onDemand, spotHourly: entry.spot ?? null, commitmentModel: null, commitment1yHourly: null, commitment3yHourly: null };
        const row = catalogRow({ cloud: 'azure', region: entry.region, instanceType: entry.armSkuName }, spec, prices, { id: AZURE_RATECARD_SOURCE, snapshotDate }, skipped);
        if (row) rows.push(row);
      }
    }
    const source: ApiSource = {
      id: AZURE_RATECARD_SOURCE,
      cloud: 'azure',
      provides: ['on-demand', 'spot'],
      api: `Azure RateCard (Microsoft.Commerce, offer ${offer})`,
      endpoint: new URL(baseUri).origin,
      fetchedAt: now.toISOString(),
      snapshotDate,
      licence: 'LicenseRef-Microsoft-Azure-pricing-terms',
    };
    return { cloud: 'azure', sources: [source], rows, skipped: skipped.counts };
  }
}
