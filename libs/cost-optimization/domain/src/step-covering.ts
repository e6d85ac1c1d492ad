import { scenarioShortfall } from './step-demand';

/** An instance type to buy by the hour in one step (on-demand or spot), reduced to what the search needs. */
export interface HourlyOption {
  vcpu: number;
  memoryGiB: number;
  /** USD per instance-hour, interruption cost included for spot. */
  hourly: number;
  spot: boolean;
}

/** Capacity already there for the step (commitments), counted toward every requirement. */
export interface FixedCapacity {
  vcpu: number;
  memoryGiB: number;
  instances: number;
}

export interface StepProblem {
  required: { cpu: number; memory: number };
  tail: { cpu: readonly number[]; memory: readonly number[] };
  scenarioCount: number;
  minInstances: number;
  maxSpotShare: number;
  penalty: { cpu: number; memory: number };
  fixed: FixedCapacity;
}

export interface StepSolution {
  counts: number[];
  /** Hourly cost of the counts plus the unmet-demand penalty. */
  objective: number;
  /** Proven lower bound on the objective of this step (equal to it when the search finished). */
  lowerBound: number;
  exact: boolean;
}

/** Float noise in forecast arithmetic (4.000000001 vCPU) must not buy a whole extra instance. */
const CAPACITY_TOLERANCE = 1e-9;

/** Children of one node the search looks at (counts nearest the cover count first). */
const MAX_CHILDREN = 48;

/** Dual vertices (alpha, beta) of min c.x s.t. V x >= a, G x >= b: the LP value is max a.alpha + b.beta. */
type DualVertices = Array<[number, number]>;

/**
 * Exact branch and bound for one step's integer covering problem: how many instances of each hourly option
 * to run so that CPU and memory reach the requirement, non-spot capacity reaches (1 - maxSpotShare) of it
 * and the instance count reaches the minimum, at least cost plus penalty for the expected unmet demand.
 * Options are searched non-spot first; each node is bounded by the LP relaxation of what is left, read in
 * O(hull size) from precomputed dual vertices. Stops at `nodeLimit` with the best plan and a valid bound.
 */
export class StepCoveringSolver {
  private readonly suffixAll: DualVertices[];
  private readonly suffixNonSpot: DualVertices[];
  private readonly firstSpot: number;
  /** The options with their positions: non-spot ones, and spot ones followed by non-spot ones. */
  private readonly indexedNonSpot: Array<{ o: HourlyOption; j: number }>;
  private readonly indexedSpotFirst: Array<{ o: HourlyOption; j: number }>;

  constructor(
    private readonly options: readonly HourlyOption[],
    private readonly nodeLimit: number,
    /** Relative slack of the pruning test: the search proves optimality within this fraction. */
    private readonly tolerance = 0,
  ) {
    const ordered = options.every((o, i) => i === 0 || !(options[i - 1] as HourlyOption).spot || o.spot);
    if (!ordered) throw new Error('StepCoveringSolver needs non-spot options before spot options');
    this.firstSpot = options.findIndex((o) => o.spot);
    if (this.firstSpot < 0) this.firstSpot = options.length;
    const indexed = options.map((o, j) => ({ o, j }));
    this.indexedNonSpot = indexed.filter(({ o }) => !o.spot);
    this.indexedSpotFirst = [...indexed.filter(({ o }) => o.spot), ...this.indexedNonSpot];
    this.suffixAll = options.map((_, i) => dualVertices(options.slice(i)));
    this.suffixNonSpot = options.map((_, i) => dualVertices(options.slice(i, Math.max(i, this.firstSpot))));
  }

