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
    let best: number[] | undefined;
    let bestObjective = Infinity;
    let nodes = 0;
    let truncated = false;
    let openBound = Infinity;

    const penaltyOf = (cpu: number, memory: number) =>
      problem.penalty.cpu * scenarioShortfall(problem.tail.cpu, cpu, problem.scenarioCount) +
      problem.penalty.memory * scenarioShortfall(problem.tail.memory, memory, problem.scenarioCount);

    const boundAt = (i: number, cpu: number, memory: number, nsCpu: number, nsMemory: number): number => {
      const rest: [number, number] = [Math.max(0, needCpu - cpu), Math.max(0, needMemory - memory)];
      const restNonSpot: [number, number] = [Math.max(0, needNonSpotCpu - nsCpu), Math.max(0, needNonSpotMemory - nsMemory)];
      if (i >= n) return rest[0] > 0 || rest[1] > 0 || restNonSpot[0] > 0 || restNonSpot[1] > 0 ? Infinity : 0;
      return spotAwareBound(this.suffixAll[i] as DualVertices, this.suffixNonSpot[i] as DualVertices, rest, restNonSpot);
    };

    const visit = (i: number, cost: number, cpu: number, memory: number, nsCpu: number, nsMemory: number, instances: number): void => {
      const feasible = cpu >= needCpu && memory >= needMemory && nsCpu >= needNonSpotCpu && nsMemory >= needNonSpotMemory && instances >= minInstances;
      if (feasible) {
        // Buying nothing more is a candidate; more instances only pay off through a lower penalty.
        const objective = cost + penaltyOf(cpu, memory);
        if (objective < bestObjective) {
          bestObjective = objective;
          best = [...counts];
        }
        if (penaltyOf(cpu, memory) === 0) return;
      }
      if (i >= n) return;
      const bound = cost + boundAt(i, cpu, memory, nsCpu, nsMemory);
      if (bound >= bestObjective * (1 - this.tolerance) - 1e-12) return;
      if (++nodes > this.nodeLimit) {
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
      const order: number[] = [];
      for (let k = cover; k >= 0; k--) order.push(k);
      for (let k = cover + 1; k <= useful; k++) order.push(k);
      for (const k of order) {
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

    const rootBound = boundAt(0, fixed.vcpu, fixed.memoryGiB, fixed.vcpu, fixed.memoryGiB);
    const start = this.roundedIncumbent(problem, needCpu, needMemory, needNonSpotCpu, needNonSpotMemory);
    if (start) {
      const capacity = this.capacityOf(start, fixed);
      best = start;
      bestObjective = capacity.cost + penaltyOf(capacity.cpu, capacity.memory);
    }
    visit(0, 0, fixed.vcpu, fixed.memoryGiB, fixed.vcpu, fixed.memoryGiB, fixed.instances);
    if (!best) return { counts: new Array<number>(n).fill(0), objective: Infinity, lowerBound: truncated ? rootBound : Infinity, exact: !truncated };
    const proven = bestObjective * (1 - this.tolerance);
    const lowerBound = truncated ? Math.max(rootBound, Math.min(openBound, proven)) : Math.max(rootBound, proven);
    return { counts: best, objective: bestObjective, lowerBound, exact: !truncated };
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
   * A good first plan for large demands, where exhaustive search is hopeless but rounding loses little:
   * the best pair of non-spot options for the non-spot share, then the best pair of spot options (or
   * non-spot again) for the rest, each rounded up; then the cheapest instance tops up the count.
   */
  private roundedIncumbent(problem: StepProblem, cpu: number, memory: number, nsCpu: number, nsMemory: number): number[] | undefined {
    const { fixed } = problem;
    const counts = new Array<number>(this.options.length).fill(0);
    const nonSpot = this.options.map((o, j) => ({ o, j })).filter(({ o }) => !o.spot);
    const spot = this.options.map((o, j) => ({ o, j })).filter(({ o }) => o.spot);
    const first = bestRoundedPair(nonSpot, Math.max(0, nsCpu - fixed.vcpu), Math.max(0, nsMemory - fixed.memoryGiB));
    if (!first) return undefined;
    for (const [j, k] of first) counts[j] = (counts[j] ?? 0) + k;
    const after = this.capacityOf(counts, fixed);
    const restCpu = Math.max(0, cpu - after.cpu);
    const restMemory = Math.max(0, memory - after.memory);
    const second = bestRoundedPair([...spot, ...nonSpot], restCpu, restMemory);
    if (!second) return undefined;
    for (const [j, k] of second) counts[j] = (counts[j] ?? 0) + k;
    const instances = fixed.instances + counts.reduce((a, b) => a + b, 0);
    if (instances < problem.minInstances && nonSpot.length > 0) {
      const cheapest = nonSpot.reduce((a, b) => (b.o.hourly < a.o.hourly ? b : a));
      counts[cheapest.j] = (counts[cheapest.j] ?? 0) + problem.minInstances - instances;
    }
    return counts;
  }
}

/** Cheapest covering of (cpu, memory) by one option or a pair, with the fractional 2x2 solution rounded up. */
function bestRoundedPair(
  options: ReadonlyArray<{ o: HourlyOption; j: number }>,
  cpu: number,
  memory: number,
): Array<[number, number]> | undefined {
  if (cpu <= 0 && memory <= 0) return [];
  let best: Array<[number, number]> | undefined;
  let bestCost = Infinity;
  const consider = (plan: Array<[number, number]>) => {
    const cost = plan.reduce((sum, [j, k]) => sum + k * (options.find((x) => x.j === j) as { o: HourlyOption }).o.hourly, 0);
    if (cost < bestCost) {
      bestCost = cost;
      best = plan;
    }
  };
  for (const { o, j } of options) consider([[j, Math.max(Math.ceil(cpu / o.vcpu), Math.ceil(memory / o.memoryGiB), 0)]]);
  for (let x = 0; x < options.length; x++) {
    for (let y = x + 1; y < options.length; y++) {
      const a = (options[x] as { o: HourlyOption; j: number });
      const b = (options[y] as { o: HourlyOption; j: number });
      const det = a.o.vcpu * b.o.memoryGiB - a.o.memoryGiB * b.o.vcpu;
      if (det === 0) continue;
      const ka = (cpu * b.o.memoryGiB - memory * b.o.vcpu) / det;
      const kb = (a.o.vcpu * memory - a.o.memoryGiB * cpu) / det;
      if (ka <= 0 || kb <= 0) continue;
      consider([
        [a.j, Math.ceil(ka)],
        [b.j, Math.ceil(kb)],
      ]);
    }
  }
  return best;
}

/**
 * LP dual bound with the spot rule: for Q in the dual polygon of all options and P in that of the non-spot
 * options with P >= Q, (rest - restNonSpot).Q + restNonSpot.P is dual feasible. Q = min(P, vertex) keeps
 * Q feasible because the polygon is closed downwards.
 */
function spotAwareBound(all: DualVertices, nonSpot: DualVertices, rest: [number, number], restNonSpot: [number, number]): number {
  const plain = lpValue(all, rest[0], rest[1]);
  if (restNonSpot[0] <= 0 && restNonSpot[1] <= 0) return plain;
  if (nonSpot.length === 0) return Infinity;
  const share: [number, number] = [Math.max(0, rest[0] - restNonSpot[0]), Math.max(0, rest[1] - restNonSpot[1])];
  let bound = plain;
  for (const [pa, pb] of nonSpot) {
    const base = restNonSpot[0] * pa + restNonSpot[1] * pb;
    for (const [qa, qb] of all) bound = Math.max(bound, base + share[0] * Math.min(pa, qa) + share[1] * Math.min(pb, qb));
  }
  return bound;
}

function lpValue(vertices: DualVertices, a: number, b: number): number {
  if (a <= 0 && b <= 0) return 0;
  if (vertices.length === 0) return Infinity;
  let value = 0;
  for (const [alpha, beta] of vertices) value = Math.max(value, a * alpha + b * beta);
  return value;
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
