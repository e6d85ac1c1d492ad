import type { Architecture, Cloud } from '@clonecast/contracts';
import type { CatalogRow, PriceCatalog, RefreshedPrices } from '@clonecast/pricing/catalog';

/** Hours in a reservation or commitment term: 365 × 24 × years, as the providers bill them. */
export const HOURS_PER_TERM = { '1y': 8760, '3y': 26280 } as const;

/** Instance facts no price API returns (Azure, GCP): taken from the catalog being refreshed. */
export interface InstanceSpec {
  family: string;
  architecture: Architecture;
  vcpu: number;
  memoryGiB: number;
  gpu: number;
}

/** Specs by instance type for one cloud; sizes are region-independent. */
export function specIndexOf(catalog: PriceCatalog, cloud: Cloud): Map<string, InstanceSpec> {
  const specs = new Map<string, InstanceSpec>();
  for (const row of catalog.rows)
    if (row.cloud === cloud && !specs.has(row.instanceType))
      specs.set(row.instanceType, { family: row.family, architecture: row.architecture, vcpu: row.vcpu, memoryGiB: row.memoryGiB, gpu: row.gpu });
  return specs;
}

export interface RefreshRequest {
  /** Regions of this cloud to refresh. */
  regions: readonly string[];
  now: Date;
  specs: ReadonlyMap<string, InstanceSpec>;
}

/** Fresh rows plus the count of API records left out, by reason, so a refresh can say what it ignored. */
export interface RefreshOutcome extends RefreshedPrices {
  skipped: Record<string, number>;
}

export interface PriceRefresher {
  readonly cloud: Cloud;
  refresh(request: RefreshRequest): Promise<RefreshOutcome>;
}

export class SkipCounter {
  readonly counts: Record<string, number> = {};

  add(reason: string, n = 1): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + n;
  }
}

/** USD per hour to micro-dollars, as the catalog stores them. */
export function roundPrice(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export interface RowPrices {
  onDemandHourly: number;
  spotHourly: number | null;
  commitmentModel: CatalogRow['commitmentModel'];
  commitment1yHourly: number | null;
  commitment3yHourly: number | null;
}

/**
 * One catalog row under the schema's rules: prices rounded; spot at or above on-demand is dropped to null
 * (counted), and a commitment model is kept only with a commitment price.
 */
export function catalogRow(
  key: { cloud: Cloud; region: string; instanceType: string },
  spec: InstanceSpec,
  prices: RowPrices,
  source: { id: string; snapshotDate: string },
  skipped: SkipCounter,
): CatalogRow | undefined {
  const onDemandHourly = roundPrice(prices.onDemandHourly);
  if (!(onDemandHourly > 0)) {
    skipped.add('on-demand price is zero');
    return undefined;
  }
  let spotHourly = prices.spotHourly === null ? null : roundPrice(prices.spotHourly);
  if (spotHourly !== null && (spotHourly <= 0 || spotHourly >= onDemandHourly)) {
    skipped.add('spot price not below on-demand (set to null)');
    spotHourly = null;
  }
  const positive = (price: number | null) => (price === null || roundPrice(price) <= 0 ? null : roundPrice(price));
  const commitment1yHourly = positive(prices.commitment1yHourly);
  const commitment3yHourly = positive(prices.commitment3yHourly);
  const hasCommitment = commitment1yHourly !== null || commitment3yHourly !== null;
  return {
    cloud: key.cloud,
    region: key.region,
    instanceType: key.instanceType,
    family: spec.family,
    architecture: spec.architecture,
    vcpu: spec.vcpu,
    memoryGiB: spec.memoryGiB,
    gpu: spec.gpu,
    // Interruption rates are not in any provider pricing API (AWS publishes them in the Spot Advisor only).
    spotInterruptionRate: null,
    onDemandHourly,
    spotHourly,
    commitmentModel: hasCommitment ? prices.commitmentModel : null,
    commitment1yHourly,
    commitment3yHourly,
    source: source.id,
    snapshotDate: source.snapshotDate,
  };
}

const REGION_PATTERNS: Record<Cloud, RegExp> = {
  aws: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
  gcp: /^[a-z]+-[a-z]+\d+$/,
  azure: /^[a-z]+\d*$/,
};

/** Which cloud a region name belongs to, from the naming scheme each provider uses. */
export function cloudOfRegion(region: string): Cloud | undefined {
  return (Object.keys(REGION_PATTERNS) as Cloud[]).find((cloud) => REGION_PATTERNS[cloud].test(region));
}
