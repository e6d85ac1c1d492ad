import { scenarioShortfall } from './step-demand';
import { type HourlyOption, type StepProblem, type StepSolution, dualVertices } from './step-covering';

/** Float noise in forecast arithmetic (4.000000001 vCPU) must not buy a whole extra instance (as in the search). */
const CAPACITY_TOLERANCE = 1e-9;
/** Memory sizes are read on a 1/4 GiB grid; a catalog with finer sizes falls back to the search. */
const MEMORY_QUANTUM = 4;

/**
 * Exact covering tables for one step's integer problem, built once per plan. Capacities are whole multiples
 * of a grid unit (the gcd of the vCPU sizes, of the GiB sizes), so "the cheapest mix of non-spot options with
 * at least a units of vCPU and b units of memory" is a dynamic programme over the grid, F(a, b) = min over
 * options j of c_j + F((a - v_j)+, (b - w_j)+), and likewise for spot. One step then costs
 * min over non-spot capacity N >= (1 - maxSpotShare) R of F_nonSpot(N) + F_spot((T - N)+) for the total T it
 * buys: exact, spot rule included, no node limit. The tables are shared by every step and every commitment
 * level tried (commitments only shift the requirement).
 */
export class ExactStepTables {
  private readonly nonSpot: Table;
  private readonly spot: Table;
  private readonly cheapest: number;
  private readonly verticesAll: Array<[number, number]>;
  private readonly verticesNonSpot: Array<[number, number]>;
  /** The same vertices flattened (alpha, beta, alpha, beta, ...) for the allocation-free LP bound. */
  private readonly flatAll: Float64Array;
  private readonly flatNonSpot: Float64Array;

  private constructor(
    private readonly options: readonly HourlyOption[],
    readonly cpuUnit: number,
    readonly memoryUnit: number,
    private readonly width: number,
    private readonly height: number,
    spotTable?: Table,
  ) {
    const indices = options.map((_, j) => j);
    this.nonSpot = buildTable(options, indices.filter((j) => !(options[j] as HourlyOption).spot), cpuUnit, memoryUnit, width, height);
    this.spot = spotTable ?? buildTable(options, indices.filter((j) => (options[j] as HourlyOption).spot), cpuUnit, memoryUnit, width, height);
    this.cheapest = Math.min(...options.map((o) => o.hourly));
    this.verticesAll = dualVertices(options);
    this.verticesNonSpot = dualVertices(options.filter((o) => !o.spot));
    this.flatAll = Float64Array.from(this.verticesAll.flat());
    this.flatNonSpot = Float64Array.from(this.verticesNonSpot.flat());
  }

  /**
   * Tables up to (maxCpu, maxMemory) of capacity beyond the fixed one, or undefined when the sizes are not on
   * a grid or the grid would exceed `maxCells` cells (the caller then uses the branch and bound).
   * `fixedSizes` are the sizes that can make up fixed capacity (commitments): they must be on the grid too.
   */
  static build(
    options: readonly HourlyOption[],
    fixedSizes: ReadonlyArray<{ vcpu: number; memoryGiB: number }>,
    maxCpu: number,
    maxMemory: number,
    maxCells: number,
  ): ExactStepTables | undefined {
    const units = gridUnits(options, fixedSizes);
    if (!units) return undefined;
    const { cpuUnit, memoryUnit } = units;
    const width = Math.ceil(maxCpu / cpuUnit) + 1;
    const height = Math.ceil(maxMemory / memoryUnit) + 1;
    if (!(width * height <= maxCells)) return undefined;
    return new ExactStepTables(options, cpuUnit, memoryUnit, width, height);
  }

  /**
   * Tables on a grid of at most `maxCells` cells shaped like (extentCpu, extentMemory): the whole extent when
   * it fits, else a scaled-down box (for the rest of a large step above a bulk). undefined when the sizes are
   * not on a grid.
   */
  static buildWithin(
    options: readonly HourlyOption[],
    fixedSizes: ReadonlyArray<{ vcpu: number; memoryGiB: number }>,
    extentCpu: number,
    extentMemory: number,
    maxCells: number,
  ): ExactStepTables | undefined {
    const units = gridUnits(options, fixedSizes);
    if (!units) return undefined;
    const { cpuUnit, memoryUnit } = units;
    const fullWidth = Math.ceil(extentCpu / cpuUnit) + 1;
    const fullHeight = Math.ceil(extentMemory / memoryUnit) + 1;
    const scale = Math.min(1, Math.sqrt(maxCells / (fullWidth * fullHeight)));
    const width = Math.max(2, Math.min(fullWidth, Math.floor(fullWidth * scale)));
    const height = Math.max(2, Math.min(fullHeight, Math.floor(maxCells / width)));
    if (!(width * height <= maxCells)) return undefined;
    return new ExactStepTables(options, cpuUnit, memoryUnit, width, height);
  }

