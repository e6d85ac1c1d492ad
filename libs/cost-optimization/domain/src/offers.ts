import type { PlacementConstraints, PricingModel } from '@clonecast/contracts';
import { type CatalogRow, type PriceCatalog, type RowFilter, rowsFor, unitPrices } from '@clonecast/pricing/catalog';
import { NoCatalogRowsError } from './errors';

/** How an offer is paid: hourly while used (on-demand, spot), or for every hour of the timeframe (commitment). */
export type OfferKind = 'on-demand' | 'spot' | 'commitment';

/** One way to buy one instance type in one region, with the hourly cost the optimiser minimises. */
export interface Offer {
  row: CatalogRow;
  pricingModel: PricingModel;
  kind: OfferKind;
  vcpu: number;
  memoryGiB: number;
  /** Catalog unit price, USD per instance-hour. */
  unitPrice: number;
  /** unitPrice plus the expected cost of spot interruptions: what the optimiser charges per instance-hour. */
  effectiveHourly: number;
  /** Probability an instance of this offer is reclaimed in a given hour (0 unless spot). */
  interruptionsPerHour: number;
}

const HOURS_PER_MONTH = 730;

/**
 * Hourly reclaim probability of a spot instance of `row`: the catalog's monthly estimate spread evenly over
 * the month's hours when it has one, else `assumed`.
 */
export function spotInterruptionsPerHour(row: CatalogRow, assumed: number): number {
  if (row.spotInterruptionRate === null) return assumed;
  return 1 - (1 - row.spotInterruptionRate) ** (1 / HOURS_PER_MONTH);
}

export interface OfferFilter {
  constraints: Pick<PlacementConstraints, 'clouds' | 'regions' | 'families' | 'architectures' | 'maxSpotShare' | 'allowCommitments'>;
  /** Probability that a spot instance is reclaimed in a given hour where the catalog row has no estimate. */
  assumedSpotInterruptionsPerHour: number;
}

/**
 * Every purchase option the constraints allow, before pruning. An interrupted spot instance is assumed to
 * be replaced on demand for the rest of the hour, so its expected extra cost is rate x on-demand price.
 */
export function candidateOffers(catalog: PriceCatalog, filter: OfferFilter): Offer[] {
  const { maxSpotShare, allowCommitments } = filter.constraints;
  const rows = rowsFor(catalog, placementFilter(filter.constraints)).filter((row) => row.gpu === 0);
  if (rows.length === 0) throw new NoCatalogRowsError(filter.constraints, catalog.catalogVersion);

  const offers: Offer[] = [];
  for (const row of rows) {
    for (const price of unitPrices(row)) {
      const kind: OfferKind = price.pricingModel === 'on-demand' ? 'on-demand' : price.pricingModel === 'spot' ? 'spot' : 'commitment';
      if (kind === 'spot' && maxSpotShare <= 0) continue;
      if (kind === 'commitment' && !allowCommitments) continue;
      const interruptionsPerHour = kind === 'spot' ? spotInterruptionsPerHour(row, filter.assumedSpotInterruptionsPerHour) : 0;
      offers.push({
        row,
        pricingModel: price.pricingModel,
        kind,
        vcpu: row.vcpu,
        memoryGiB: row.memoryGiB,
        unitPrice: price.hourly,
        effectiveHourly: price.hourly + interruptionsPerHour * row.onDemandHourly,
        interruptionsPerHour,
      });
    }
  }
  return offers;
}

/** The catalog filter of a request's placement constraints (optional fields left out when absent). */
export function placementFilter(constraints: Pick<PlacementConstraints, 'clouds' | 'regions' | 'families' | 'architectures'>): RowFilter {
  const { clouds, regions, families, architectures } = constraints;
  return { clouds, ...(regions ? { regions } : {}), ...(families ? { families } : {}), ...(architectures ? { architectures } : {}) };
}

/**
 * Drops offers another offer of the same kind beats one for one: at least as many vCPU and GiB for no more
 * money. Swapping a dominated instance for its dominator keeps coverage, the instance count and the spot
 * rule (non-spot capacity only grows) and never costs more, so pruning loses no optimal plan and the
 * bounds computed on the pruned set stay valid. Ties keep the first offer in a fixed order (reproducible).
 */
export function pruneDominated(offers: readonly Offer[]): Offer[] {
  const sorted = [...offers].sort(
    (a, b) =>
      a.effectiveHourly - b.effectiveHourly || b.vcpu - a.vcpu || b.memoryGiB - a.memoryGiB || offerKey(a).localeCompare(offerKey(b)),
  );
  const kept: Offer[] = [];
  for (const offer of sorted) {
    const dominated = kept.some(
      (k) => k.kind === offer.kind && k.vcpu >= offer.vcpu && k.memoryGiB >= offer.memoryGiB && k.effectiveHourly <= offer.effectiveHourly,
    );
    if (!dominated) kept.push(offer);
  }
  return kept;
}

export function offerKey(offer: Offer): string {
  return `${offer.row.cloud}/${offer.row.region}/${offer.row.instanceType}/${offer.pricingModel}`;
}

/**
 * The offers a linear relaxation needs: those on the upper-right convex hull of capacity per dollar
 * (vCPU/USD, GiB/USD), per kind. Any other offer is matched, per dollar, by a mix of two hull offers of
 * its kind with at least as much of both resources, so without integrality (and without an instance-count
 * floor) dropping it leaves the LP optimum unchanged.
 */
export function lpHull(offers: readonly Offer[]): Offer[] {
  const kept: Offer[] = [];
  for (const kind of ['on-demand', 'spot', 'commitment'] as const) {
    const points = offers
      .filter((o) => o.kind === kind && o.effectiveHourly > 0)
      .map((o) => ({ o, x: o.vcpu / o.effectiveHourly, y: o.memoryGiB / o.effectiveHourly }))
      .sort((p, q) => p.x - q.x || q.y - p.y);
    const hull: typeof points = [];
    for (const p of points) {
      while (hull.length >= 2) {
        const o = hull[hull.length - 2] as (typeof points)[number];
        const a = hull[hull.length - 1] as (typeof points)[number];
        if ((a.x - o.x) * (p.y - o.y) - (a.y - o.y) * (p.x - o.x) >= 0) hull.pop();
        else break;
      }
      hull.push(p);
    }
    // Left of the highest point everything has less of both per dollar than it.
    let peak = 0;
    hull.forEach((p, i) => {
      if (p.y >= (hull[peak] as (typeof points)[number]).y) peak = i;
    });
    kept.push(...hull.slice(peak).map((p) => p.o));
    // Free offers dominate everything of their kind; keep them too.
    kept.push(...offers.filter((o) => o.kind === kind && o.effectiveHourly <= 0));
  }
  return kept;
}
