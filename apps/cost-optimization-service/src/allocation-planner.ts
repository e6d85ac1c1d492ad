import { Injectable } from '@nestjs/common';
import type { AllocationPlanned, DemandPredicted } from '@clonecast/contracts';
import { loadHighs, planOptimalAllocation } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog, type PriceCatalog } from '@clonecast/pricing/catalog';

/** Chooses what to buy for a forecast, from the bundled price catalog. */
@Injectable()
export class AllocationPlanner {
  private readonly catalog: PriceCatalog = loadBundledCatalog();

  async plan({ spec, forecast }: DemandPredicted, now: Date): Promise<AllocationPlanned> {
    // HiGHS loads once per process; if it cannot load, the optimiser's heuristic still plans.
    const highs = await loadHighs().catch(() => undefined);
    return { spec, plan: planOptimalAllocation(highs, forecast, spec, this.catalog, now).plan };
  }
}
