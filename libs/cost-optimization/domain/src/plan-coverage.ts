import type { AllocationPlan, DemandForecast } from '@clonecast/contracts';
import type { PriceCatalog } from '@clonecast/pricing/catalog';
import { demandModel } from './step-demand';

export interface CoverageShortfall {
  at: string;
  resource: 'cpu' | 'memory' | 'non-spot cpu' | 'non-spot memory' | 'instances';
  required: number;
  provided: number;
}

export interface CoverageCheck {
  covered: boolean;
  shortfalls: CoverageShortfall[];
  /** Largest share of a step's CPU or memory requirement that only spot capacity covers. */
  maxSpotShareOfRequirement: number;
}

/**
 * Re-checks a plan from its allocations and the catalog alone (sizes come from the catalog, not from the
 * allocation rows): at every forecast step of [from, to), the capacity running covers the service-level
 * quantile of CPU and memory, non-spot capacity covers (1 - maxSpotShare) of it and at least
 * minInstances instances run.
 */
export function checkPlanCoverage(
  plan: AllocationPlan,
  forecast: DemandForecast,
  catalog: PriceCatalog,
  window: { from: string; to: string; serviceLevel: number; maxSpotShare: number; minInstances: number },
): CoverageCheck {
  const sizes = new Map(catalog.rows.map((row) => [`${row.cloud}/${row.region}/${row.instanceType}`, row]));
  const demand = demandModel(forecast, Date.parse(window.from), Date.parse(window.to), window.serviceLevel, 1);
  const shortfalls: CoverageShortfall[] = [];
  let maxSpotShareOfRequirement = 0;
  const tolerance = 1e-9;
  for (const step of demand.steps) {
    const total = { cpu: 0, memory: 0, nonSpotCpu: 0, nonSpotMemory: 0, instances: 0 };
    for (const allocation of plan.allocations) {
      const active = Date.parse(allocation.from) <= step.from && Date.parse(allocation.to) >= step.to;
      if (!active) continue;
      const row = sizes.get(`${allocation.cloud}/${allocation.region}/${allocation.instanceType}`);
      if (!row) throw new Error(`allocation ${allocation.cloud}/${allocation.region}/${allocation.instanceType} is not in the catalog`);
      const spot = allocation.pricingModel === 'spot';
      total.cpu += allocation.quantity * row.vcpu;
      total.memory += allocation.quantity * row.memoryGiB;
      if (!spot) total.nonSpotCpu += allocation.quantity * row.vcpu;
      if (!spot) total.nonSpotMemory += allocation.quantity * row.memoryGiB;
      total.instances += allocation.quantity;
    }
    const at = new Date(step.from).toISOString();
    const need = (resource: CoverageShortfall['resource'], required: number, provided: number) => {
      if (provided < required * (1 - tolerance)) shortfalls.push({ at, resource, required, provided });
    };
    need('cpu', step.required.cpu, total.cpu);
    need('memory', step.required.memory, total.memory);
    need('non-spot cpu', (1 - window.maxSpotShare) * step.required.cpu, total.nonSpotCpu);
    need('non-spot memory', (1 - window.maxSpotShare) * step.required.memory, total.nonSpotMemory);
    need('instances', window.minInstances, total.instances);
    const spotShare = (required: number, nonSpot: number) => (required > 0 ? Math.max(0, (required - nonSpot) / required) : 0);
    maxSpotShareOfRequirement = Math.max(
      maxSpotShareOfRequirement,
      spotShare(step.required.cpu, total.nonSpotCpu),
      spotShare(step.required.memory, total.nonSpotMemory),
    );
  }
  return { covered: shortfalls.length === 0, shortfalls, maxSpotShareOfRequirement };
}