  solve(problem: StepProblem): StepSolution {
    const options = this.options;
    const n = options.length;
    const { required, fixed, maxSpotShare, minInstances } = problem;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    const needNonSpotCpu = (1 - maxSpotShare) * needCpu;
    const needNonSpotMemory = (1 - maxSpotShare) * needMemory;
    // Beyond the largest scenario more capacity cannot lower the penalty, so it is never worth buying.
    const topCpu = Math.max(needCpu, ...problem.tail.cpu);
    const topMemory = Math.max(needMemory, ...problem.tail.memory);

    const counts = new Array<number>(n).fill(0);
    let base: readonly number[] = counts.map(() => 0);
    let best: number[] | undefined;
    let bestObjective = Infinity;
    let nodes = 0;
    let nodeLimit = this.nodeLimit;
    let truncated = false;
    let openBound = Infinity;

    const penaltyOf = (cpu: number, memory: number) =>
      problem.penalty.cpu * scenarioShortfall(problem.tail.cpu, cpu, problem.scenarioCount) +
      problem.penalty.memory * scenarioShortfall(problem.tail.memory, memory, problem.scenarioCount);

    const boundAt = (i: number, cpu: number, memory: number, nsCpu: number, nsMemory: number): number => {
      const rest: [number, number] = [Math.max(0, needCpu - cpu), Math.max(0, needMemory - memory)];
      const restNonSpot: [number, number] = [Math.max(0, needNonSpotCpu - nsCpu), Math.max(0, needNonSpotMemory - nsMemory)];
      if (i >= n) return rest[0] > 0 || rest[1] > 0 || restNonSpot[0] > 0 || restNonSpot[1] > 0 ? Infinity : 0;
      return spotAwareBound(this.suffixAll[i] as DualVertices, this.suffixNonSpot[i] as DualVertices, rest, restNonSpot).value;
    };

    const record = (objective: number) => {
      if (objective < bestObjective) {
        bestObjective = objective;
        best = counts.map((k, j) => k + (base[j] ?? 0));
      }
    };

    const visit = (i: number, cost: number, cpu: number, memory: number, nsCpu: number, nsMemory: number, instances: number): void => {
      const feasible = cpu >= needCpu && memory >= needMemory && nsCpu >= needNonSpotCpu && nsMemory >= needNonSpotMemory && instances >= minInstances;
      if (feasible) {
        // Buying nothing more is a candidate; more instances only pay off through a lower penalty.
        const penalty = penaltyOf(cpu, memory);
        record(cost + penalty);
        if (penalty === 0) return;
      }
      if (i >= n) return;
      const bound = cost + boundAt(i, cpu, memory, nsCpu, nsMemory);
      if (bound >= bestObjective * (1 - this.tolerance) - 1e-12) return;
      if (++nodes > nodeLimit) {
        truncated = true;
        openBound = Math.min(openBound, bound);
        return;
      }
      const option = options[i] as HourlyOption;
      const cover = Math.max(
        Math.ceil((needCpu - cpu) / option.vcpu),
        Math.ceil((needMemory - memory) / option.memoryGiB),
        minInstances - instances,
        0,
      );
      const useful = Math.max(cover, Math.ceil((topCpu - cpu) / option.vcpu), Math.ceil((topMemory - memory) / option.memoryGiB), 0);
      // Cover-the-rest first gives an early incumbent; then fewer (the rest from later options), then more.
      // Far from the cover count the children are rarely better; left unexplored, they count as open.
      const last = Math.min(useful, MAX_CHILDREN - 1);
      if (last < useful) {
        truncated = true;
        openBound = Math.min(openBound, bound);
      }
      for (let step = 0; step <= last; step++) {
        const k = step <= cover ? cover - step : step;
        counts[i] = k;
        const ns = option.spot ? 0 : k;
        visit(
          i + 1,
          cost + k * option.hourly,
          cpu + k * option.vcpu,
          memory + k * option.memoryGiB,
          nsCpu + ns * option.vcpu,
          nsMemory + ns * option.memoryGiB,
          instances + k,
        );
      }
      counts[i] = 0;
    };

    const rootBound = this.rootBound(problem);

    const consider = (start: number[] | undefined) => {
      if (!start) return;
      const capacity = this.capacityOf(start, fixed);
      const objective = capacity.cost + penaltyOf(capacity.cpu, capacity.memory);
      if (objective < bestObjective) {
        bestObjective = objective;
        best = start;
      }
    };
    consider(this.roundedIncumbent(problem, needCpu, needMemory, needNonSpotCpu, needNonSpotMemory, 'up'));
    const proven = () => bestObjective * (1 - this.tolerance) <= rootBound + 1e-12;
    if (!proven()) {
      // Large demand: the LP-like pair solution rounded down, and the small rest searched exactly.
      const floor = this.roundedIncumbent(problem, needCpu, needMemory, needNonSpotCpu, needNonSpotMemory, 'down');
      if (floor && floor.some((k) => k > 0)) {
        base = floor;
        const c = this.capacityOf(floor, { vcpu: 0, memoryGiB: 0, instances: 0 });
        const ns = this.nonSpotOf(floor);
        nodeLimit = Math.ceil(this.nodeLimit / 4);
        visit(0, c.cost, fixed.vcpu + c.cpu, fixed.memoryGiB + c.memory, fixed.vcpu + ns.cpu, fixed.memoryGiB + ns.memory, fixed.instances + floor.reduce((a, b) => a + b, 0));
        base = counts.map(() => 0);
        nodes = 0;
        nodeLimit = this.nodeLimit;
        truncated = false;
        openBound = Infinity;
      }
    }
    if (!proven()) visit(0, 0, fixed.vcpu, fixed.memoryGiB, fixed.vcpu, fixed.memoryGiB, fixed.instances);
    else truncated = bestObjective > rootBound + 1e-12;
    if (!best) return { counts: new Array<number>(n).fill(0), objective: Infinity, lowerBound: truncated ? rootBound : Infinity, exact: !truncated };
    const provenBound = bestObjective * (1 - this.tolerance);
    const lowerBound = Math.min(bestObjective, truncated ? Math.max(rootBound, Math.min(openBound, provenBound)) : Math.max(rootBound, provenBound));
    return { counts: best, objective: bestObjective, lowerBound, exact: !truncated && this.tolerance === 0 };
  }

