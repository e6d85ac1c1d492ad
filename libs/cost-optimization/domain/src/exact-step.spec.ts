import { ExactStepTables, coveringTable, lpOut, spotAwareBoundFlat, withoutPairReplaceable } from './exact-step';
import { type HourlyOption, type StepProblem, dualVertices, spotAwareBound } from './step-covering';
import { rng } from './rng.fixture';
import { stepBruteForce } from './brute-force.fixture';

/** Every mix of 0..8 instances of each option (enough for the demands drawn): the true optimum of one step. */
const bruteForce = (options: readonly HourlyOption[], p: StepProblem) => stepBruteForce(options, p, 8);

describe('ExactStepTables', () => {
  it('equals brute force without penalty and bounds it with one, on random small steps', () => {
    const random = rng(42);
    let exactCount = 0;
    for (let trial = 0; trial < 60; trial++) {
      const options: HourlyOption[] = [];
      const nonSpot = 1 + Math.floor(random() * 3);
      const spot = Math.floor(random() * 3);
      for (let j = 0; j < nonSpot + spot; j++) {
        const vcpu = [2, 4, 8][Math.floor(random() * 3)] as number;
        const memoryGiB = vcpu * ([2, 4, 8][Math.floor(random() * 3)] as number);
        options.push({ vcpu, memoryGiB, hourly: Math.round((0.02 + random() * 0.05) * vcpu * 1000) / 1000 * (j >= nonSpot ? 0.4 : 1), spot: j >= nonSpot });
      }
      const withPenalty = trial % 2 === 1;
      const cpu = random() * 8;
      const memory = random() * 16;
      const fixedCount = trial % 3 === 0 ? 1 : 0;
      const problem: StepProblem = {
        required: { cpu, memory },
        tail: withPenalty ? { cpu: [cpu * 1.3], memory: [memory * 1.2] } : { cpu: [], memory: [] },
        scenarioCount: 20,
        minInstances: 1,
        maxSpotShare: spot > 0 ? 0.5 : 0,
        penalty: withPenalty ? { cpu: 0.6, memory: 0.1 } : { cpu: 0, memory: 0 },
        fixed: { vcpu: 2 * fixedCount, memoryGiB: 8 * fixedCount, instances: fixedCount },
      };
      const tables = ExactStepTables.build(options, [{ vcpu: 2, memoryGiB: 8 }], 40, 160, 1e6);
      expect(tables).toBeDefined();
      const solution = tables?.solve(problem);
      const optimum = bruteForce(options, problem);
      if (!Number.isFinite(optimum) || !solution) continue;
      // The plan is feasible and never claims better than the optimum; the bound never exceeds it.
      expect(solution.objective).toBeGreaterThanOrEqual(optimum - 1e-9);
      expect(solution.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
      // The counts-free bounds: the same lower bound, and an upper bound no better than the optimum.
      const bounds = tables?.bounds(problem);
      expect(bounds?.lower).toBeCloseTo(solution.lowerBound, 12);
      expect(bounds?.upper).toBeGreaterThanOrEqual(optimum - 1e-9);
      if (!withPenalty) {
        expect(solution.objective).toBeCloseTo(optimum, 9);
        expect(solution.exact).toBe(true);
        expect(bounds?.upper).toBeCloseTo(optimum, 9);
        exactCount++;
      }
    }
    expect(exactCount).toBeGreaterThan(20);
  });

  it('drops the sizes a pair of others replaces, and still equals brute force with prices linear in size', () => {
    // Linear prices: 4/16 is two 2/8 (same price), 8/32 two 4/16; 2/16 is not replaced (more memory per vCPU).
    const sizes = [
      { v: 2, w: 8, c: 0.1 },
      { v: 4, w: 16, c: 0.2 },
      { v: 8, w: 32, c: 0.4 },
      { v: 2, w: 16, c: 0.13 },
      { v: 8, w: 32, c: 0.39 },
    ];
    expect(withoutPairReplaceable(sizes)).toEqual([sizes[0], sizes[3], sizes[4]]);
    const options: HourlyOption[] = [
      { vcpu: 2, memoryGiB: 8, hourly: 0.1, spot: false },
      { vcpu: 4, memoryGiB: 16, hourly: 0.2, spot: false },
      { vcpu: 8, memoryGiB: 32, hourly: 0.4, spot: false },
      { vcpu: 2, memoryGiB: 16, hourly: 0.13, spot: false },
      { vcpu: 4, memoryGiB: 8, hourly: 0.05, spot: true },
      { vcpu: 8, memoryGiB: 16, hourly: 0.1, spot: true },
    ];
    const tables = ExactStepTables.build(options, [], 40, 160, 1e6) as ExactStepTables;
    const random = rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const problem: StepProblem = {
        required: { cpu: random() * 14, memory: random() * 40 },
        tail: { cpu: [], memory: [] },
        scenarioCount: 20,
        minInstances: 1,
        maxSpotShare: trial % 2 === 0 ? 0.5 : 0,
        penalty: { cpu: 0, memory: 0 },
        fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
      };
      expect(tables.solve(problem)?.objective).toBeCloseTo(bruteForce(options, problem), 9);
    }
  });

  it('lowerAbove is boundsAbove\'s lower bound without allocation, and bounds brute force above fixed capacity', () => {
    const random = rng(11);
    let compared = 0;
    for (let trial = 0; trial < 80; trial++) {
      const options: HourlyOption[] = [];
      const nonSpot = 1 + Math.floor(random() * 3);
      const spot = Math.floor(random() * 3);
      for (let j = 0; j < nonSpot + spot; j++) {
        const vcpu = [2, 4, 8][Math.floor(random() * 3)] as number;
        const memoryGiB = vcpu * ([2, 4, 8][Math.floor(random() * 3)] as number);
        options.push({ vcpu, memoryGiB, hourly: Math.round((0.02 + random() * 0.05) * vcpu * 1000) / 1000 * (j >= nonSpot ? 0.4 : 1), spot: j >= nonSpot });
      }
      const tables = ExactStepTables.build(options, [{ vcpu: 2, memoryGiB: 8 }], 40, 160, 1e6) as ExactStepTables;
      const cpu = random() * 10;
      const memory = random() * 24;
      // Tails of 0-3 scenarios, some of them below the fixed capacity (no room above it in that resource).
      const tailOf = (base: number) => Array.from({ length: Math.floor(random() * 4) }, () => base * (1 + random() * 0.8));
      const problem: StepProblem = {
        required: { cpu, memory },
        tail: { cpu: tailOf(cpu), memory: tailOf(memory) },
        scenarioCount: 20,
        minInstances: 1,
        maxSpotShare: spot > 0 ? 0.5 : 0,
        penalty: { cpu: random() * 0.8, memory: random() * 0.2 },
        fixed: { vcpu: 0, memoryGiB: 0, instances: 0 },
      };
      const cu = tables.cpuUnit;
      const mu = tables.memoryUnit;
      for (const [fixedVcpu, fixedMemory] of [
        [cu, mu],
        [2 * cu, 8 * mu],
        [Math.ceil(4 / cu) * cu, Math.ceil(16 / mu) * mu],
        [Math.ceil(12 / cu) * cu, Math.ceil(40 / mu) * mu],
      ] as Array<[number, number]>) {
        const lower = tables.lowerAbove(problem, fixedVcpu, fixedMemory);
        const bounds = tables.boundsAbove(problem, fixedVcpu, fixedMemory, false);
        expect(lower).toBe(bounds ? bounds.lower : NaN);
        const optimum = bruteForce(options, { ...problem, fixed: { vcpu: fixedVcpu, memoryGiB: fixedMemory, instances: 1 } });
        if (Number.isFinite(optimum)) {
          expect(lower).toBeLessThanOrEqual(optimum + 1e-9);
          compared++;
        }
      }
      // Off the grid: no bound (as boundsAbove).
      expect(tables.lowerAbove(problem, cu / 2, mu)).toBeNaN();
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('spotAwareBoundFlat equals spotAwareBound, value and slope', () => {
    const random = rng(9);
    for (let trial = 0; trial < 200; trial++) {
      const options: HourlyOption[] = Array.from({ length: Math.floor(random() * 6) }, () => {
        const vcpu = 1 + Math.floor(random() * 8);
        return { vcpu, memoryGiB: vcpu * (1 + Math.floor(random() * 8)), hourly: 0.01 + random() * 0.3, spot: random() < 0.4 };
      });
      const all = dualVertices(options);
      const nonSpot = dualVertices(options.filter((o) => !o.spot));
      const rest: [number, number] = [random() < 0.2 ? 0 : random() * 20, random() < 0.2 ? 0 : random() * 60];
      const restNonSpot: [number, number] = [random() < 0.3 ? 0 : rest[0] * random(), random() < 0.3 ? 0 : rest[1] * random()];
      const expected = spotAwareBound(all, nonSpot, rest, restNonSpot);
      spotAwareBoundFlat(Float64Array.from(all.flat()), Float64Array.from(nonSpot.flat()), rest[0], rest[1], restNonSpot[0], restNonSpot[1]);
      expect([lpOut[0], lpOut[1], lpOut[2]]).toEqual([expected.value, ...expected.slope]);
    }
  });

  it('coveringTable equals the plain covering recurrence, ties included', () => {
    const random = rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const sizes = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, j) => ({ j: 3 * j + 1, v: Math.floor(random() * 5), w: 1 + Math.floor(random() * 6), c: Math.round(random() * 8) / 4 + 0.25 }));
      const width = 2 + Math.floor(random() * 12);
      const height = 2 + Math.floor(random() * 15);
      const cost = new Float64Array(width * height).fill(Infinity);
      const choice = new Int32Array(width * height).fill(-1);
      cost[0] = 0;
      coveringTable(sizes, width, height, cost, choice);
      const plain = new Float64Array(width * height).fill(Infinity);
      const plainChoice = new Int32Array(width * height).fill(-1);
      plain[0] = 0;
      for (let a = 0; a < width; a++)
        for (let b = 0; b < height; b++) {
          if (a === 0 && b === 0) continue;
          for (const s of sizes) {
            const c = s.c + (plain[Math.max(0, a - s.v) * height + Math.max(0, b - s.w)] as number);
            if (c < (plain[a * height + b] as number)) {
              plain[a * height + b] = c;
              plainChoice[a * height + b] = s.j;
            }
          }
        }
      expect([...cost]).toEqual([...plain]);
      expect([...choice]).toEqual([...plainChoice]);
    }
  });

  it('declines sizes off the grid and grids that are too large', () => {
    expect(ExactStepTables.build([{ vcpu: 1, memoryGiB: 0.6, hourly: 0.01, spot: false }], [], 10, 10, 1e6)).toBeUndefined();
    expect(ExactStepTables.build([{ vcpu: 1, memoryGiB: 1, hourly: 0.01, spot: false }], [], 1000, 1000, 1e4)).toBeUndefined();
  });
});