  /** Largest rest (beyond the fixed capacity or a base) the tables hold: vCPU and GiB. */
  get extent(): { cpu: number; memory: number } {
    return { cpu: (this.width - 1) * this.cpuUnit, memory: (this.height - 1) * this.memoryUnit };
  }

  /** Grid cells per table. */
  get cells(): number {
    return this.width * this.height;
  }

  /**
   * Tables for other non-spot options (e.g. commitments priced for one step) on the same grid, sharing the
   * spot table: `options` must hold exactly this table's spot options, in the same order, after its
   * non-spot ones, and their sizes must be on the grid. undefined when they are not.
   */
  withNonSpot(nonSpot: readonly HourlyOption[]): ExactStepTables | undefined {
    if (nonSpot.some((o) => o.spot || !(o.hourly > 0) || !onGrid(o.vcpu, this.cpuUnit) || !onGrid(o.memoryGiB, this.memoryUnit) || o.vcpu <= 0 || o.memoryGiB <= 0))
      return undefined;
    const options = [...nonSpot, ...this.options.filter((o) => o.spot)];
    const spotFirst = this.options.findIndex((o) => o.spot);
    const shared = spotFirst < 0 || this.options.slice(spotFirst).every((o) => o.spot);
    if (!shared) return undefined;
    // The spot table indexes options by position: rebuild it when the positions moved.
    const same = spotFirst < 0 ? true : spotFirst === nonSpot.length;
    return new ExactStepTables(options, this.cpuUnit, this.memoryUnit, this.width, this.height, same ? this.spot : undefined);
  }

  /**
   * The step's optimum over the totals worth considering (the requirement, and each demand scenario above
   * it), with a lower bound that is exact for the covering cost and bounds what extra capacity could save
   * in penalty by the LP's marginal prices. undefined when this step is outside the tables (the caller
   * falls back): a requirement beyond the grid, fixed capacity off the grid, or an instance floor of 2+.
   */
  solve(problem: StepProblem): StepSolution | undefined {
    const { fixed } = problem;
    return this.solveAbove(problem, { ...fixed, nonSpotVcpu: fixed.vcpu, nonSpotMemoryGiB: fixed.memoryGiB }, true);
  }

  /**
   * The lower bound `solve` proves for the step and an upper bound of its optimum, without reading counts
   * back (cheaper, for searches that only compare sums): the upper bound is the covering cost of the best
   * total tried plus the penalty at that total (the counts bought reach at least it). `withUpper` false
   * tries only the requirement's total (all the lower bound needs; the upper bound is then that plan's).
   * undefined as for `solve`.
   */
  bounds(problem: StepProblem, withUpper = true): { lower: number; upper: number } | undefined {
    const { fixed } = problem;
    // An instance the floor still needs changes the plan's shape: the full solve handles it.
    if (fixed.instances < problem.minInstances) {
      const solution = this.solve(problem);
      return solution && { lower: solution.lowerBound, upper: solution.objective };
    }
    return this.boundsAbove(problem, fixed.vcpu, fixed.memoryGiB, withUpper);
  }

