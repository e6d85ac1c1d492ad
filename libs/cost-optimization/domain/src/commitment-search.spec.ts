import { type DemandForecast } from '@clonecast/contracts';
import { type CatalogRow } from '@clonecast/pricing/catalog';
import { type CommitmentOption, searchCommitmentCapacity } from './commitment-search';
import { ExactStepTables } from './exact-step';
import { planOptimalAllocation } from './optimiser';
import type { HourlyOption, StepProblem } from './step-covering';
import { type Highs, loadHighs } from './solver';
import { catalogOf, committed, highmem, row, small } from './catalog.fixture';
import { rng } from './rng.fixture';
import { cheapestOnDemandMix, stepBruteForce } from './brute-force.fixture';

/** One step's true optimum over the given commitment capacity: every mix of 0..6 instances of each option. */
const stepOptimum = (options: readonly HourlyOption[], p: StepProblem) => stepBruteForce(options, p, 6);

/** The whole problem's true optimum: every commitment vector with 0..6 of each type (enough to cover every step alone), steps by brute force. */
function wholeOptimum(
  options: readonly HourlyOption[],
  commitments: readonly CommitmentOption[],
  hours: number,
  steps: ReadonlyArray<{ weight: number; problem: StepProblem }>,
): number {
  let best = Infinity;
  const y = commitments.map(() => 0);
  const walk = (k: number) => {
    if (k === commitments.length) {
      best = Math.min(best, objectiveOf(options, commitments, hours, steps, y));
      return;
    }
    for (let n = 0; n <= 6; n++) {
      y[k] = n;
      walk(k + 1);
    }
    y[k] = 0;
  };
  walk(0);
  return best;
}

/** The objective of commitment counts with every step solved by brute force (what the search's plan costs at most). */
function objectiveOf(
  options: readonly HourlyOption[],
  commitments: readonly CommitmentOption[],
  hours: number,
  steps: ReadonlyArray<{ weight: number; problem: StepProblem }>,
  counts: readonly number[],
): number {
  const fixed = { vcpu: 0, memoryGiB: 0, instances: 0 };
  let cost = 0;
  commitments.forEach((c, j) => {
    const n = counts[j] ?? 0;
    fixed.vcpu += n * c.vcpu;
    fixed.memoryGiB += n * c.memoryGiB;
    fixed.instances += n;
    cost += n * c.hourly * hours;
  });
  for (const s of steps) cost += s.weight * stepOptimum(options, { ...s.problem, fixed });
  return cost;
}

