import type { CatalogRow } from '@clonecast/pricing/catalog';
import type { HourlyOption, StepProblem } from './step-covering';
import { scenarioShortfall } from './step-demand';

// Ground truth for the solvers' specs: problems small enough to enumerate every mix.

/** What `counts` of `options` on top of the step's fixed capacity give: cost, capacity, non-spot capacity, instances. */
export function stepCapacity(options: readonly HourlyOption[], counts: readonly number[], p: StepProblem) {
  const c = { cost: 0, cpu: p.fixed.vcpu, memory: p.fixed.memoryGiB, nsCpu: p.fixed.vcpu, nsMemory: p.fixed.memoryGiB, instances: p.fixed.instances };
  counts.forEach((k, j) => {
    const o = options[j] as HourlyOption;
    c.cost += k * o.hourly;
    c.cpu += k * o.vcpu;
    c.memory += k * o.memoryGiB;
    if (!o.spot) c.nsCpu += k * o.vcpu;
    if (!o.spot) c.nsMemory += k * o.memoryGiB;
    c.instances += k;
  });
  return c;
}

/** The step's rules: the requirement, the non-spot share of it and the instance floor. */
export function coversStep(c: ReturnType<typeof stepCapacity>, p: StepProblem): boolean {
  const need = (have: number, want: number) => have >= want * (1 - 1e-9);
  return (
    need(c.cpu, p.required.cpu) &&
    need(c.memory, p.required.memory) &&
    need(c.nsCpu, (1 - p.maxSpotShare) * p.required.cpu) &&
    need(c.nsMemory, (1 - p.maxSpotShare) * p.required.memory) &&
    c.instances >= p.minInstances
  );
}

export function stepPenalty(p: StepProblem, cpu: number, memory: number): number {
  return p.penalty.cpu * scenarioShortfall(p.tail.cpu, cpu, p.scenarioCount) + p.penalty.memory * scenarioShortfall(p.tail.memory, memory, p.scenarioCount);
}

/** Every mix of 0..maxEach instances of each option: the true optimum of one step when maxEach covers the demand. */
export function stepBruteForce(options: readonly HourlyOption[], p: StepProblem, maxEach: number): number {
  let best = Infinity;
  forEachMix(options.length, maxEach, (counts) => {
    const c = stepCapacity(options, counts, p);
    if (coversStep(c, p)) best = Math.min(best, c.cost + stepPenalty(p, c.cpu, c.memory));
  });
  return best;
}

/**
 * Cheapest on-demand mix of 0..maxEach instances of each catalog row with at least `cpu` vCPU and `memory` GiB,
 * and at least one instance counting the `running` ones (e.g. commitments); Infinity when none.
 */
export function cheapestOnDemandMix(types: readonly CatalogRow[], cpu: number, memory: number, maxEach: number, running = 0): number {
  let best = Infinity;
  forEachMix(types.length, maxEach, (counts) => {
    const has = (pick: (r: CatalogRow) => number) => types.reduce((s, r, j) => s + (counts[j] ?? 0) * pick(r), 0);
    const instances = running + counts.reduce((a, b) => a + b, 0);
    if (has((r) => r.vcpu) >= cpu - 1e-9 && has((r) => r.memoryGiB) >= memory - 1e-9 && instances >= 1) best = Math.min(best, has((r) => r.onDemandHourly));
  });
  return best;
}

/** Calls `visit` with every vector of `n` counts in 0..maxEach (the same array, rewritten between calls). */
function forEachMix(n: number, maxEach: number, visit: (counts: readonly number[]) => void): void {
  const counts = new Array<number>(n).fill(0);
  const walk = (i: number) => {
    if (i === n) {
      visit(counts);
      return;
    }
    for (let k = 0; k <= maxEach; k++) {
      counts[i] = k;
      walk(i + 1);
    }
    counts[i] = 0;
  };
  walk(0);
}