  /**
   * `bounds` with the fixed capacity given apart (`problem.fixed` is not read): (fixedVcpu, fixedMemoryGiB)
   * all non-spot, with enough instances for the floor - the caller ensures it.
   */
  boundsAbove(problem: StepProblem, fixedVcpu: number, fixedMemoryGiB: number, withUpper = true): { lower: number; upper: number } | undefined {
    const { required, maxSpotShare, tail, penalty, scenarioCount } = problem;
    const fixed = { vcpu: fixedVcpu, memoryGiB: fixedMemoryGiB };
    // What solveAbove does with the base = the fixed capacity, all of it non-spot, no instance missing.
    const cu = this.cpuUnit;
    const mu = this.memoryUnit;
    if (!onGrid(fixed.vcpu, cu) || !onGrid(fixed.memoryGiB, mu)) return undefined;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    const restCpu = Math.max(0, needCpu - fixed.vcpu);
    const restMemory = Math.max(0, needMemory - fixed.memoryGiB);
    const restNsCpu = Math.max(0, (1 - maxSpotShare) * needCpu - fixed.vcpu);
    const restNsMemory = Math.max(0, (1 - maxSpotShare) * needMemory - fixed.memoryGiB);
    const nsA = units(restNsCpu, cu);
    const nsB = units(restNsMemory, mu);
    const a0 = Math.max(units(restCpu, cu), nsA);
    const b0 = Math.max(units(restMemory, mu), nsB);
    if (a0 >= this.width || b0 >= this.height) return undefined;
    const penaltyOf = (cpu: number, memory: number) =>
      penalty.cpu * scenarioShortfall(tail.cpu, cpu, scenarioCount) + penalty.memory * scenarioShortfall(tail.memory, memory, scenarioCount);

    const coverCost = this.coverCost(a0, b0, Math.min(nsA, a0), Math.min(nsB, b0));
    let upper = Number.isFinite(coverCost) ? coverCost + penaltyOf(fixed.vcpu + a0 * cu, fixed.memoryGiB + b0 * mu) : Infinity;
    if (withUpper) {
      // The other totals solve tries: each scenario above the requirement (beyond the grid: its edge).
      const totalOf = (rest: number, d: number, fixedCapacity: number, unit: number, limit: number) => Math.min(limit - 1, Math.max(rest, units(d - fixedCapacity, unit)));
      const cpuTotals = [a0, ...tail.cpu.map((d) => totalOf(a0, d, fixed.vcpu, cu, this.width))];
      const memoryTotals = [b0, ...tail.memory.map((d) => totalOf(b0, d, fixed.memoryGiB, mu, this.height))];
      for (let i = 0; i < cpuTotals.length; i++)
        for (let j = 0; j < memoryTotals.length; j++) {
          const ta = cpuTotals[i] as number;
          const tb = memoryTotals[j] as number;
          if ((ta === a0 && tb === b0) || cpuTotals.indexOf(ta) < i || memoryTotals.indexOf(tb) < j) continue;
          const cost = this.coverCost(ta, tb, Math.min(nsA, ta), Math.min(nsB, tb));
          if (Number.isFinite(cost)) upper = Math.min(upper, cost + penaltyOf(fixed.vcpu + ta * cu, fixed.memoryGiB + tb * mu));
        }
    }
    if (!Number.isFinite(upper)) return { lower: Infinity, upper: Infinity };
    const lower = this.lowerBoundAt(problem, fixed.vcpu, fixed.memoryGiB, coverCost, restCpu, restMemory, restNsCpu, restNsMemory);
    return { lower: Math.min(upper, lower), upper };
  }

  /**
   * `boundsAbove(problem, fixedVcpu, fixedMemoryGiB, false).lower` without allocating (the searches call it
   * per step and grid point): NaN where boundsAbove is undefined, Infinity where its bounds are.
   */
  lowerAbove(problem: StepProblem, fixedVcpu: number, fixedMemoryGiB: number): number {
    const { required, maxSpotShare } = problem;
    const cu = this.cpuUnit;
    const mu = this.memoryUnit;
    if (!onGrid(fixedVcpu, cu) || !onGrid(fixedMemoryGiB, mu)) return NaN;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    const restCpu = Math.max(0, needCpu - fixedVcpu);
    const restMemory = Math.max(0, needMemory - fixedMemoryGiB);
    const restNsCpu = Math.max(0, (1 - maxSpotShare) * needCpu - fixedVcpu);
    const restNsMemory = Math.max(0, (1 - maxSpotShare) * needMemory - fixedMemoryGiB);
    const nsA = units(restNsCpu, cu);
    const nsB = units(restNsMemory, mu);
    const a0 = Math.max(units(restCpu, cu), nsA);
    const b0 = Math.max(units(restMemory, mu), nsB);
    if (a0 >= this.width || b0 >= this.height) return NaN;
    const coverCost = this.coverScan(a0, b0, Math.min(nsA, a0), Math.min(nsB, b0));
    if (!Number.isFinite(coverCost)) return Infinity;
    const upper = coverCost + penaltyAt(problem, fixedVcpu + a0 * cu, fixedMemoryGiB + b0 * mu);
    if (!Number.isFinite(upper)) return Infinity;
    return Math.min(upper, this.lowerBoundAt(problem, fixedVcpu, fixedMemoryGiB, coverCost, restCpu, restMemory, restNsCpu, restNsMemory));
  }

