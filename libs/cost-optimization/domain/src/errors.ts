import { DomainError, type PlacementConstraints } from '@clonecast/contracts';

/** Base of every cost-optimisation failure: `code` is machine-readable and travels in clone.failed. */
export abstract class CostOptimizationError extends DomainError {}

/** The placement constraints leave no instance type to choose from. */
export class NoCatalogRowsError extends CostOptimizationError {
  readonly code = 'NO_CATALOG_ROWS';

  constructor(
    readonly constraints: Pick<PlacementConstraints, 'clouds' | 'regions' | 'families' | 'architectures'>,
    readonly catalogVersion: string,
  ) {
    const { clouds, regions, families, architectures } = constraints;
    const where = regions ? `regions [${regions.join(', ')}]` : 'any region';
    const kinds = [
      families ? `families [${families.join(', ')}]` : undefined,
      architectures ? `architectures [${architectures.join(', ')}]` : undefined,
    ].filter((k) => k !== undefined);
    super(
      `price catalog ${catalogVersion} has no instance for clouds [${clouds.join(', ')}] in ${where}` +
        (kinds.length > 0 ? ` of ${kinds.join(' and ')}` : ''),
    );
  }
}

/** Even the cheapest plan costs more than the budget cap. */
export class BudgetExceededError extends CostOptimizationError {
  readonly code = 'BUDGET_EXCEEDED';

  constructor(
    readonly expectedCost: number,
    readonly budget: number,
  ) {
    super(`the cheapest plan costs ${expectedCost.toFixed(2)} USD, above the budget cap of ${budget.toFixed(2)} USD`);
  }
}

/** The forecast cannot be planned on: a quantile series is missing, or no step falls in the clone's timeframe. */
export class UnusableForecastError extends CostOptimizationError {
  readonly code = 'UNUSABLE_FORECAST';

  constructor(readonly reason: string) {
    super(`the demand forecast cannot be planned on: ${reason}`);
  }
}

/** The constraints leave no plan that covers the service-level demand (e.g. a family filter too narrow). */
export class InfeasiblePlanError extends CostOptimizationError {
  readonly code = 'INFEASIBLE_CONSTRAINTS';

  constructor(readonly reason: string) {
    super(`no plan satisfies the placement constraints: ${reason}`);
  }
}
