import { Injectable } from '@nestjs/common';
import type { AllocationPlanned, DemandPredicted } from '@clonecast/contracts';
import { planCheapestSingleOnDemand } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog, type PriceCatalog } from '@clonecast/pricing/catalog';

/** Chooses what to buy for a forecast, from the bundled price catalog. */
@Injectable()
export class AllocationPlanner {
  private readonly catalog: PriceCatalog = loadBundledCatalog();

  plan({ spec, forecast }: DemandPredicted, now: Date): AllocationPlanned {
    return { spec, plan: planCheapestSingleOnDemand(forecast, spec, this.catalog, now) };
  }
}