  /**
   * The cheapest plan on top of `base` (capacity already bought, e.g. the fixed capacity plus a bulk of
   * instances; its non-spot part counts toward the spot rule): the counts the tables add, and the objective
   * of base + those counts excluding the base's own cost. No lower bound: the plan is optimal only given the
   * base. undefined when the rest is outside the tables.
   */
  planAbove(problem: StepProblem, base: BaseCapacity): { counts: number[]; objective: number } | undefined {
    const solution = this.solveAbove(problem, base, false);
    return solution && Number.isFinite(solution.objective) ? { counts: solution.counts, objective: solution.objective } : undefined;
  }

  private solveAbove(problem: StepProblem, fixed: BaseCapacity, withBound: boolean): StepSolution | undefined {
    const { required, maxSpotShare } = problem;
    const cu = this.cpuUnit;
    const mu = this.memoryUnit;
    if (![fixed.vcpu, fixed.nonSpotVcpu].every((v) => onGrid(v, cu)) || ![fixed.memoryGiB, fixed.nonSpotMemoryGiB].every((v) => onGrid(v, mu))) return undefined;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    const restCpu = Math.max(0, needCpu - fixed.vcpu);
    const restMemory = Math.max(0, needMemory - fixed.memoryGiB);
    const restNsCpu = Math.max(0, (1 - maxSpotShare) * needCpu - fixed.nonSpotVcpu);
    const restNsMemory = Math.max(0, (1 - maxSpotShare) * needMemory - fixed.nonSpotMemoryGiB);
    const nsA = units(restNsCpu, cu);
    const nsB = units(restNsMemory, mu);
    // The total is at least the non-spot part (above a base with spot in it, the latter can be the larger).
    const a0 = Math.max(units(restCpu, cu), nsA);
    const b0 = Math.max(units(restMemory, mu), nsB);
    if (a0 >= this.width || b0 >= this.height) return undefined;
    const missingInstances = problem.minInstances - fixed.instances;
    if (missingInstances >= 2) return undefined;
    // With something to buy, one instance at least is bought; otherwise the floor may need one.
    const needsOne = missingInstances === 1 && a0 === 0 && b0 === 0;

    const penaltyOf = (cpu: number, memory: number) =>
      problem.penalty.cpu * scenarioShortfall(problem.tail.cpu, cpu, problem.scenarioCount) +
      problem.penalty.memory * scenarioShortfall(problem.tail.memory, memory, problem.scenarioCount);

    // Totals to try: the requirement and each scenario above it (beyond the grid: its edge).
    const candidatesOf = (rest: number, tail: readonly number[], fixedCapacity: number, unit: number, limit: number) => {
      const out = new Set<number>([rest]);
      for (const d of tail) out.add(Math.min(limit - 1, Math.max(rest, units(d - fixedCapacity, unit))));
      return [...out];
    };
    const cpuTotals = candidatesOf(a0, problem.tail.cpu, fixed.vcpu, cu, this.width);
    const memoryTotals = candidatesOf(b0, problem.tail.memory, fixed.memoryGiB, mu, this.height);

    let best: number[] | undefined;
    let bestObjective = Infinity;
    let coverCost = Infinity;
    const consider = (counts: number[]) => {
      let cost = 0;
      let cpu = fixed.vcpu;
      let memory = fixed.memoryGiB;
      let instances = fixed.instances;
      counts.forEach((k, j) => {
        if (k === 0) return;
        const o = this.options[j] as HourlyOption;
        cost += k * o.hourly;
        cpu += k * o.vcpu;
        memory += k * o.memoryGiB;
        instances += k;
      });
      if (instances < problem.minInstances) return;
      const objective = cost + penaltyOf(cpu, memory);
      if (objective < bestObjective) {
        bestObjective = objective;
        best = counts;
      }
    };
    for (const ta of cpuTotals)
      for (const tb of memoryTotals) {
        const pick = this.cover(ta, tb, Math.min(nsA, ta), Math.min(nsB, tb));
        if (!pick) continue;
        if (ta === a0 && tb === b0) coverCost = pick.cost;
        const counts = this.countsOf(pick.a, pick.b, ta, tb);
        if (counts.some((k) => k > 0) || !needsOne) consider(counts);
        else
          this.options.forEach((o, j) => {
            const one = new Array<number>(this.options.length).fill(0);
            one[j] = 1;
            if (o.spot && (nsA > 0 || nsB > 0)) return;
            consider(one);
          });
      }
    if (!best) return { counts: new Array<number>(this.options.length).fill(0), objective: Infinity, lowerBound: Infinity, exact: true };
    if (!withBound) return { counts: best, objective: bestObjective, lowerBound: -Infinity, exact: false };

    // Lower bound: any plan with total capacity T >= the requirement costs at least the exact covering cost
    // (the tables) and at least the LP's dual value V + Q.(T - T0); add the penalty at T and minimise over T.
    // The function is convex piecewise linear in T: its minimum over the box is at a vertex of the
    // arrangement of the penalty's breakpoints and the line where the two cost bounds cross.
    const floorCost = needsOne ? Math.max(coverCost, this.cheapest) : coverCost;
    let lowerBound = this.lowerBoundAt(problem, fixed.vcpu, fixed.memoryGiB, floorCost, restCpu, restMemory, restNsCpu, restNsMemory);
    lowerBound = Math.min(bestObjective, lowerBound);
    return { counts: best, objective: bestObjective, lowerBound, exact: bestObjective - lowerBound <= 1e-12 * Math.max(1, bestObjective) };
  }

