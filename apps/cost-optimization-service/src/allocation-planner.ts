import { Injectable, Logger } from '@nestjs/common';
import type { AllocationPlanned, DemandPredicted } from '@clonecast/contracts';
import { loadHighs, planOptimalAllocation } from '@clonecast/cost-optimization/domain';
import { type PriceCatalog, catalogDir, loadCatalog } from '@clonecast/pricing/catalog';

/** Chooses what to buy for a forecast, from the last good refreshed price catalog, else the bundled snapshot. */
@Injectable()
export class AllocationPlanner {
  // Loaded once at startup: a refresh takes effect on the next start, so one process plans with one catalog version.
  private readonly catalog: PriceCatalog = loadStartupCatalog();

  async plan({ spec, forecast }: DemandPredicted, now: Date): Promise<AllocationPlanned> {
    // HiGHS loads once per process; if it cannot load, the optimiser's heuristic still plans.
    const highs = await loadHighs().catch(() => undefined);
    return { spec, plan: planOptimalAllocation(highs, forecast, spec, this.catalog, now).plan };
  }
}

function loadStartupCatalog(): PriceCatalog {
  const logger = new Logger(AllocationPlanner.name);
  const loaded = loadCatalog(catalogDir());
  if (loaded.rejected) logger.warn(`ignoring the refreshed price catalog, using the bundled snapshot: ${loaded.rejected}`);
  logger.log(`price catalog ${loaded.catalog.catalogVersion} loaded from ${loaded.file ?? 'the bundled snapshot'}`);
  return loaded.catalog;
}
