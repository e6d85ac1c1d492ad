import { z } from 'zod';
import type { Architecture } from '@clonecast/contracts';
import { HOURS_PER_TERM } from '../refresher';

const priceDimensionSchema = z.object({
  unit: z.string(),
  pricePerUnit: z.record(z.string(), z.string()),
});

const termSchema = z.object({
  priceDimensions: z.record(z.string(), priceDimensionSchema),
  effectiveDate: z.string().optional(),
  termAttributes: z.record(z.string(), z.string()).optional(),
});

const priceListItemSchema = z.object({
  product: z.object({
    productFamily: z.string().optional(),
    attributes: z.record(z.string(), z.string()),
  }),
  terms: z.object({
    OnDemand: z.record(z.string(), termSchema).optional(),
    Reserved: z.record(z.string(), termSchema).optional(),
  }),
});

/** Region codes for Price List `location` names: older items have no `regionCode` attribute. */
const REGION_BY_LOCATION: Record<string, string> = {
  'US East (N. Virginia)': 'us-east-1',
  'US East (Ohio)': 'us-east-2',
  'US West (N. California)': 'us-west-1',
  'US West (Oregon)': 'us-west-2',
  'Canada (Central)': 'ca-central-1',
  'EU (Ireland)': 'eu-west-1',
  'EU (London)': 'eu-west-2',
  'EU (Paris)': 'eu-west-3',
  'EU (Frankfurt)': 'eu-central-1',
  'EU (Stockholm)': 'eu-north-1',
  'EU (Milan)': 'eu-south-1',
  'Asia Pacific (Tokyo)': 'ap-northeast-1',
  'Asia Pacific (Seoul)': 'ap-northeast-2',
  'Asia Pacific (Osaka)': 'ap-northeast-3',
  'Asia Pacific (Singapore)': 'ap-southeast-1',
  'Asia Pacific (Sydney)': 'ap-southeast-2',
  'Asia Pacific (Mumbai)': 'ap-south-1',
  'South America (Sao Paulo)': 'sa-east-1',
};

export interface ReservedOffer {
  term: '1y' | '3y';
  offeringClass: string;
  purchaseOption: string;
  upfrontUsd: number;
  hourlyUsd: number;
  /** hourly fee + upfront fee spread over the hours of the term */
  effectiveHourly: number;
}

export interface AwsInstancePrice {
  region: string;
  instanceType: string;
  family: string;
  architecture: Architecture;
  vcpu: number;
  memoryGiB: number;
  gpu: number;
  onDemandHourly: number;
  /** cheapest effective hourly rate of a standard reserved offering per term; null when the item has none */
  reserved1yHourly: number | null;
  reserved3yHourly: number | null;
  reservedOffers: ReservedOffer[];
}

export type ParsedItem = { ok: true; price: AwsInstancePrice } | { ok: false; reason: string };