  /**
   * Lower bound of a step above fixed capacity: any plan with total capacity T >= the requirement costs at
   * least `floorCost` (the exact covering cost of the requirement) and at least the LP's dual value
   * V + Q.(T - T0); add the penalty at T and minimise over T. The function is convex piecewise linear in T:
   * its minimum over the box is at a vertex of the arrangement of the penalty's breakpoints and the line
   * where the two cost bounds cross.
   */
  private lowerBoundAt(
    problem: StepProblem,
    fixedCpu: number,
    fixedMemory: number,
    floorCost: number,
    restCpu: number,
    restMemory: number,
    restNsCpu: number,
    restNsMemory: number,
  ): number {
    spotAwareBoundFlat(this.flatAll, this.flatNonSpot, restCpu, restMemory, restNsCpu, restNsMemory);
    const lpv = lpOut[0] as number;
    const qa = lpOut[1] as number;
    const qb = lpOut[2] as number;
    const { tail, penalty, scenarioCount } = problem;
    const t0c = fixedCpu + restCpu;
    const t0m = fixedMemory + restMemory;
    let topc = t0c;
    for (const d of tail.cpu) if (d > topc) topc = d;
    let topm = t0m;
    for (const d of tail.memory) if (d > topm) topm = d;
    const lpFinite = Number.isFinite(lpv);
    // No scenario above the requirement: the box is the point T0, where every candidate below lands.
    if (topc === t0c && topm === t0m) return Math.max(floorCost, lpFinite ? lpv : -Infinity);
    // Candidate coordinates in one scratch buffer (this runs once per step and grid point of the searches):
    // vCPU values at [0, size), memory values at [size, 2 size), their penalties at [2 size, 4 size).
    const size = 2 * (4 + tail.cpu.length + tail.memory.length);
    if (scratch.length < 4 * size) scratch = new Float64Array(4 * size);
    const buf = scratch;
    const ms = size;
    const cp = 2 * size;
    const mp = 3 * size;
    let nc = 0;
    let nm = 0;
    // (topc and topm are among these: t0 or the largest scenario above it.)
    buf[nc++] = t0c;
    for (const d of tail.cpu) if (d > t0c) buf[nc++] = d;
    buf[ms + nm++] = t0m;
    for (const d of tail.memory) if (d > t0m) buf[ms + nm++] = d;
    const gapToFloor = floorCost - lpv;
    if (Number.isFinite(gapToFloor) && gapToFloor > 0) {
      const cpuCount = nc;
      if (qb > 0) for (let i = 0; i < cpuCount; i++) buf[ms + nm++] = t0m + (gapToFloor - qa * ((buf[i] as number) - t0c)) / qb;
      const memoryCount = nm;
      // With no room in vCPU (topc = t0c) these would all be clamped to t0c, already a candidate.
      if (qa > 0 && topc > t0c) for (let j = 0; j < memoryCount; j++) buf[nc++] = t0c + (gapToFloor - qb * ((buf[ms + j] as number) - t0m)) / qa;
    }
    // Clamped to the box; the penalty is a sum of a vCPU and a memory part, each computed once per coordinate.
    for (let i = 0; i < nc; i++) {
      const c = Math.min(topc, Math.max(t0c, buf[i] as number));
      buf[i] = c;
      buf[cp + i] = penalty.cpu * scenarioShortfall(tail.cpu, c, scenarioCount);
    }
    for (let j = 0; j < nm; j++) {
      const m = Math.min(topm, Math.max(t0m, buf[ms + j] as number));
      buf[ms + j] = m;
      buf[mp + j] = penalty.memory * scenarioShortfall(tail.memory, m, scenarioCount);
    }
    let lowerBound = Infinity;
    for (let i = 0; i < nc; i++)
      for (let j = 0; j < nm; j++) {
        const costBound = Math.max(floorCost, lpFinite ? lpv + qa * ((buf[i] as number) - t0c) + qb * ((buf[ms + j] as number) - t0m) : -Infinity);
        lowerBound = Math.min(lowerBound, costBound + ((buf[cp + i] as number) + (buf[mp + j] as number)));
      }
    return lowerBound;
  }

