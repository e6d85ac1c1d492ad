import { EC2Client, type _InstanceType, paginateDescribeSpotPriceHistory } from '@aws-sdk/client-ec2';
import { type Filter, PricingClient, paginateGetProducts } from '@aws-sdk/client-pricing';
import type { ApiSource, CatalogRow } from '@clonecast/pricing/catalog';
import { MissingCredentialsError, PriceSourceUnavailableError } from '../errors';
import { type PriceRefresher, type RefreshOutcome, type RefreshRequest, SkipCounter, catalogRow, utcDay } from '../refresher';
import { type AwsInstancePrice, type SpotPriceRecord, averageLatestSpot, parsePriceListItem } from './price-list';

export const AWS_PRICE_LIST_SOURCE = 'aws-price-list-api';
export const AWS_SPOT_HISTORY_SOURCE = 'aws-ec2-spot-price-history';
const PROVIDER_TERMS = 'LicenseRef-AWS-Price-List-terms';

export interface AwsRefresherOptions {
  /** Replaces both the Price List and the EC2 endpoint (replay server, proxy); static dummy credentials are used then. */
  endpoint?: string;
  /** Price List API region: the API only runs in us-east-1, eu-central-1 and ap-south-1. */
  pricingRegion?: string;
  maxAttempts?: number;
}

const REPLAY_CREDENTIALS = { accessKeyId: 'REPLAYACCESSKEY', secretAccessKey: 'replay-secret-key' };
const SPOT_TYPES_PER_CALL = 100;

/** On-demand and reserved prices from the Price List GetProducts API, spot from EC2 DescribeSpotPriceHistory. */
export class AwsPriceRefresher implements PriceRefresher {
  readonly cloud = 'aws' as const;

  constructor(private readonly options: AwsRefresherOptions = {}) {}

  async refresh({ regions, now }: RefreshRequest): Promise<RefreshOutcome> {
    const skipped = new SkipCounter();
    const pricing = new PricingClient(this.clientConfig(this.options.pricingRegion ?? 'us-east-1'));
    await this.requireCredentials(pricing);
    const prices = new Map<string, AwsInstancePrice>();
    for (const region of regions) for (const price of await this.products(pricing, region, skipped)) prices.set(`${price.region}/${price.instanceType}`, price);
    pricing.destroy();

    const spot = new Map<string, number>();
    for (const region of regions) {
      const types = [...new Set([...prices.values()].filter((p) => p.region === region).map((p) => p.instanceType))];
      for (const [key, value] of await this.spotPrices(region, types, now)) spot.set(key, value);
    }

    const snapshotDate = utcDay(now);
    const rows: CatalogRow[] = [];
    for (const [key, price] of prices) {
      const row = catalogRow(
        { cloud: 'aws', region: price.region, instanceType: price.instanceType },
        price,
        {
          onDemandHourly: price.onDemandHourly,
          spotHourly: spot.get(key) ?? null,
          commitmentModel: 'reserved',
          commitment1yHourly: price.reserved1yHourly,
          commitment3yHourly: price.reserved3yHourly,
        },
        { id: AWS_PRICE_LIST_SOURCE, snapshotDate },
        skipped,
      );
      if (row) rows.push(row);
    }
    return { cloud: 'aws', sources: this.sources(now), rows, skipped: skipped.counts };
  }

  private clientConfig(region: string) {
    const { endpoint, maxAttempts } = this.options;
    return {
      region,
      ...(endpoint ? { endpoint, credentials: REPLAY_CREDENTIALS } : {}),
      ...(maxAttempts ? { maxAttempts } : {}),
    };
  }

  /** Resolves the default credential chain once up front, so "no credentials" is reported as such, not as a failed call. */
  private async requireCredentials(client: PricingClient): Promise<void> {
    if (this.options.endpoint) return;
    try {
      await client.config.credentials();
    } catch (error) {
      client.destroy();
      throw new MissingCredentialsError('aws', `${(error as Error).message} (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`);
    }
  }

  private async products(client: PricingClient, region: string, skipped: SkipCounter): Promise<AwsInstancePrice[]> {
    const term = (Field: string, Value: string): Filter => ({ Type: 'TERM_MATCH', Field, Value });
    const filters = [
      term('regionCode', region),
      term('operatingSystem', 'Linux'),
      term('tenancy', 'Shared'),
      term('preInstalledSw', 'NA'),
      term('capacitystatus', 'Used'),
    ];
    const found: AwsInstancePrice[] = [];
    try {
      for await (const page of paginateGetProducts({ client }, { ServiceCode: 'AmazonEC2', FormatVersion: 'aws_v1', Filters: filters, MaxResults: 100 })) {
        for (const element of page.PriceList ?? []) {
          const parsed = parsePriceListItem(String(element));
          if (!parsed.ok) skipped.add(parsed.reason);
          // The filters are the API's; a replay or a changed API may still return other regions.
          else if (parsed.price.region !== region) skipped.add('outside the requested region');
          else found.push(parsed.price);
        }
      }
    } catch (error) {
      throw new PriceSourceUnavailableError('aws', 'Price List GetProducts', (error as Error).message);
    }
    return found;
  }

  private async spotPrices(region: string, instanceTypes: readonly string[], now: Date): Promise<Map<string, number>> {
    if (instanceTypes.length === 0) return new Map();
    const client = new EC2Client(this.clientConfig(region));
    const records: SpotPriceRecord[] = [];
    try {
      for (let i = 0; i < instanceTypes.length; i += SPOT_TYPES_PER_CALL) {
        // The names come from the Price List; the SDK's enum may lag behind new types, the wire format is a plain string.
        const types = instanceTypes.slice(i, i + SPOT_TYPES_PER_CALL) as _InstanceType[];
        // StartTime = now asks for the price in effect now in each zone.
        const input = { InstanceTypes: types, ProductDescriptions: ['Linux/UNIX'], StartTime: now };
        for await (const page of paginateDescribeSpotPriceHistory({ client }, input)) records.push(...(page.SpotPriceHistory ?? []));
      }
    } catch (error) {
      throw new PriceSourceUnavailableError('aws', 'EC2 DescribeSpotPriceHistory', (error as Error).message);
    } finally {
      client.destroy();
    }
    const average = averageLatestSpot(records);
    return new Map([...average].filter(([key]) => key.startsWith(`${region}/`)));
  }

  private sources(now: Date): ApiSource[] {
    const fetchedAt = now.toISOString();
    const snapshotDate = utcDay(now);
    return [
      {
        id: AWS_PRICE_LIST_SOURCE,
        cloud: 'aws',
        provides: ['specs', 'on-demand', 'commitments'],
        api: 'AWS Price List Query API GetProducts (AmazonEC2)',
        endpoint: this.options.endpoint ?? `https://api.pricing.${this.options.pricingRegion ?? 'us-east-1'}.amazonaws.com`,
        fetchedAt,
        snapshotDate,
        licence: PROVIDER_TERMS,
      },
      {
        id: AWS_SPOT_HISTORY_SOURCE,
        cloud: 'aws',
        provides: ['spot'],
        api: 'Amazon EC2 DescribeSpotPriceHistory on the regional endpoints (Linux/UNIX, latest per zone, averaged)',
        endpoint: this.options.endpoint ?? 'https://ec2.amazonaws.com',
        fetchedAt,
        snapshotDate,
        licence: PROVIDER_TERMS,
      },
    ];
  }
}
