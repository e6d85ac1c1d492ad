import { ExactStepTables } from './exact-step';
import { LargeStepSolver } from './large-step';
import { type HourlyOption, type StepProblem, StepCoveringSolver } from './step-covering';
import { rng } from './rng.fixture';
import { coversStep, stepBruteForce, stepCapacity, stepPenalty } from './brute-force.fixture';

describe('LargeStepSolver (bulk of the LP-shaped mix + exact tables for the rest)', () => {
  it('covers every step, reports its objective and bounds the brute-force optimum, on scaled small cases', () => {
    const random = rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const options: HourlyOption[] = [];
      const nonSpot = 2;
      const spot = trial % 4 === 0 ? 0 : 1;
      for (let j = 0; j < nonSpot + spot; j++) {
        const vcpu = [2, 4][Math.floor(random() * 2)] as number;
        const memoryGiB = vcpu * ([2, 4, 8][Math.floor(random() * 3)] as number);
        options.push({ vcpu, memoryGiB, hourly: (Math.round((0.02 + random() * 0.05) * vcpu * 1000) / 1000) * (j >= nonSpot ? 0.4 : 1), spot: j >= nonSpot });
      }
      const withPenalty = trial % 2 === 1;
      const cpu = 6 + random() * 14;
      const memory = 10 + random() * 50;
      const problem: StepProblem = {
        required: { cpu, memory },
        tail: withPenalty ? { cpu: [cpu * 1.1], memory: [memory * 1.1] } : { cpu: [], memory: [] },
        scenarioCount: 20,
        minInstances: 1,
        maxSpotShare: spot > 0 ? 0.5 : 0,
        penalty: withPenalty ? { cpu: 0.6, memory: 0.1 } : { cpu: 0, memory: 0 },
        fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
      };
      // A grid far smaller than the demand (as for a large account): the rest of the bulk only fits in it.
      const tables = ExactStepTables.buildWithin(options, [], cpu * 1.1, memory * 1.1, 6);
      expect(tables).toBeDefined();
      if (!tables) continue;
      expect(tables.extent.cpu < cpu || tables.extent.memory < memory).toBe(true);
      const search = new StepCoveringSolver(options, 500, 0.0025);
      const solver = new LargeStepSolver(options, tables, search);
      const solution = solver.solve(problem);
      // Coverage from the counts alone: requirement, non-spot share, instance floor.
      const capacity = stepCapacity(options, solution.counts, problem);
      expect(coversStep(capacity, problem)).toBe(true);
      expect(solution.objective).toBeCloseTo(capacity.cost + stepPenalty(problem, capacity.cpu, capacity.memory), 9);
      // Valid bound: never above the true optimum (16 of each option covers every demand drawn).
      const optimum = stepBruteForce(options, problem, 16);
      expect(Number.isFinite(optimum)).toBe(true);
      expect(solution.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
      expect(solution.objective).toBeGreaterThanOrEqual(optimum - 1e-9);
      // The bound is the search's root bound (LP relaxation + least penalty), not a conditional one.
      expect(solution.lowerBound).toBeCloseTo(Math.min(solution.objective, search.rootBound(problem)), 12);
      // The same problem again comes from the cache, unchanged.
      expect(solver.solve(problem)).toEqual(solution);
    }
  });
});
