import type { ExactStepTables } from './exact-step';
import type { HourlyOption, StepCoveringSolver, StepProblem, StepSolution } from './step-covering';
import { scenarioShortfall } from './step-demand';

/** Share of the remainder grid the rest of the requirement is aimed at (room for the tail and the rounding). */
const REST_TARGET = 0.5;
/** Bulk scalings tried, largest bulk first, when the rest does not fit the grid. */
const BULK_SHRINK = 0.8;
const BULK_ATTEMPTS = 8;

/**
 * One step of a large account, whose (vCPU, GiB) grid is too large for exact tables: the bulk of the
 * LP-shaped mix (the best non-spot pair for the non-spot share, the best pair for the rest), scaled down and
 * rounded down so that what is left fits small exact tables, plus the exact cheapest plan for that rest over
 * every option. At large scale the rest is a small part of the step, so bulk + exact rest is close to the
 * optimum; the plan always covers (the tables cover the rest: requirement, non-spot share, instance floor).
 * The lower bound is the branch and bound's root bound (LP relaxation + least penalty), valid whatever the
 * plan. Plans are cached per distinct problem. When the rest does not fit, the branch and bound solves it.
 */
export class LargeStepSolver {
  private readonly cache = new Map<string, StepSolution>();

  constructor(
    private readonly options: readonly HourlyOption[],
    /** Tables over `options` (same order) on a grid small enough to build, large enough for the rest. */
    private readonly tables: ExactStepTables,
    private readonly search: StepCoveringSolver,
  ) {}

  solve(problem: StepProblem): StepSolution {
    const key = JSON.stringify([problem.required, problem.tail, problem.fixed, problem.minInstances, problem.maxSpotShare, problem.penalty]);
    const cached = this.cache.get(key);
    if (cached) return { ...cached, counts: [...cached.counts] };
    const solution = this.solveUncached(problem);
    this.cache.set(key, solution);
    return { ...solution, counts: [...solution.counts] };
  }

  private solveUncached(problem: StepProblem): StepSolution {
    const shape = this.search.lpShape(problem);
    const lowerBound = this.search.rootBound(problem);
    let best: { counts: number[]; objective: number } | undefined;
    const rounded = this.search.roundedUp(problem);
    if (rounded) best = { counts: rounded, objective: this.objectiveOf(problem, rounded) };
    if (shape) {
      const { required, fixed } = problem;
      // The bulk's share of the LP mix: enough that the rest, ~(1 - share) x requirement, fills no more than
      // REST_TARGET of the grid in either resource (the larger share of the two).
      const restCpu = Math.max(0, required.cpu - fixed.vcpu);
      const restMemory = Math.max(0, required.memory - fixed.memoryGiB);
      const { extent } = this.tables;
      let share = Math.min(
        1,
        Math.max(0, 1 - (REST_TARGET * extent.cpu) / Math.max(restCpu, 1e-9), 1 - (REST_TARGET * extent.memory) / Math.max(restMemory, 1e-9)),
      );
      for (let attempt = 0; attempt < BULK_ATTEMPTS; attempt++, share *= BULK_SHRINK) {
        const bulk = shape.map((k) => Math.floor(k * share));
        const base = { ...fixed, nonSpotVcpu: fixed.vcpu, nonSpotMemoryGiB: fixed.memoryGiB };
        let bulkCost = 0;
        bulk.forEach((k, j) => {
          const o = this.options[j] as HourlyOption;
          bulkCost += k * o.hourly;
          base.vcpu += k * o.vcpu;
          base.memoryGiB += k * o.memoryGiB;
          base.instances += k;
          if (!o.spot) {
            base.nonSpotVcpu += k * o.vcpu;
            base.nonSpotMemoryGiB += k * o.memoryGiB;
          }
        });
        const rest = this.tables.planAbove(problem, base);
        if (!rest) continue;
        const counts = rest.counts.map((k, j) => k + (bulk[j] ?? 0));
        const objective = bulkCost + rest.objective;
        if (!best || objective < best.objective) best = { counts, objective };
        break;
      }
    }
    if (!best) return this.search.solve(problem);
    return { counts: best.counts, objective: best.objective, lowerBound: Math.min(best.objective, lowerBound), exact: best.objective <= lowerBound };
  }

  private objectiveOf(problem: StepProblem, counts: readonly number[]): number {
    let cost = 0;
    let cpu = problem.fixed.vcpu;
    let memory = problem.fixed.memoryGiB;
    counts.forEach((k, j) => {
      const o = this.options[j] as HourlyOption;
      cost += k * o.hourly;
      cpu += k * o.vcpu;
      memory += k * o.memoryGiB;
    });
    return (
      cost +
      problem.penalty.cpu * scenarioShortfall(problem.tail.cpu, cpu, problem.scenarioCount) +
      problem.penalty.memory * scenarioShortfall(problem.tail.memory, memory, problem.scenarioCount)
    );
  }
}