describe('searchCommitmentCapacity', () => {
  it('bounds the brute-force optimum, and reaches it without penalty, on random small cases', () => {
    const random = rng(7);
    let exact = 0;
    for (let trial = 0; trial < 24; trial++) {
      const options: HourlyOption[] = [];
      const nonSpot = 1 + Math.floor(random() * 2);
      const spot = Math.floor(random() * 2);
      for (let j = 0; j < nonSpot + spot; j++) {
        const vcpu = [2, 4][Math.floor(random() * 2)] as number;
        const memoryGiB = vcpu * ([2, 4, 8][Math.floor(random() * 3)] as number);
        options.push({ vcpu, memoryGiB, hourly: (Math.round((0.02 + random() * 0.05) * vcpu * 1000) / 1000) * (j >= nonSpot ? 0.4 : 1), spot: j >= nonSpot });
      }
      // Commitments: cheaper by the hour than on-demand of the same size, paid for every hour.
      const commitments: CommitmentOption[] = [];
      for (let k = 0; k < 1 + Math.floor(random() * 2); k++) {
        const vcpu = [2, 4][Math.floor(random() * 2)] as number;
        const memoryGiB = vcpu * ([2, 4][Math.floor(random() * 2)] as number);
        commitments.push({ vcpu, memoryGiB, hourly: Math.round((0.01 + random() * 0.03) * vcpu * 1000) / 1000 });
      }
      const withPenalty = trial % 2 === 1;
      const minInstances = trial % 3 === 0 ? 0 : 1;
      const maxSpotShare = spot > 0 ? 0.5 : 0;
      const steps = Array.from({ length: 2 + Math.floor(random() * 3) }, () => {
        const cpu = random() * 9;
        const memory = random() * 20;
        const problem: StepProblem = {
          required: { cpu, memory },
          tail: withPenalty ? { cpu: [cpu * 1.3], memory: [memory * 1.2] } : { cpu: [], memory: [] },
          scenarioCount: 20,
          minInstances,
          maxSpotShare,
          penalty: withPenalty ? { cpu: 0.1, memory: 0.0125 } : { cpu: 0, memory: 0 },
          fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
        };
        return { weight: 1 + Math.floor(random() * 4), problem };
      });
      const hours = steps.reduce((sum, s) => sum + s.weight, 0);
      const maxCpu = Math.max(...steps.map((s) => Math.max(s.problem.required.cpu, ...s.problem.tail.cpu)));
      const maxMemory = Math.max(...steps.map((s) => Math.max(s.problem.required.memory, ...s.problem.tail.memory)));
      const tables = ExactStepTables.build(options, commitments, maxCpu, maxMemory, 100_000);
      expect(tables).toBeDefined();
      if (!tables) continue;
      const optimum = wholeOptimum(options, commitments, hours, steps);
      const noCommitments = objectiveOf(options, commitments, hours, steps, commitments.map(() => 0));
      const result = searchCommitmentCapacity({ tables, commitments, hours, steps, incumbent: noCommitments, tolerance: 0, deadline: Infinity });
      expect(result.complete).toBe(true);
      // Valid bound, and the plan it found is a real plan: bound <= optimum <= its objective.
      expect(result.bound).toBeLessThanOrEqual(optimum + 1e-9);
      if (result.best) {
        expect(objectiveOf(options, commitments, hours, steps, result.best.counts)).toBeLessThanOrEqual(result.best.value + 1e-9);
        expect(result.best.value).toBeGreaterThanOrEqual(optimum - 1e-9);
      }
      const found = Math.min(noCommitments, result.best?.value ?? Infinity);
      // Without penalty the tables are exact and the search closes every box: no gap at all.
      if (!withPenalty) {
        expect(result.bound).toBeCloseTo(optimum, 9);
        expect(found).toBeCloseTo(optimum, 9);
      }
      if (Math.abs(result.bound - optimum) <= 1e-9) exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(12);
  });

  it('with a tolerance, closes within it of its best plan and the bound stays valid (commitments of either shape)', () => {
    const random = rng(23);
    for (let trial = 0; trial < 16; trial++) {
      const options: HourlyOption[] = [
        { vcpu: 2, memoryGiB: 8, hourly: 0.1, spot: false },
        { vcpu: 4, memoryGiB: 8, hourly: 0.15 + random() * 0.05, spot: false },
        { vcpu: 2, memoryGiB: 16, hourly: 0.13 + random() * 0.05, spot: false },
        { vcpu: 4, memoryGiB: 16, hourly: 0.08, spot: true },
      ];
      // K rising faster along vCPU in some trials, along memory in others: either side gets split first.
      const commitments: CommitmentOption[] = [
        { vcpu: 4, memoryGiB: 8, hourly: 0.05 + random() * 0.1 },
        { vcpu: 2, memoryGiB: 16, hourly: 0.05 + random() * 0.1 },
      ];
      const withPenalty = trial % 2 === 1;
      const steps = Array.from({ length: 2 + Math.floor(random() * 3) }, () => {
        const cpu = random() * 10;
        const memory = random() * 28;
        const problem: StepProblem = {
          required: { cpu, memory },
          tail: withPenalty ? { cpu: [cpu * 1.3], memory: [memory * 1.2] } : { cpu: [], memory: [] },
          scenarioCount: 20,
          minInstances: 1,
          maxSpotShare: 0.5,
          penalty: withPenalty ? { cpu: 0.1, memory: 0.0125 } : { cpu: 0, memory: 0 },
          fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
        };
        return { weight: 1 + Math.floor(random() * 4), problem };
      });
      const hours = steps.reduce((sum, s) => sum + s.weight, 0);
      const maxCpu = Math.max(...steps.map((s) => Math.max(s.problem.required.cpu, ...s.problem.tail.cpu)));
      const maxMemory = Math.max(...steps.map((s) => Math.max(s.problem.required.memory, ...s.problem.tail.memory)));
      const tables = ExactStepTables.build(options, commitments, maxCpu, maxMemory, 100_000) as ExactStepTables;
      const optimum = wholeOptimum(options, commitments, hours, steps);
      const noCommitments = objectiveOf(options, commitments, hours, steps, commitments.map(() => 0));
      for (const tolerance of [0.002, 0.02]) {
        const result = searchCommitmentCapacity({ tables, commitments, hours, steps, incumbent: noCommitments, tolerance, deadline: Infinity });
        expect(result.complete).toBe(true);
        expect(result.bound).toBeLessThanOrEqual(optimum + 1e-9);
        const found = Math.min(noCommitments, result.best?.value ?? Infinity);
        expect(found).toBeGreaterThanOrEqual(optimum - 1e-9);
        // Complete: every box closed at a bound within the tolerance of the best plan, or a single grid point,
        // exact without penalty.
        if (!withPenalty) expect(result.bound).toBeGreaterThanOrEqual(found * (1 - tolerance) - 1e-9);
      }
    }
  });

  it('stops at the deadline with a bound that is still valid', () => {
    const options: HourlyOption[] = [
      { vcpu: 2, memoryGiB: 8, hourly: 0.1, spot: false },
      { vcpu: 4, memoryGiB: 8, hourly: 0.05, spot: true },
    ];
    const commitments: CommitmentOption[] = [{ vcpu: 2, memoryGiB: 8, hourly: 0.06 }];
    const steps = [3, 7, 5].map((cpu) => ({
      weight: 2,
      problem: {
        required: { cpu, memory: cpu * 3 },
        tail: { cpu: [], memory: [] },
        scenarioCount: 20,
        minInstances: 1,
        maxSpotShare: 0.5,
        penalty: { cpu: 0, memory: 0 },
        fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
      },
    }));
    const tables = ExactStepTables.build(options, commitments, 7, 21, 100_000) as ExactStepTables;
    const optimum = wholeOptimum(options, commitments, 6, steps);
    const stopped = searchCommitmentCapacity({ tables, commitments, hours: 6, steps, incumbent: Infinity, tolerance: 0, deadline: -Infinity });
    expect(stopped.complete).toBe(false);
    expect(stopped.bound).toBeLessThanOrEqual(optimum + 1e-9);
    const full = searchCommitmentCapacity({ tables, commitments, hours: 6, steps, incumbent: Infinity, tolerance: 0, deadline: Infinity });
    expect(full.complete).toBe(true);
    expect(full.bound).toBeCloseTo(optimum, 9);
    expect(full.best?.value).toBeCloseTo(optimum, 9);
  });
});

describe('planOptimalAllocation with commitments on a small account', () => {
  const START = '2026-09-01T00:00:00.000Z';
  const HOUR = 3_600_000;
  const tiny = row({ instanceType: 'e2-small', family: 'e2', vcpu: 1, memoryGiB: 2, onDemandHourly: 0.02, commitmentModel: 'committed', commitment1yHourly: 0.014, commitment3yHourly: 0.011 });
  const catalog = catalogOf([small, highmem, tiny, committed]);
  const types: CatalogRow[] = [small, highmem, tiny, committed];
  let highs: Highs;
  beforeAll(async () => {
    highs = await loadHighs();
  });

  function forecastOf(cpu: number[], memory: number[]): DemandForecast {
    const zeros = { '0.95': cpu.map(() => 0) };
    return {
      modelVersion: 'test@1',
      stepMinutes: 60,
      start: START,
      timestamps: cpu.map((_, i) => new Date(Date.parse(START) + i * HOUR).toISOString()),
      quantiles: [0.95],
      metrics: { cpu: { '0.95': cpu }, memory: { '0.95': memory }, storage: zeros, network: zeros },
    };
  }

  /** Brute force: 0..18 small and 0..3 large committed (3-year; enough to cover every hour), then per hour every on-demand mix of up to 4 of each type. */
  function optimumOf(cpu: number[], memory: number[]): number {
    const cheapest = (needCpu: number, needMemory: number, running: number) => cheapestOnDemandMix(types, needCpu, needMemory, 4, running);
    let optimum = Infinity;
    for (let small3y = 0; small3y <= 18; small3y++)
      for (let large3y = 0; large3y <= 3; large3y++) {
        let total = (small3y * 0.011 + large3y * 0.18) * cpu.length;
        for (let h = 0; h < cpu.length; h++)
          total += cheapest((cpu[h] ?? 0) - small3y - 8 * large3y, (memory[h] ?? 0) - 2 * small3y - 32 * large3y, small3y + large3y);
        optimum = Math.min(optimum, total);
      }
    return optimum;
  }

  it.each([
    ['one small committed instance all day', [0.4, 0.9, 1.6, 0.7, 0.3, 1.2], [1.1, 1.8, 3.5, 1.4, 0.9, 2.4]],
    ['a committed baseline under peaks', [6, 9, 14, 10, 7, 17], [20, 30, 50, 36, 22, 60]],
  ])('finds the optimum and proves it (%s)', (_, cpu, memory) => {
    const forecast = forecastOf(cpu, memory);
    const request = {
      activationAt: START,
      timeframeHours: cpu.length,
      serviceLevel: 0.95,
      constraints: { clouds: ['gcp' as const], maxSpotShare: 0, allowCommitments: true, minInstances: 1 },
    };
    const { solver } = planOptimalAllocation(highs, forecast, request, catalog, new Date('2026-08-09T00:00:00Z'), {
      unmetPenalty: { cpu: 0, memory: 0 },
      boundBudgetMs: Infinity,
    });
    const optimum = optimumOf(cpu, memory);
    expect(solver.objective).toBeCloseTo(optimum, 9);
    expect(solver.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
    expect(solver.gap).toBeLessThanOrEqual(1e-6);
    expect(solver.status).toBe('optimal');
    // The search settled plan and bound: HiGHS was not needed.
    expect(solver.master).toBe('not-needed');
  });
});
