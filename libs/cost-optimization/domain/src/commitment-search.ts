import { type ExactStepTables, coveringTable, withoutPairReplaceable } from './exact-step';
import type { StepProblem } from './step-covering';

/** A commitment type as the search sees it: its size and its price for one hour. */
export interface CommitmentOption {
  vcpu: number;
  memoryGiB: number;
  hourly: number;
}

export interface CommitmentSearchInput {
  /** Exact per-step tables whose grid holds every commitment size (the optimiser's). */
  tables: ExactStepTables;
  commitments: readonly CommitmentOption[];
  hours: number;
  /** Each distinct step with its weight (how many steps it stands for); `fixed` is replaced by the search. */
  steps: ReadonlyArray<{ weight: number; problem: StepProblem }>;
  /** Objective of the best plan known (prunes the search). */
  incumbent: number;
  /** Boxes whose bound is within this fraction of the incumbent are not split further. */
  tolerance: number;
  /** performance.now() after which the search stops with the bound proven so far. */
  deadline: number;
}

export interface CommitmentSearchResult {
  /** Valid lower bound on the whole problem's optimum (-Infinity when the search could not start). */
  bound: number;
  /** Commitment counts of the best grid point found and an upper bound of the objective of a plan with them. */
  best?: { counts: number[]; value: number };
  /** Every box was closed (pruned or exact): no time-budget stop. */
  complete: boolean;
  /** Grid points whose step sums were computed. */
  evaluations: number;
}

interface Box {
  lo: [number, number];
  hi: [number, number];
  /** K(lo) + sum_t w_t LB_t(hi). */
  bound: number;
}

/**
 * Branch and bound over the aggregate capacity of the commitments, exact on the grid of the per-step tables.
 *
 * With exact per-step tables, the cheapest recourse of a step, V_t(a), depends on the commitments only through
 * the capacity a = (vCPU, GiB) they add (commitments are non-spot capacity, and any commitment at all is one
 * running instance), and V_t is non-increasing in a. K(a), the cheapest commitment counts with capacity >= a
 * (a covering table over the commitment types, priced for the whole timeframe), is non-decreasing. So
 * optimum = min over grid points a of K(a) + sum_t w_t V_t(a), and over a box [lo, hi] of the grid
 * K(lo) + sum_t w_t LB_t(hi) is a valid bound (LB_t: the tables' lower bound of V_t, at hi with the instance
 * floor met, which only lowers it). Best-first on boxes, split in two along the side K rises more on; a box
 * whose bound is within `tolerance` of the incumbent is closed, as soon as the heaviest steps' partial sum shows it; a point
 * above a box whose step sum is known bounds the box's too (monotonicity), which can close it unevaluated.
 * Every grid point evaluated is also a plan (K's commitments at it, the tables' counts above them): the
 * best is returned. Capacity beyond the tables' extent changes nothing (every requirement and scenario is
 * below it), so the grid stops there. Stopped at the deadline, the bound is the least over the closed and
 * the open boxes (still valid). Needs minInstances <= 1 (the tables' limit); the caller checks.
 */