function usd(dimension: z.infer<typeof priceDimensionSchema>): number | undefined {
  const text = dimension.pricePerUnit['USD'];
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** "8 GiB", "1,024 GiB" → 8, 1024 */
function gibOf(memory: string | undefined): number | undefined {
  const match = memory?.replace(/,/g, '').match(/^([\d.]+)\s*GiB$/);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function reservedOffer(term: z.infer<typeof termSchema>): ReservedOffer | undefined {
  const attributes = term.termAttributes ?? {};
  const length = attributes['LeaseContractLength'];
  const termName = length === '1yr' ? '1y' : length === '3yr' ? '3y' : undefined;
  if (!termName) return undefined;
  let upfrontUsd = 0;
  let hourlyUsd = 0;
  for (const dimension of Object.values(term.priceDimensions)) {
    const price = usd(dimension);
    if (price === undefined) return undefined;
    // Upfront fees are "Quantity" dimensions, the recurring fee is per "Hrs".
    if (dimension.unit === 'Quantity') upfrontUsd += price;
    else if (dimension.unit === 'Hrs') hourlyUsd += price;
    else return undefined;
  }
  return {
    term: termName,
    offeringClass: attributes['OfferingClass'] ?? 'unknown',
    purchaseOption: attributes['PurchaseOption'] ?? 'unknown',
    upfrontUsd,
    hourlyUsd,
    effectiveHourly: hourlyUsd + upfrontUsd / HOURS_PER_TERM[termName],
  };
}

function cheapestStandard(offers: readonly ReservedOffer[], term: '1y' | '3y'): number | null {
  const rates = offers.filter((o) => o.term === term && o.offeringClass === 'standard' && o.effectiveHourly > 0).map((o) => o.effectiveHourly);
  return rates.length === 0 ? null : Math.min(...rates);
}

/**
 * One element of GetProducts `PriceList`, which the API returns as a JSON-encoded string. Only Linux,
 * shared-tenancy, no pre-installed software, "Used" capacity compute instances are priced; anything else is a
 * skip reason, not an error, because a page mixes them.
 */
export function parsePriceListItem(encoded: string): ParsedItem {
  let decoded: unknown;
  try {
    decoded = JSON.parse(encoded);
  } catch {
    return { ok: false, reason: 'PriceList element is not JSON' };
  }
  const parsed = priceListItemSchema.safeParse(decoded);
  if (!parsed.success) return { ok: false, reason: 'PriceList element has no product/terms' };
  const { product, terms } = parsed.data;
  const a = product.attributes;
  if (product.productFamily !== 'Compute Instance') return { ok: false, reason: 'not a compute instance' };
  if (a['operatingSystem'] !== 'Linux') return { ok: false, reason: 'operating system is not Linux' };
  if (a['tenancy'] !== 'Shared') return { ok: false, reason: 'tenancy is not shared' };
  if ((a['preInstalledSw'] ?? 'NA') !== 'NA') return { ok: false, reason: 'has pre-installed software' };
  if ((a['capacitystatus'] ?? 'Used') !== 'Used') return { ok: false, reason: 'capacity reservation line' };
  const region = a['regionCode'] ?? REGION_BY_LOCATION[a['location'] ?? ''];
  if (!region) return { ok: false, reason: 'unknown location' };
  const instanceType = a['instanceType'];
  const vcpu = Number(a['vcpu']);
  const memoryGiB = gibOf(a['memory']);
  if (!instanceType || !(vcpu > 0) || memoryGiB === undefined || !(memoryGiB > 0)) return { ok: false, reason: 'no instance specs' };
  const onDemand = Object.values(terms.OnDemand ?? {})
    .flatMap((term) => Object.values(term.priceDimensions))
    .filter((d) => d.unit === 'Hrs')
    .map(usd)
    .find((price) => price !== undefined && price > 0);
  if (onDemand === undefined) return { ok: false, reason: 'no on-demand hourly price' };
  const reservedOffers = Object.values(terms.Reserved ?? {}).flatMap((term) => reservedOffer(term) ?? []);
  const gpu = Number(a['gpu'] ?? 0);
  return {
    ok: true,
    price: {
      region,
      instanceType,
      family: instanceType.split('.')[0] ?? instanceType,
      architecture: /graviton/i.test(a['physicalProcessor'] ?? '') ? 'arm64' : 'x86_64',
      vcpu,
      memoryGiB,
      gpu: Number.isInteger(gpu) && gpu >= 0 ? gpu : 0,
      onDemandHourly: onDemand,
      reserved1yHourly: cheapestStandard(reservedOffers, '1y'),
      reserved3yHourly: cheapestStandard(reservedOffers, '3y'),
      reservedOffers,
    },
  };
}

export interface SpotPriceRecord {
  AvailabilityZone?: string | undefined;
  InstanceType?: string | undefined;
  ProductDescription?: string | undefined;
  SpotPrice?: string | undefined;
  Timestamp?: Date | undefined;
}

/** us-east-1a → us-east-1; Local/Wavelength zones (us-east-1-bos-1a) are not regions and give undefined. */
export function regionOfZone(zone: string): string | undefined {
  return zone.match(/^([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$/)?.[1];
}

/**
 * Spot $/h per "region/instanceType": the latest Linux/UNIX price of each availability zone, averaged over
 * the zones (the same definition as the snapshot's `spot_avg`). History records older than a zone's latest are ignored.
 */
export function averageLatestSpot(records: readonly SpotPriceRecord[]): Map<string, number> {
  const latest = new Map<string, { at: number; price: number }>();
  for (const record of records) {
    if (record.ProductDescription !== 'Linux/UNIX') continue;
    const region = record.AvailabilityZone ? regionOfZone(record.AvailabilityZone) : undefined;
    const price = Number(record.SpotPrice);
    if (!region || !record.InstanceType || !record.Timestamp || !(price > 0)) continue;
    const key = `${record.AvailabilityZone}/${record.InstanceType}`;
    const at = record.Timestamp.getTime();
    const seen = latest.get(key);
    if (!seen || at > seen.at) latest.set(key, { at, price });
  }
  const perRegion = new Map<string, number[]>();
  for (const [key, { price }] of latest) {
    const [zone = '', instanceType = ''] = key.split('/');
    const regionKey = `${regionOfZone(zone)}/${instanceType}`;
    perRegion.set(regionKey, [...(perRegion.get(regionKey) ?? []), price]);
  }
  return new Map([...perRegion].map(([key, prices]) => [key, prices.reduce((a, b) => a + b, 0) / prices.length]));
}