  /**
   * The root bound of `solve`: the LP relaxation plus the least penalty any extra capacity could leave
   * (linear in the extra capacity along the LP's optimal dual, valid by weak duality). A valid lower bound on
   * the step's objective whatever plan is chosen.
   */
  rootBound(problem: StepProblem): number {
    const { required, fixed, maxSpotShare } = problem;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    const needNonSpotCpu = (1 - maxSpotShare) * needCpu;
    const needNonSpotMemory = (1 - maxSpotShare) * needMemory;
    if (this.options.length === 0)
      return needCpu > fixed.vcpu || needMemory > fixed.memoryGiB || needNonSpotCpu > fixed.vcpu || needNonSpotMemory > fixed.memoryGiB ? Infinity : 0;
    const root = spotAwareBound(
      this.suffixAll[0] ?? [],
      this.suffixNonSpot[0] ?? [],
      [Math.max(0, needCpu - fixed.vcpu), Math.max(0, needMemory - fixed.memoryGiB)],
      [Math.max(0, needNonSpotCpu - fixed.vcpu), Math.max(0, needNonSpotMemory - fixed.memoryGiB)],
    );
    return (
      root.value +
      leastPenalty(root.slope[0], Math.max(needCpu, fixed.vcpu), problem.tail.cpu, problem.penalty.cpu / problem.scenarioCount) +
      leastPenalty(root.slope[1], Math.max(needMemory, fixed.memoryGiB), problem.tail.memory, problem.penalty.memory / problem.scenarioCount)
    );
  }

  /**
   * The LP-shaped mix for the step beyond its fixed capacity, in fractional counts per option: the best pair
   * of non-spot options for the non-spot share, then the best pair of spot (or non-spot) options for the
   * rest. undefined when no pair covers.
   */
  lpShape(problem: StepProblem): number[] | undefined {
    const { required, maxSpotShare } = problem;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    return this.roundedIncumbent(problem, needCpu, needMemory, (1 - maxSpotShare) * needCpu, (1 - maxSpotShare) * needMemory, 'fractional');
  }

  /** The LP-shaped mix rounded up, topped up to the instance floor: always a feasible plan (or undefined). */
  roundedUp(problem: StepProblem): number[] | undefined {
    const { required, maxSpotShare } = problem;
    const needCpu = required.cpu * (1 - CAPACITY_TOLERANCE);
    const needMemory = required.memory * (1 - CAPACITY_TOLERANCE);
    return this.roundedIncumbent(problem, needCpu, needMemory, (1 - maxSpotShare) * needCpu, (1 - maxSpotShare) * needMemory, 'up');
  }

  private nonSpotOf(counts: readonly number[]): { cpu: number; memory: number } {
    let cpu = 0;
    let memory = 0;
    counts.forEach((k, j) => {
      const o = this.options[j] as HourlyOption;
      if (o.spot) return;
      cpu += k * o.vcpu;
      memory += k * o.memoryGiB;
    });
    return { cpu, memory };
  }

