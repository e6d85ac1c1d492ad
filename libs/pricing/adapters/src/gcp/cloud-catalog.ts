import { CloudCatalogClient, type protos } from '@google-cloud/billing';
import type { ApiSource, CatalogRow } from '@clonecast/pricing/catalog';
import { MissingCredentialsError, PriceSourceUnavailableError } from '../errors';
import { type PriceRefresher, type RefreshOutcome, type RefreshRequest, SkipCounter, catalogRow, utcDay } from '../refresher';

type Sku = protos.google.cloud.billing.v1.ISku;
type TierRate = protos.google.cloud.billing.v1.PricingExpression.ITierRate;
type Money = protos.google.type.IMoney;

export const GCP_BILLING_CATALOG_SOURCE = 'gcp-cloud-billing-catalog-api';
export const COMPUTE_ENGINE_SERVICE = 'services/6F81-5844-456A';
const API = 'Cloud Billing Catalog services.skus.list';

/** units (int64, a string on the wire) + nanos / 1e9 */
export function moneyAmount(money: Money | null | undefined): number {
  return Number(String(money?.units ?? 0)) + (money?.nanos ?? 0) / 1e9;
}

/** The unit price that applies at `usageAmount` (in usage units) under tiered rates; undefined without a tier. */
export function tieredUnitPrice(tiers: readonly TierRate[], usageAmount: number): Money | undefined {
  let price: Money | undefined;
  let start = -Infinity;
  for (const tier of tiers) {
    const from = tier.startUsageAmount ?? 0;
    if (from <= usageAmount && from >= start && tier.unitPrice) {
      start = from;
      price = tier.unitPrice;
    }
  }
  return price;
}

/** Hours per usage unit, so a price per unit times this is a price per hour (per core or per GiB of RAM). */
const HOURLY_FACTOR: Record<string, number> = {
  h: 1,
  min: 60,
  s: 3600,
  'GiBy.h': 1,
  'GiBy.min': 60,
  'GiBy.s': 3600,
  // Per 10^9 bytes → per GiB (2^30 bytes).
  'GBy.h': 2 ** 30 / 1e9,
};

export type ComputeResource = 'core' | 'ram';
export type ComputeUsage = 'on-demand' | 'spot' | 'commit-1y' | 'commit-3y';

export type ClassifiedSku =
  | { ok: true; series: string; resource: ComputeResource; usage: ComputeUsage; regions: string[]; hourlyUsd: number }
  | { ok: false; reason: string };

const ON_DEMAND_OR_SPOT = /^(?:Spot Preemptible )?([A-Z0-9]+) (?:AMD |Arm |Intel )?Instance (Core|Ram) running in /;
const COMMITMENT = /^Commitment v1: ([A-Z0-9]+) (?:AMD |Arm |Intel )?(Cpu|Ram) in .* for ([13]) Years?$/;

/**
 * A Compute Engine SKU as a per-core or per-GiB hourly USD price of one machine series. Prices in another
 * currency are turned back into USD with the SKU's currencyConversionRate (USD × rate = local currency).
 * Custom, sole-tenant, GPU, licence and network SKUs are not instance prices and are skipped.
 */
export function classifyComputeSku(sku: Sku): ClassifiedSku {
  const category = sku.category;
  if (category?.resourceFamily !== 'Compute') return { ok: false, reason: `resource family ${category?.resourceFamily ?? 'none'}` };
  if (category.resourceGroup !== 'CPU' && category.resourceGroup !== 'RAM') return { ok: false, reason: `resource group ${category.resourceGroup ?? 'none'}` };
  const description = sku.description ?? '';
  const usageType = category.usageType ?? '';
  let series: string | undefined;
  let resource: ComputeResource | undefined;
  let usage: ComputeUsage | undefined;
  const instance = description.match(ON_DEMAND_OR_SPOT);
  const commitment = description.match(COMMITMENT);
  if (instance && (usageType === 'OnDemand' || usageType === 'Preemptible')) {
    series = instance[1];
    resource = instance[2] === 'Core' ? 'core' : 'ram';
    usage = usageType === 'OnDemand' ? 'on-demand' : 'spot';
  } else if (commitment && (usageType === 'Commit1Yr' || usageType === 'Commit3Yr')) {
    series = commitment[1];
    resource = commitment[2] === 'Cpu' ? 'core' : 'ram';
    usage = commitment[3] === '1' ? 'commit-1y' : 'commit-3y';
  }
  if (!series || !resource || !usage) return { ok: false, reason: 'not a per-core or per-GiB instance price' };
  const info = sku.pricingInfo?.[0];
  const expression = info?.pricingExpression;
  const factor = HOURLY_FACTOR[expression?.usageUnit ?? ''];
  if (factor === undefined) return { ok: false, reason: `usage unit "${expression?.usageUnit ?? ''}"` };
  if ((resource === 'ram') !== (expression?.usageUnit ?? '').startsWith('GiBy') && expression?.usageUnit !== 'GBy.h') return { ok: false, reason: 'unit does not match the resource' };
  // Instance rates have one tier; the tier from 0 is the price of the first hour.
  const unitPrice = tieredUnitPrice(expression?.tieredRates ?? [], 0);
  if (!unitPrice) return { ok: false, reason: 'no tiered rate from 0' };
  let amount = moneyAmount(unitPrice);
  if (unitPrice.currencyCode !== 'USD') {
    const rate = info?.currencyConversionRate ?? 0;
    if (!(rate > 0)) return { ok: false, reason: `priced in ${unitPrice.currencyCode ?? 'no currency'} without a conversion rate` };
    amount /= rate;
  }
  return { ok: true, series: series.toLowerCase(), resource, usage, regions: sku.serviceRegions ?? [], hourlyUsd: amount * factor };
}