  /** The cost of `cover` alone (no split read back). */
  private coverCost(ta: number, tb: number, nsA: number, nsB: number): number {
    return this.coverScan(ta, tb, nsA, nsB);
  }

  /** Cheapest split of total (ta, tb) units into non-spot N >= (nsA, nsB) and spot (ta, tb) - N. */
  private cover(ta: number, tb: number, nsA: number, nsB: number): { cost: number; a: number; b: number } | undefined {
    const cost = this.coverScan(ta, tb, nsA, nsB);
    const bestA = this.scanA;
    const bestB = this.scanB;
    return bestA < 0 || !Number.isFinite(cost) ? undefined : { cost, a: bestA, b: bestB };
  }

  /** The split `cover` reads back (set by coverScan). */
  private scanA = -1;
  private scanB = -1;

  /** `cover`'s cost (Infinity when none), its split left in scanA/scanB: no allocation. */
  private coverScan(ta: number, tb: number, nsA: number, nsB: number): number {
    const ns = this.nonSpot.cost;
    const sp = this.spot.cost;
    let cost = Infinity;
    let bestA = -1;
    let bestB = -1;
    for (let a = nsA; a <= ta; a++) {
      const rowNs = a * this.height;
      const rowSp = (ta - a) * this.height;
      // Spot for the row's vCPU alone costs at least this, whatever the memory split; the non-spot part only
      // grows with b: once their sum reaches the best, the rest of the row cannot beat it (same result as
      // the full scan, first minimum in scan order included).
      const spotFloor = sp[rowSp] as number;
      // Non-spot costs never fall as a grows (and spot costs >= 0): once a row's cheapest non-spot part
      // alone reaches the best, no later row can beat it either.
      if ((ns[rowNs + nsB] as number) >= cost) break;
      for (let b = nsB; b <= tb; b++) {
        const nonSpot = ns[rowNs + b] as number;
        if (nonSpot + spotFloor >= cost) break;
        const c = nonSpot + (sp[rowSp + tb - b] as number);
        if (c < cost) {
          cost = c;
          bestA = a;
          bestB = b;
        }
      }
    }
    this.scanA = bestA;
    this.scanB = bestB;
    return bestA < 0 ? Infinity : cost;
  }

  private countsOf(a: number, b: number, ta: number, tb: number): number[] {
    const counts = new Array<number>(this.options.length).fill(0);
    walk(this.nonSpot, this.options, a, b, this.cpuUnit, this.memoryUnit, this.height, counts);
    walk(this.spot, this.options, ta - a, tb - b, this.cpuUnit, this.memoryUnit, this.height, counts);
    return counts;
  }
}