  private capacityOf(counts: readonly number[], fixed: FixedCapacity): { cost: number; cpu: number; memory: number } {
    let cost = 0;
    let cpu = fixed.vcpu;
    let memory = fixed.memoryGiB;
    counts.forEach((k, j) => {
      const o = this.options[j] as HourlyOption;
      cost += k * o.hourly;
      cpu += k * o.vcpu;
      memory += k * o.memoryGiB;
    });
    return { cost, cpu, memory };
  }

  /**
   * A good first plan: the best pair of non-spot options for the non-spot share, then the best pair of
   * spot options (or non-spot again) for the rest (the shape of the LP optimum), each rounded up - or,
   * with 'down', rounded down, leaving a small rest for the exact search, or left 'fractional'; rounded up,
   * the cheapest instance tops up the count.
   */
  private roundedIncumbent(
    problem: StepProblem,
    cpu: number,
    memory: number,
    nsCpu: number,
    nsMemory: number,
    rounding: 'up' | 'down' | 'fractional',
  ): number[] | undefined {
    const { fixed } = problem;
    const roundDown = rounding !== 'up';
    const round = rounding === 'up' ? Math.ceil : rounding === 'down' ? Math.floor : (k: number) => k;
    const counts = new Array<number>(this.options.length).fill(0);
    const nonSpot = this.indexedNonSpot;
    const first = bestPair(nonSpot, Math.max(0, nsCpu - fixed.vcpu), Math.max(0, nsMemory - fixed.memoryGiB), roundDown);
    if (!first) return undefined;
    let afterCpu = fixed.vcpu;
    let afterMemory = fixed.memoryGiB;
    for (const [j, k] of first) {
      const o = this.options[j] as HourlyOption;
      afterCpu += k * o.vcpu;
      afterMemory += k * o.memoryGiB;
      counts[j] = (counts[j] ?? 0) + round(k);
    }
    const second = bestPair(this.indexedSpotFirst, Math.max(0, cpu - afterCpu), Math.max(0, memory - afterMemory), roundDown);
    if (!second) return undefined;
    for (const [j, k] of second) counts[j] = (counts[j] ?? 0) + round(k);
    if (roundDown) return counts;
    const instances = fixed.instances + counts.reduce((x, y) => x + y, 0);
    if (instances < problem.minInstances && nonSpot.length > 0) {
      const cheapest = nonSpot.reduce((x, y) => (y.o.hourly < x.o.hourly ? y : x));
      counts[cheapest.j] = (counts[cheapest.j] ?? 0) + problem.minInstances - instances;
    }
    return counts;
  }
}

/**
 * Cheapest covering of (cpu, memory) by one option or a pair, ranked by the cost of the solution rounded
 * up; the counts returned are fractional when `fractional` (the caller rounds), else already rounded up.
 */
function bestPair(
  options: ReadonlyArray<{ o: HourlyOption; j: number }>,
  cpu: number,
  memory: number,
  fractional: boolean,
): Array<[number, number]> | undefined {
  if (cpu <= 0 && memory <= 0) return [];
  // Fractional: rank by the LP cost; otherwise by the cost after rounding up. (Plain loops: this runs for
  // every distinct step and commitment level of large accounts.)
  const count = (k: number) => (fractional ? k : Math.ceil(k));
  let best: Array<[number, number]> | undefined;
  let bestCost = Infinity;
  for (const x of options) {
    const k = Math.max(cpu / x.o.vcpu, memory / x.o.memoryGiB, 0);
    const cost = 0 + count(k) * x.o.hourly;
    if (cost < bestCost) {
      bestCost = cost;
      best = [[x.j, count(k)]];
    }
  }
  for (let p = 0; p < options.length; p++) {
    const a = options[p] as { o: HourlyOption; j: number };
    for (let q = p + 1; q < options.length; q++) {
      const b = options[q] as { o: HourlyOption; j: number };
      const det = a.o.vcpu * b.o.memoryGiB - a.o.memoryGiB * b.o.vcpu;
      if (det === 0) continue;
      const ka = (cpu * b.o.memoryGiB - memory * b.o.vcpu) / det;
      const kb = (a.o.vcpu * memory - a.o.memoryGiB * cpu) / det;
      if (ka <= 0 || kb <= 0) continue;
      const cost = 0 + count(ka) * a.o.hourly + count(kb) * b.o.hourly;
      if (cost < bestCost) {
        bestCost = cost;
        best = [
          [a.j, count(ka)],
          [b.j, count(kb)],
        ];
      }
    }
  }
  return best;
}