/** Per series and region: hourly USD per core and per GiB, by usage. */
export class ResourcePrices {
  private readonly prices = new Map<string, number>();

  add(sku: Extract<ClassifiedSku, { ok: true }>): void {
    for (const region of sku.regions) this.prices.set(`${sku.series}/${region}/${sku.resource}/${sku.usage}`, sku.hourlyUsd);
  }

  /** vcpu × core price + memory × RAM price; undefined unless both resource prices are known. */
  machine(series: string, region: string, usage: ComputeUsage, vcpu: number, memoryGiB: number): number | undefined {
    const core = this.prices.get(`${series}/${region}/core/${usage}`);
    const ram = this.prices.get(`${series}/${region}/ram/${usage}`);
    return core === undefined || ram === undefined ? undefined : vcpu * core + memoryGiB * ram;
  }

  regionsOf(series: string): Set<string> {
    const regions = new Set<string>();
    for (const key of this.prices.keys()) {
      const [keySeries, region] = key.split('/');
      if (keySeries === series && region) regions.add(region);
    }
    return regions;
  }
}

export interface GcpCatalogOptions {
  /** host or host:port of the Cloud Billing API; a replay server in tests. */
  apiEndpoint?: string;
  /** 'http' only for a local replay server. */
  protocol?: 'http' | 'https';
  /** API key (the Catalog API accepts one); without it the Application Default Credentials chain is used. */
  apiKey?: string;
}

/** GCE machine prices composed from the Cloud Billing Catalog per-core and per-GiB SKUs (REST transport). */
export class GcpBillingCatalogRefresher implements PriceRefresher {
  readonly cloud = 'gcp' as const;

  constructor(private readonly options: GcpCatalogOptions = {}) {}

  async refresh({ regions, now, specs }: RefreshRequest): Promise<RefreshOutcome> {
    const skipped = new SkipCounter();
    const client = this.client();
    await this.requireCredentials(client);
    const prices = new ResourcePrices();
    try {
      for await (const sku of client.listSkusAsync({ parent: COMPUTE_ENGINE_SERVICE, currencyCode: 'USD', pageSize: 5000 }, { autoPaginate: false })) {
        const classified = classifyComputeSku(sku);
        if (classified.ok) prices.add(classified);
        else skipped.add(classified.reason);
      }
    } catch (error) {
      throw this.failure(error);
    } finally {
      await client.close();
    }
    const wanted = new Set(regions);
    const snapshotDate = utcDay(now);
    const rows: CatalogRow[] = [];
    for (const [machineType, spec] of specs) {
      for (const region of prices.regionsOf(spec.family)) {
        if (!wanted.has(region)) continue;
        if (spec.gpu > 0) {
          skipped.add('GPU machine type (GPU price not composed)');
          continue;
        }
        const price = (usage: ComputeUsage) => prices.machine(spec.family, region, usage, spec.vcpu, spec.memoryGiB) ?? null;
        const onDemand = price('on-demand');
        if (onDemand === null) {
          skipped.add('series without both core and RAM on-demand prices');
          continue;
        }
        const row = catalogRow(
          { cloud: 'gcp', region, instanceType: machineType },
          spec,
          { onDemandHourly: onDemand, spotHourly: price('spot'), commitmentModel: 'committed', commitment1yHourly: price('commit-1y'), commitment3yHourly: price('commit-3y') },
          { id: GCP_BILLING_CATALOG_SOURCE, snapshotDate },
          skipped,
        );
        if (row) rows.push(row);
      }
    }
    const source: ApiSource = {
      id: GCP_BILLING_CATALOG_SOURCE,
      cloud: 'gcp',
      provides: ['on-demand', 'spot', 'commitments'],
      api: `Cloud Billing Catalog API ${COMPUTE_ENGINE_SERVICE}/skus (machine = vCPU × core + GiB × RAM)`,
      endpoint: `${this.options.protocol ?? 'https'}://${this.options.apiEndpoint ?? 'cloudbilling.googleapis.com'}`,
      fetchedAt: now.toISOString(),
      snapshotDate,
      licence: 'LicenseRef-Google-Cloud-pricing-terms',
    };
    return { cloud: 'gcp', sources: [source], rows, skipped: skipped.counts };
  }

  private client(): CloudCatalogClient {
    const { apiEndpoint, protocol, apiKey } = this.options;
    const endpoint = apiEndpoint?.match(/^(.*):(\d+)$/);
    return new CloudCatalogClient({
      fallback: true,
      ...(endpoint ? { apiEndpoint: endpoint[1], port: Number(endpoint[2]) } : apiEndpoint ? { apiEndpoint } : {}),
      ...(protocol ? { protocol } : {}),
      ...(apiKey ? { apiKey } : {}),
      // Node's own fetch: gaxios would otherwise import('node-fetch'), which CommonJS runners (jest) cannot.
      clientOptions: { transporterOptions: { fetchImplementation: fetch } },
    });
  }

  /** Resolves the API key or the Application Default Credentials up front, so "no credentials" is reported as such. */
  private async requireCredentials(client: CloudCatalogClient): Promise<void> {
    if (this.options.apiKey) return;
    try {
      await client.auth.getClient();
    } catch (error) {
      await client.close();
      throw new MissingCredentialsError(
        'gcp',
        `${(error as Error).message} (set CLONECAST_GCP_API_KEY, or GOOGLE_APPLICATION_CREDENTIALS / gcloud auth application-default login)`,
      );
    }
  }

  private failure(error: unknown): Error {
    return new PriceSourceUnavailableError('gcp', API, (error as Error).message);
  }
}