/** Scratch space of lowerBoundAt (grown on demand). */
let scratch = new Float64Array(64);
/** spotAwareBoundFlat's result: value, slope (vCPU, GiB). */
export const lpOut = new Float64Array(3);

/** The unmet-demand penalty at capacity (cpu, memory). */
function penaltyAt(problem: StepProblem, cpu: number, memory: number): number {
  const { tail, penalty, scenarioCount } = problem;
  return penalty.cpu * scenarioShortfall(tail.cpu, cpu, scenarioCount) + penalty.memory * scenarioShortfall(tail.memory, memory, scenarioCount);
}

/**
 * spotAwareBound (step-covering.ts) on flattened vertices, its result in lpOut: the same value and slope,
 * ties resolved the same way (first vertex, first pair), no allocation.
 */
export function spotAwareBoundFlat(all: Float64Array, nonSpot: Float64Array, restA: number, restB: number, nsA: number, nsB: number): void {
  // lpValue(all, restA, restB)
  let value: number;
  let sa = 0;
  let sb = 0;
  if (all.length === 0) value = restA <= 0 && restB <= 0 ? 0 : Infinity;
  else {
    const a = Math.max(0, restA);
    const b = Math.max(0, restB);
    value = a * (all[0] as number) + b * (all[1] as number);
    sa = all[0] as number;
    sb = all[1] as number;
    for (let i = 2; i < all.length; i += 2) {
      const v = a * (all[i] as number) + b * (all[i + 1] as number);
      if (v > value) {
        value = v;
        sa = all[i] as number;
        sb = all[i + 1] as number;
      }
    }
  }
  if (!(nsA <= 0 && nsB <= 0)) {
    if (nonSpot.length === 0) {
      value = Infinity;
      sa = 0;
      sb = 0;
    } else {
      const shareA = Math.max(0, restA - nsA);
      const shareB = Math.max(0, restB - nsB);
      for (let p = 0; p < nonSpot.length; p += 2) {
        const pa = nonSpot[p] as number;
        const pb = nonSpot[p + 1] as number;
        const base = nsA * pa + nsB * pb;
        for (let q = 0; q < all.length; q += 2) {
          const ma = Math.min(pa, all[q] as number);
          const mb = Math.min(pb, all[q + 1] as number);
          const v = base + shareA * ma + shareB * mb;
          if (v > value) {
            value = v;
            sa = ma;
            sb = mb;
          }
        }
      }
    }
  }
  lpOut[0] = value;
  lpOut[1] = sa;
  lpOut[2] = sb;
}

/** Capacity a step already has, with the part of it that is not spot. */
export interface BaseCapacity {
  vcpu: number;
  memoryGiB: number;
  instances: number;
  nonSpotVcpu: number;
  nonSpotMemoryGiB: number;
}

interface Table {
  /** cost[a * height + b]: cheapest mix with at least a cpu units and b memory units. */
  cost: Float64Array;
  /** The option bought last on that mix (-1 at the origin or when none covers). */
  choice: Int32Array;
}

function buildTable(options: readonly HourlyOption[], indices: readonly number[], cu: number, mu: number, width: number, height: number): Table {
  const cost = new Float64Array(width * height).fill(Infinity);
  const choice = new Int32Array(width * height).fill(-1);
  cost[0] = 0;
  const sizes = withoutPairReplaceable(
    indices.map((j) => {
      const o = options[j] as HourlyOption;
      return { j, v: Math.round(o.vcpu / cu), w: Math.round(o.memoryGiB / mu), c: o.hourly };
    }),
  );
  coveringTable(sizes, width, height, cost, choice);
  return { cost, choice };
}

/**
 * Fills a covering table (cost[0] = 0 and Infinity elsewhere on entry): cost[a * height + b] = min over sizes s
 * of s.c + cost[(a - s.v)+, (b - s.w)+], choice = that size's j (the first in `sizes` order on ties).
 * Sizes in typed arrays; where no index is clamped (a >= every v, b >= every w), the predecessor is a fixed
 * offset back.
 */