/**
 * Least of slope * (x - from) + rate * sum over the tail of (d - x)+, for x >= from: what extra capacity at
 * the LP's marginal price `slope` plus the penalty left can cost at least. Convex piecewise linear, so the
 * minimum is at `from` or at a tail value.
 */
function leastPenalty(slope: number, from: number, tail: readonly number[], rate: number): number {
  if (rate <= 0) return 0;
  const at = (x: number) => slope * (x - from) + rate * tail.reduce((sum, d) => sum + Math.max(0, d - x), 0);
  let least = at(from);
  for (const d of tail) if (d > from) least = Math.min(least, at(d));
  return Math.max(0, least);
}

/**
 * LP dual bound with the spot rule: for Q in the dual polygon of all options and P in that of the non-spot
 * options with P >= Q, (rest - restNonSpot).Q + restNonSpot.P is dual feasible. Q = min(P, vertex) keeps
 * Q feasible because the polygon is closed downwards. `slope` is the dual price of total capacity at the
 * best pair: the LP value grows at least that fast as the total requirement grows.
 */
export function spotAwareBound(
  all: DualVertices,
  nonSpot: DualVertices,
  rest: [number, number],
  restNonSpot: [number, number],
): { value: number; slope: [number, number] } {
  const plain = lpValue(all, rest[0], rest[1]);
  if (restNonSpot[0] <= 0 && restNonSpot[1] <= 0) return plain;
  if (nonSpot.length === 0) return { value: Infinity, slope: [0, 0] };
  const share: [number, number] = [Math.max(0, rest[0] - restNonSpot[0]), Math.max(0, rest[1] - restNonSpot[1])];
  let bound = plain;
  for (const [pa, pb] of nonSpot) {
    const base = restNonSpot[0] * pa + restNonSpot[1] * pb;
    for (const [qa, qb] of all) {
      const value = base + share[0] * Math.min(pa, qa) + share[1] * Math.min(pb, qb);
      if (value > bound.value) bound = { value, slope: [Math.min(pa, qa), Math.min(pb, qb)] };
    }
  }
  return bound;
}

function lpValue(vertices: DualVertices, a: number, b: number): { value: number; slope: [number, number] } {
  if (vertices.length === 0) return a <= 0 && b <= 0 ? { value: 0, slope: [0, 0] } : { value: Infinity, slope: [0, 0] };
  let best: { value: number; slope: [number, number] } = { value: 0, slope: [0, 0] };
  let first = true;
  for (const [alpha, beta] of vertices) {
    const value = Math.max(0, a) * alpha + Math.max(0, b) * beta;
    if (first || value > best.value) best = { value, slope: [alpha, beta] };
    first = false;
  }
  return best;
}

/**
 * Vertices of {alpha, beta >= 0 : vcpu_j alpha + mem_j beta <= hourly_j}. In capacity-per-dollar space
 * (x_j, y_j) = (vcpu_j, mem_j) / hourly_j they are the normals of the upper-right convex hull's edges,
 * plus (1/max x, 0) and (0, 1/max y).
 */
export function dualVertices(options: readonly HourlyOption[]): DualVertices {
  if (options.length === 0) return [];
  const points = options.map((o) => [o.vcpu / o.hourly, o.memoryGiB / o.hourly] as [number, number]);
  points.sort((p, q) => p[0] - q[0] || q[1] - p[1]);
  // Upper hull (Andrew's monotone chain), left to right.
  const hull: Array<[number, number]> = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const [o, a] = [hull[hull.length - 2] as [number, number], hull[hull.length - 1] as [number, number]];
      if ((a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0]) >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  const maxY = Math.max(...points.map((p) => p[1]));
  const maxX = Math.max(...points.map((p) => p[0]));
  const vertices: DualVertices = [
    [0, 1 / maxY],
    [1 / maxX, 0],
  ];
  let peak = 0;
  hull.forEach((p, i) => {
    if (p[1] >= (hull[peak] as [number, number])[1]) peak = i;
  });
  for (let i = peak; i + 1 < hull.length; i++) {
    const [px, py] = hull[i] as [number, number];
    const [qx, qy] = hull[i + 1] as [number, number];
    const det = px * qy - py * qx;
    if (det === 0) continue;
    const alpha = (qy - py) / det;
    const beta = (px - qx) / det;
    if (alpha >= 0 && beta >= 0) vertices.push([alpha, beta]);
  }
  return vertices;
}