export function searchCommitmentCapacity(input: CommitmentSearchInput): CommitmentSearchResult {
  const { tables, commitments, hours, steps, tolerance, deadline } = input;
  const cu = tables.cpuUnit;
  const mu = tables.memoryUnit;
  const width = Math.round(tables.extent.cpu / cu) + 1;
  const height = Math.round(tables.extent.memory / mu) + 1;
  const k = commitmentTable(commitments, hours, cu, mu, width, height);
  let incumbent = input.incumbent;
  let best: CommitmentSearchResult['best'];
  let evaluations = 0;
  let failed = false;

  // Heaviest steps first: a partial sum past the cut-off already closes the box.
  const order = steps.map((s) => ({ s, size: s.weight * (s.problem.required.cpu + s.problem.required.memory / 4) })).sort((x, y) => y.size - x.size);
  const orderProblems = order.map((o) => o.s.problem);
  const orderWeights = Float64Array.from(order, (o) => o.s.weight);
  const full = new Map<number, { lower: number; upper: number }>();
  /** sum_t w_t LB_t(a) and sum_t w_t V_t-plan(a); stops early (undefined) once cost + partial lower >= cutoff. */
  const evaluate = (a: number, b: number, cost: number, cutoff: number): { lower: number; upper: number } | undefined => {
    const key = a * height + b;
    const known = full.get(key);
    if (known) return known;
    const fixedVcpu = a * cu;
    const fixedMemory = b * mu;
    let lower = 0;
    evaluations++;
    // The lower sums need only each step's requirement total; the other totals only sharpen the upper sum.
    // Any commitment is a running instance (minInstances <= 1: the floor is met above the origin); at the
    // origin the floor may need one: the full bounds there.
    for (let i = 0; i < orderProblems.length; i++) {
      const problem = orderProblems[i] as StepProblem;
      let stepLower: number;
      if (a > 0 || b > 0) stepLower = tables.lowerAbove(problem, fixedVcpu, fixedMemory);
      else stepLower = tables.bounds({ ...problem, fixed: { vcpu: 0, memoryGiB: 0, instances: 0 } }, false)?.lower ?? NaN;
      if (Number.isNaN(stepLower)) {
        failed = true;
        return { lower: -Infinity, upper: Infinity };
      }
      lower += (orderWeights[i] as number) * stepLower;
      if (cost + lower >= cutoff) {
        addFloor(a, b, lower);
        return undefined;
      }
    }
    // The point's plan may beat the incumbent: its best upper sum (every total solve tries). Otherwise its
    // plan cannot (upper >= lower at every step), and the upper sum is not needed.
    let upper = Infinity;
    if ((k.cost[key] as number) + lower < incumbent) {
      upper = 0;
      for (let i = 0; i < orderProblems.length; i++) {
        const problem = orderProblems[i] as StepProblem;
        const solution = a > 0 || b > 0 ? tables.boundsAbove(problem, fixedVcpu, fixedMemory, true) : tables.bounds({ ...problem, fixed: { vcpu: 0, memoryGiB: 0, instances: 0 } }, true);
        upper += (orderWeights[i] as number) * (solution?.upper ?? Infinity);
      }
    }
    const result = { lower, upper };
    full.set(key, result);
    addFloor(a, b, lower);
    return result;
  };
  /** Points with a lower bound on their step sum (complete or partial): by monotonicity it holds below them too. */
  let floors = new Float64Array(3 * 256);
  let floorCount = 0;
  const addFloor = (a: number, b: number, lower: number) => {
    if (3 * floorCount + 3 > floors.length) {
      const grown = new Float64Array(2 * floors.length);
      grown.set(floors);
      floors = grown;
    }
    floors[3 * floorCount] = a;
    floors[3 * floorCount + 1] = b;
    floors[3 * floorCount + 2] = lower;
    floorCount++;
  };
  const knownBelow = (a: number, b: number) => {
    let most = 0;
    for (let i = 0; i < 3 * floorCount; i += 3) if ((floors[i] as number) >= a && (floors[i + 1] as number) >= b && (floors[i + 2] as number) > most) most = floors[i + 2] as number;
    return most;
  };

  const open: Box[] = [];
  let closedBound = Infinity;
  const cutoff = () => incumbent * (1 - tolerance);
  /** Bounds the box (with its hi's step sums) and queues it, or closes it. */
  const push = (lo: [number, number], hi: [number, number]) => {
    const cost = k.cost[lo[0] * height + lo[1]] as number;
    if (!Number.isFinite(cost)) return;
    // A point above hi already bounds the box's step sums: maybe enough to close it without evaluating hi.
    if (!full.has(hi[0] * height + hi[1])) {
      const above = cost + knownBelow(hi[0], hi[1]);
      if (above >= cutoff()) {
        closedBound = Math.min(closedBound, above);
        return;
      }
    }
    const sums = evaluate(hi[0], hi[1], cost, cutoff());
    if (!sums) {
      closedBound = Math.min(closedBound, cutoff());
      return;
    }
    const bound = cost + sums.lower;
    // Every grid point evaluated is a plan: the commitments K picks at hi, the tables' counts above them.
    const costHi = k.cost[hi[0] * height + hi[1]] as number;
    if (costHi + sums.upper < incumbent) {
      incumbent = costHi + sums.upper;
      best = { counts: k.counts(hi[0], hi[1]), value: incumbent };
    }
    if (bound >= cutoff()) closedBound = Math.min(closedBound, bound);
    else if (lo[0] === hi[0] && lo[1] === hi[1]) closedBound = Math.min(closedBound, bound);
    else open.push({ lo, hi, bound });
  };

  const kAt = (a: number, b: number) => k.cost[a * height + b] as number;
  /**
   * The side to split: the one along which K rises more across the box (the part of the box's bound gap
   * K(hi) - K(lo) that side accounts for; fewer boxes than splitting the wider side), else the wider side.
   * Any split is valid: the two halves cover the box.
   */
  const splitsCpu = (lo: [number, number], hi: [number, number]) => {
    if (hi[0] === lo[0]) return false;
    if (hi[1] === lo[1]) return true;
    const base = kAt(lo[0], lo[1]);
    const alongCpu = kAt(hi[0], lo[1]) - base;
    const alongMemory = kAt(lo[0], hi[1]) - base;
    if (alongCpu === alongMemory || !Number.isFinite(alongCpu) || !Number.isFinite(alongMemory)) return hi[0] - lo[0] >= hi[1] - lo[1];
    return alongCpu > alongMemory;
  };
  push([0, 0], [width - 1, height - 1]);
  let complete = true;
  while (open.length > 0 && !failed) {
    if (performance.now() > deadline) {
      complete = false;
      break;
    }
    // Best first: the box with the lowest bound.
    let at = 0;
    for (let i = 1; i < open.length; i++) if ((open[i] as Box).bound < (open[at] as Box).bound) at = i;
    const box = open[at] as Box;
    open[at] = open[open.length - 1] as Box;
    open.pop();
    if (box.bound >= cutoff()) {
      closedBound = Math.min(closedBound, box.bound);
      continue;
    }
    const { lo, hi } = box;
    const splitCpu = splitsCpu(lo, hi);
    if (splitCpu) {
      const mid = (lo[0] + hi[0]) >> 1;
      push(lo, [mid, hi[1]]);
      push([mid + 1, lo[1]], hi);
    } else {
      const mid = (lo[1] + hi[1]) >> 1;
      push(lo, [hi[0], mid]);
      push([lo[0], mid + 1], hi);
    }
  }
  // A step outside the tables (not expected: the caller checks the floor) leaves no bound.
  if (failed) return { bound: -Infinity, complete: false, evaluations };
  const openBound = open.reduce((m, box) => Math.min(m, box.bound), Infinity);
  const bound = Math.min(closedBound, openBound, incumbent);
  return { bound, ...(best ? { best } : {}), complete, evaluations };
}

/**
 * K(a, b): the cheapest commitment counts with at least a vCPU units and b GiB units, priced for the whole
 * timeframe (a covering table over the grid, like the per-step tables), with the counts read back.
 */
function commitmentTable(commitments: readonly CommitmentOption[], hours: number, cu: number, mu: number, width: number, height: number) {
  const cost = new Float64Array(width * height).fill(Infinity);
  const choice = new Int32Array(width * height).fill(-1);
  cost[0] = 0;
  const all = commitments.map((c, j) => ({ j, v: Math.round(c.vcpu / cu), w: Math.round(c.memoryGiB / mu), c: c.hourly * hours }));
  coveringTable(withoutPairReplaceable(all), width, height, cost, choice);
  const counts = (a: number, b: number): number[] => {
    const out = commitments.map(() => 0);
    while (a > 0 || b > 0) {
      const j = choice[a * height + b] ?? -1;
      if (j < 0) break;
      out[j] = (out[j] ?? 0) + 1;
      const s = all[j] as { v: number; w: number };
      a = Math.max(0, a - s.v);
      b = Math.max(0, b - s.w);
    }
    return out;
  };
  return { cost, counts };
}