export function coveringTable(
  sizes: ReadonlyArray<{ j: number; v: number; w: number; c: number }>,
  width: number,
  height: number,
  cost: Float64Array,
  choice: Int32Array,
): void {
  const n = sizes.length;
  const vs = Int32Array.from(sizes, (s) => s.v);
  const ws = Int32Array.from(sizes, (s) => s.w);
  const cs = Float64Array.from(sizes, (s) => s.c);
  const js = Int32Array.from(sizes, (s) => s.j);
  const offsets = Int32Array.from(sizes, (s) => s.v * height + s.w);
  let maxV = 0;
  let maxW = 0;
  for (let i = 0; i < n; i++) {
    maxV = Math.max(maxV, vs[i] as number);
    maxW = Math.max(maxW, ws[i] as number);
  }
  for (let a = 0; a < width; a++)
    for (let b = 0; b < height; b++) {
      if (a === 0 && b === 0) continue;
      const at = a * height + b;
      let best = Infinity;
      let pick = -1;
      if (a >= maxV && b >= maxW) {
        for (let i = 0; i < n; i++) {
          const c = (cs[i] as number) + (cost[at - (offsets[i] as number)] as number);
          if (c < best) {
            best = c;
            pick = js[i] as number;
          }
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = vs[i] as number;
          const w = ws[i] as number;
          const pa = a > v ? a - v : 0;
          const pb = b > w ? b - w : 0;
          const c = (cs[i] as number) + (cost[pa * height + pb] as number);
          if (c < best) {
            best = c;
            pick = js[i] as number;
          }
        }
      }
      cost[at] = best;
      choice[at] = pick;
    }
}

/**
 * The sizes a covering table needs: without those two others (the same one twice included) replace in any
 * mix, with at least as many units of both resources for no more money. Prices are positive, so each
 * replacement moves to strictly cheaper sizes and any mix reduces to the kept ones at no more cost: the
 * table's costs are unchanged (catalog prices are often linear in size, so most larger sizes go).
 */
export function withoutPairReplaceable<S extends { v: number; w: number; c: number }>(sizes: readonly S[]): S[] {
  return sizes.filter(
    (o) => !(o.c > 0) || !sizes.some((d1) => d1 !== o && d1.c > 0 && sizes.some((d2) => d2 !== o && d2.c > 0 && d1.v + d2.v >= o.v && d1.w + d2.w >= o.w && d1.c + d2.c <= o.c)),
  );
}

function walk(table: Table, options: readonly HourlyOption[], a: number, b: number, cu: number, mu: number, height: number, counts: number[]): void {
  while (a > 0 || b > 0) {
    const j = table.choice[a * height + b] ?? -1;
    if (j < 0) return;
    const o = options[j] as HourlyOption;
    counts[j] = (counts[j] ?? 0) + 1;
    a = Math.max(0, a - Math.round(o.vcpu / cu));
    b = Math.max(0, b - Math.round(o.memoryGiB / mu));
  }
}

/** Whole grid units covering `amount` (float noise below a unit is not a unit). */
function units(amount: number, unit: number): number {
  return amount <= 0 ? 0 : Math.max(0, Math.ceil(amount / unit - 1e-9));
}

function onGrid(value: number, unit: number): boolean {
  return Math.abs(value / unit - Math.round(value / unit)) < 1e-9;
}

/** gcd of the values read on a 1/quantum grid, or undefined when one is off the grid. */
function gcdOf(values: readonly number[], quantum: number): number | undefined {
  let g = 0;
  for (const value of values) {
    const scaled = Math.round(value * quantum);
    if (scaled <= 0 || Math.abs(value * quantum - scaled) > 1e-9) return undefined;
    let [x, y] = [g, scaled];
    while (y) [x, y] = [y, x % y];
    g = x;
  }
  return g / quantum;
}

/** The capacity grid all sizes lie on (vCPU and GiB units), or undefined when an option is unusable or off any grid. */
function gridUnits(
  options: readonly HourlyOption[],
  fixedSizes: ReadonlyArray<{ vcpu: number; memoryGiB: number }>,
): { cpuUnit: number; memoryUnit: number } | undefined {
  if (options.length === 0 || options.some((o) => !(o.hourly > 0) || o.vcpu <= 0 || o.memoryGiB <= 0)) return undefined;
  const sizes = [...options, ...fixedSizes];
  const cpuUnit = gcdOf(sizes.map((o) => o.vcpu), 1);
  const memoryUnit = gcdOf(sizes.map((o) => o.memoryGiB), MEMORY_QUANTUM);
  return cpuUnit === undefined || memoryUnit === undefined ? undefined : { cpuUnit, memoryUnit };
}
