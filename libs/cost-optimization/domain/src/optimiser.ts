import type { Allocation, AllocationPlan, CloneSpec, DemandForecast } from '@clonecast/contracts';
import { type CatalogRow, type PriceCatalog, catalogAgeDays } from '@clonecast/pricing/catalog';
import type { Highs } from 'highs';
import { type MasterStatus, type StepClass, solveCommitmentMaster } from './commitment-master';
import { BudgetExceededError, InfeasiblePlanError } from './errors';
import { type Offer, candidateOffers, lpHull, offerKey, pruneDominated } from './offers';
import { expectedShortfall } from './shortfall';
import { type StepDemand, demandModel } from './step-demand';
import { ExactStepTables } from './exact-step';
import { type CommitmentSearchResult, searchCommitmentCapacity } from './commitment-search';
import { LargeStepSolver } from './large-step';
import { type HourlyOption, type StepProblem, StepCoveringSolver } from './step-covering';
import { planningWindow } from './planning-window';

export const OPTIMISER_PLANNER = 'lp-commitments-then-step-covering@2';

/** A plan costing exactly the budget is within it despite float noise. */
const BUDGET_TOLERANCE = 1e-9;
/** Relative slack taken off the HiGHS LP optimum before it is used as a bound (its feasibility tolerances). */
const LP_BOUND_SLACK = 1e-7;
/** Largest grid of the exact per-step tables (cells per table); larger accounts use the branch and bound. */
const MAX_EXACT_CELLS = 160_000;
/** Grid of the tables for the rest of a large step above its LP-shaped bulk (accounts too large for exact tables). */
const REST_CELLS = 20_000;
/** Largest grid the Lagrangian bound builds tables on (one per distinct per-step price vector). */
const MAX_LAGRANGIAN_CELLS = 160_000;
/**
 * Largest (grid cells x distinct steps) the search over the commitments' aggregate capacity is tried on: it
 * sums the distinct steps at a few hundred grid points, each step's cost growing with the grid. The bench's
 * largest (89k cells x 154 steps, 13.7M) takes ~30-50 ms of search on one core after its tables, ~75 ms for
 * the whole solve, leaving room under the 150 ms budget; much larger grids may not finish in it (a stopped
 * search's bound is weak), so they keep the LP and the Lagrangian bound.
 */
const MAX_CAPACITY_SEARCH_WORK = 16_000_000;
/** Grid points an unfinished search must have summed to be kept instead of the LP. */
const MIN_SEARCH_EVALUATIONS = 8;
/**
 * Tolerance of the capacity search above EXACT_CAPACITY_SEARCH_CELLS, as a fraction of the target gap: boxes
 * within it of the best plan are closed. A tenth (0.1 %) costs ~10 % more grid points than a quarter on the
 * bench's largest grids and finds plans a quarter's pruning missed (one x200 plan: the LP's rounding was
 * 0.02 % cheaper than the search's best at a quarter, 0.02 % dearer than its best at a tenth).
 */
const CAPACITY_SEARCH_TOLERANCE = 0.1;
/** Grids up to this many cells are searched with no tolerance (a few dozen grid points): the bound is exact there. */
const EXACT_CAPACITY_SEARCH_CELLS = 1_000;
/** Subgradient steps of the Lagrangian bound after its two starts (the plan's time budget may stop it earlier). */
const LAGRANGIAN_ITERATIONS = 3;
/** The Lagrangian stops improving once within this fraction of the best plan (well inside the target gap). */
const LAGRANGIAN_TARGET = 0.002;
/** z such that P(Z <= z) = 0.9 for a standard normal. */
const Z_90 = 1.2815515655446004;

/** What the clone asks of the plan: the contract's CloneSpec fits it. */
export type PlanningRequest = Pick<CloneSpec, 'activationAt' | 'timeframeHours' | 'serviceLevel' | 'constraints'>;

export interface OptimiserOptions {
  /** Time limit of the HiGHS LP, ms (default 2000); past it the plan is the heuristic fallback. */
  timeLimitMs?: number;
  /** Gap the plan is expected to reach; above it the status says so (default 0.01). */
  targetGap?: number;
  /** Demand scenarios drawn from the quantiles for the unmet-demand penalty (default 20). */
  scenarioCount?: number;
  /** Penalty per expected unmet vCPU-hour and GiB-hour, USD (default 0.10 and 0.0125: ~2x on-demand unit prices). */
  unmetPenalty?: { cpu: number; memory: number };
  /**
   * Probability a spot instance is reclaimed in an hour, assumed for catalog rows without an interruption
   * estimate (default 0.05, deliberately pessimistic; the bundled catalog has no estimates).
   */
  assumedSpotInterruptionsPerHour?: number;
  /** Search nodes per distinct step before the per-step search stops with a bound (default 500). */
  nodeLimitPerStep?: number;
  /**
   * Time after which the optimiser stops improving the lower bound of a plan with commitments, ms from the
   * start of the solve (default 150), including the search over the commitments' capacity (its best plan
   * so far is kept). The plan is still complete; its gap is reported as proven so far.
   */
  boundBudgetMs?: number;
}

/** optimal: gap ~0; within-gap: gap <= targetGap; above-target-gap: proven gap larger; heuristic-fallback: HiGHS gave no answer. */
export type SolverStatus = 'optimal' | 'within-gap' | 'above-target-gap' | 'heuristic-fallback';

export interface SolverReport {
  status: SolverStatus;
  /**
   * (objective - lower bound) / objective, proven for the plan returned; objective = expected cost +
   * unmet-demand penalty as the optimiser charges it (spot priced with its expected replacement cost).
   */
  gap: number;
  ms: number;
  /** Of which in the HiGHS LP. */
  masterMs: number;
  objective: number;
  lowerBound: number;
  /**
   * How the HiGHS LP ended ('skipped': no solver given; 'not-needed': no LP run - no commitment offers, or
   * the search over the commitments' capacity gave the plan and its bound instead).
   */
  master: MasterStatus | 'skipped' | 'not-needed';
  offers: { candidates: number; afterPruning: number };
  distinctSteps: number;
}

export interface OptimisedPlan {
  plan: AllocationPlan;
  solver: SolverReport;
  /**
   * What the plan's commitments cost over their whole term (1 or 3 years), USD. The plan charges only the
   * timeframe's hours; the rest of the term is assumed used by the clone running on the same pattern.
   */
  commitmentTermCost: number;
}

interface Settings {
  timeLimitMs: number;
  targetGap: number;
  scenarioCount: number;
  unmetPenalty: { cpu: number; memory: number };
  assumedSpotInterruptionsPerHour: number;
  nodeLimitPerStep: number;
  boundBudgetMs: number;
}

/**
 * Chooses what to buy: a committed baseline (constant for the timeframe, paid every hour used or not) and
 * per-step on-demand and spot counts, covering the service-level quantile of CPU and memory at every step,
 * at least cost plus a penalty for expected unmet demand, with spot interruptions priced in.
 *
 * 1. Offers the constraints allow, with dominated ones pruned (exactly: one-for-one swaps).
 * 2. Only when commitments are offered: with exact per-step tables small enough for it, a branch and bound
 *    over the commitments' aggregate capacity (commitment-search.ts: exact on the tables' grid, so it
 *    gives the plan and its bound, HiGHS not called). Otherwise, or when the budget stops it at once, one
 *    HiGHS LP, the linear relaxation of the whole problem over every distinct step (continuous counts, the
 *    offers on the capacity-per-dollar hull). Its optimum is a lower bound; its commitment levels, rounded
 *    down and up, are the few commitment plans tried.
 * 3. Per distinct step, the integer on-demand/spot counts over the commitments (exact tables, or for
 *    accounts too large for them the bulk-plus-rest solver or a branch and bound with an LP root bound).
 * 4. Lower bound: without commitments the sum of the per-step bounds; with them the search's or the LP's,
 *    and if that is loose the per-step integer problems with commitments priced by the hour (a Lagrangian
 *    relaxation) while the time budget lasts.
 * gap = (objective - lower bound) / objective. Without HiGHS (or when the LP fails) no commitments are
 * bought, which is always feasible, and the status says 'heuristic-fallback'.
 */
export function planOptimalAllocation(
  highs: Highs | undefined,
  forecast: DemandForecast,
  request: PlanningRequest,
  catalog: PriceCatalog,
  now: Date,
  options: OptimiserOptions = {},
): OptimisedPlan {
  const settings: Settings = {
    timeLimitMs: options.timeLimitMs ?? 2000,
    targetGap: options.targetGap ?? 0.01,
    scenarioCount: options.scenarioCount ?? 20,
    unmetPenalty: options.unmetPenalty ?? { cpu: 0.1, memory: 0.0125 },
    assumedSpotInterruptionsPerHour: options.assumedSpotInterruptionsPerHour ?? 0.05,
    nodeLimitPerStep: options.nodeLimitPerStep ?? 500,
    boundBudgetMs: options.boundBudgetMs ?? 150,
  };
  const first = optimise(highs, forecast, request, catalog, now, options, settings);
  const { budget } = request.constraints;
  if (budget === undefined || first.plan.expectedCost <= budget * (1 + BUDGET_TOLERANCE)) return first;
  // The penalty may have bought capacity beyond the service level: the cheapest covering plan is the last try.
  const cheapest = optimise(highs, forecast, request, catalog, now, options, { ...settings, unmetPenalty: { cpu: 0, memory: 0 } });
  if (cheapest.plan.expectedCost <= budget * (1 + BUDGET_TOLERANCE)) return cheapest;
  throw new BudgetExceededError(cheapest.plan.expectedCost, budget);
}

function optimise(
  highs: Highs | undefined,
  forecast: DemandForecast,
  request: PlanningRequest,
  catalog: PriceCatalog,
  now: Date,
  options: OptimiserOptions,
  settings: Settings,
): OptimisedPlan {
  const started = performance.now();
  const { from, to } = planningWindow(request.activationAt, request.timeframeHours);
  const demand = demandModel(forecast, from, to, request.serviceLevel, settings.scenarioCount);
  const { constraints } = request;

  const candidates = candidateOffers(catalog, {
    constraints,
    assumedSpotInterruptionsPerHour: settings.assumedSpotInterruptionsPerHour,
  });
  const kept = pruneDominated(candidates);
  const peak = {
    cpu: Math.max(...demand.steps.map((s) => s.required.cpu), 1e-9),
    memory: Math.max(...demand.steps.map((s) => s.required.memory), 1e-9),
  };
  const hourlyOffers = orderForSearch(kept.filter((o) => o.kind !== 'commitment'), peak);
  const commitmentOffers = kept.filter((o) => o.kind === 'commitment');
  const classes = groupSteps(demand.steps);
  const hours = request.timeframeHours;
  const none = { vcpu: 0, memoryGiB: 0, instances: 0 };

  const stepProblem = (stepClass: GroupedSteps, fixed: { vcpu: number; memoryGiB: number; instances: number }) => ({
    required: stepClass.step.required,
    tail: stepClass.step.tail,
    scenarioCount: settings.scenarioCount,
    minInstances: constraints.minInstances,
    maxSpotShare: constraints.maxSpotShare,
    penalty: settings.unmetPenalty,
    fixed,
  });
  // The per-step search proves optimality to a quarter of the target gap: enough, and much faster than exact.
  const searchTolerance = settings.targetGap / 4;
  const searchSolver = new StepCoveringSolver(hourlyOffers.map(asOption), settings.nodeLimitPerStep, searchTolerance);
  // Exact tables when the account is small enough for them (the same for every step and commitment level).
  const extent = {
    cpu: Math.max(...classes.map((c) => Math.max(c.step.required.cpu, ...c.step.tail.cpu))),
    memory: Math.max(...classes.map((c) => Math.max(c.step.required.memory, ...c.step.tail.memory))),
  };
  const exactTables = ExactStepTables.build(hourlyOffers.map(asOption), commitmentOffers, extent.cpu, extent.memory, MAX_EXACT_CELLS);
  // Too large for them: bulk of the LP-shaped mix + exact tables for the small rest, root bound as the bound.
  const restTables = exactTables ? undefined : ExactStepTables.buildWithin(hourlyOffers.map(asOption), commitmentOffers, extent.cpu, extent.memory, REST_CELLS);
  const largeSolver = restTables ? new LargeStepSolver(hourlyOffers.map(asOption), restTables, searchSolver) : undefined;
  const stepSolver = { solve: (problem: StepProblem) => exactTables?.solve(problem) ?? largeSolver?.solve(problem) ?? searchSolver.solve(problem) };
  const capacityOf = (counts: readonly number[]) =>
    commitmentOffers.reduce(
      (sum, offer, k) => {
        const count = counts[k] ?? 0;
        return { vcpu: sum.vcpu + count * offer.vcpu, memoryGiB: sum.memoryGiB + count * offer.memoryGiB, instances: sum.instances + count };
      },
      { ...none },
    );
  /** The whole plan for given commitment counts: per distinct step, the integer on-demand/spot counts. */
  const evaluate = (counts: readonly number[]) => {
    const fixed = capacityOf(counts);
    const solutions = classes.map((stepClass) => stepSolver.solve(stepProblem(stepClass, fixed)));
    const commitmentHourly = commitmentOffers.reduce((sum, offer, k) => sum + (counts[k] ?? 0) * offer.effectiveHourly, 0);
    const objective = commitmentHourly * hours + solutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.objective, 0);
    return { counts: [...counts], solutions, objective };
  };
  type Evaluated = ReturnType<typeof evaluate>;

  // 2. Commitments. When the exact tables are small enough for it (and handle the instance floor), a branch
  //    and bound over the commitments' aggregate capacity (commitment-search.ts) solves the whole problem
  //    on the tables' grid, or bounds it, and HiGHS is not needed. Otherwise - or when the budget stopped
  //    the search at once - one HiGHS LP over every distinct step (continuous counts, hull offers only): its
  //    optimum is a lower bound of the whole integer problem; its commitment levels, rounded, are the
  //    candidates.
  const deadline = started + settings.boundBudgetMs;
  const searchable =
    highs !== undefined &&
    commitmentOffers.length > 0 &&
    exactTables !== undefined &&
    constraints.minInstances <= 1 &&
    exactTables.cells * classes.length <= MAX_CAPACITY_SEARCH_WORK;
  let chosen: Evaluated | undefined;
  let searched: CommitmentSearchResult | undefined;
  if (searchable && exactTables) {
    chosen = evaluate(commitmentOffers.map(() => 0));
    searched = searchCommitmentCapacity({
      tables: exactTables,
      commitments: commitmentOffers.map((o) => ({ vcpu: o.vcpu, memoryGiB: o.memoryGiB, hourly: o.effectiveHourly })),
      hours,
      steps: classes.map((c) => ({ weight: c.steps.length, problem: stepProblem(c, none) })),
      incumbent: chosen.objective,
      tolerance: exactTables.cells <= EXACT_CAPACITY_SEARCH_CELLS ? 0 : settings.targetGap * CAPACITY_SEARCH_TOLERANCE,
      deadline,
    });
    if (searched.best) {
      const plan = evaluate(searched.best.counts);
      if (plan.objective < chosen.objective) chosen = plan;
    }
  }
  // A search the budget stopped after real progress keeps its plan and bound when that bound already proves
  // the target gap (the LP would only add time); otherwise - stopped at once (a budget too small for it), or
  // with the open boxes' weak bound (often 5-20 %: a cold or busy process on the largest grids) - the LP and
  // its roundings run too, past the budget on that path (the search's bound and best plan are kept).
  const settled =
    searched !== undefined &&
    (searched.complete ||
      (searched.evaluations > MIN_SEARCH_EVALUATIONS && chosen !== undefined && searched.bound >= chosen.objective * (1 - settings.targetGap)));
  let master: SolverReport['master'] = commitmentOffers.length === 0 || settled ? 'not-needed' : 'skipped';
  let lpBound = 0;
  let toTry: number[][] = [commitmentOffers.map(() => 0)];
  let capacityPrices: Array<[number, number]> = [];
  const masterStarted = performance.now();
  if (highs && commitmentOffers.length > 0 && !settled) {
    const lpCommitments = lpHull(commitmentOffers);
    const lpHourly = lpHull(hourlyOffers);
    const result = solveCommitmentMaster(highs, {
      commitments: lpCommitments.map(asOption),
      hourly: lpHourly.map(asOption),
      classes: classes.map(toMasterClass),
      hours,
      scenarioCount: settings.scenarioCount,
      // The instance floor is left out (a relaxation): it would make the hull reduction invalid.
      minInstances: 0,
      maxSpotShare: constraints.maxSpotShare,
      penalty: settings.unmetPenalty,
      timeLimitSeconds: settings.timeLimitMs / 1000,
      relativeGap: 0,
      relaxed: true,
    });
    master = result.status;
    if (result.status === 'infeasible') throw new InfeasiblePlanError('the linear relaxation is infeasible');
    if (result.status === 'optimal') lpBound = result.lowerBound * (1 - LP_BOUND_SLACK);
    capacityPrices = result.capacityPrices;
    if (result.commitmentValues.length === lpCommitments.length) {
      const values = commitmentOffers.map((offer) => result.commitmentValues[lpCommitments.indexOf(offer)] ?? 0);
      toTry = roundings(values);
    }
  }
  const masterMs = performance.now() - masterStarted;

  // 3. Per-step integer counts over each candidate's commitments; the cheapest whole plan wins.
  for (const candidate of settled ? [] : toTry) {
    const plan = evaluate(candidate);
    if (!chosen || plan.objective < chosen.objective) chosen = plan;
  }
  if (!chosen) chosen = evaluate(commitmentOffers.map(() => 0));
  chosen.solutions.forEach((solution, i) => {
    if (!Number.isFinite(solution.objective))
      throw new InfeasiblePlanError(`no mix of the allowed instances covers step ${classes[i]?.step.index ?? i}`);
  });

  // 4. Lower bound. Without commitments the steps are independent: the per-step bounds add up. With them,
  //    the search's bound or the LP's, and - when that is not tight enough and the plan's time budget
  //    allows - a Lagrangian bound (below). Past the budget the bound found so far is reported as it is
  //    (valid, maybe loose).
  let lowerBound: number;
  if (commitmentOffers.length === 0) {
    lowerBound = chosen.solutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.lowerBound, 0);
  } else {
    lowerBound = Math.max(lpBound, searched?.bound ?? 0);
    const loose = () => lowerBound < (chosen as Evaluated).objective * (1 - settings.targetGap);
    if (loose() && exactTables && exactTables.cells <= MAX_LAGRANGIAN_CELLS) {
      // 5. Copies of the commitment counts per step, tied to the shared counts by per-step prices mu_t
      //    (summing to each commitment's price for the timeframe), make the steps separable: each is an
      //    exact per-step problem with commitments as options at mu_t, and any such mu gives a valid bound.
      //    Tried: the uniform hourly price (commitments free to change every hour, strong for small demand),
      //    the LP duals, then projected subgradient steps from the better one while the budget lasts.
      const result = lagrangianBound(exactTables, hourlyOffers, commitmentOffers, classes, hours, chosen.objective, capacityPrices, (c) => stepProblem(c, none), deadline);
      lowerBound = Math.max(lowerBound, result.bound);
      // The commitments most steps pick at the best prices are one more plan (small demand: the LP's levels
      // round badly, a fraction of a large type).
      if (master === 'optimal')
        for (const counts of new Map(result.candidates.map((c) => [c.join(','), c])).values())
          if (counts.some((c) => c > 0)) {
            const plan = evaluate(counts);
            if (plan.objective < chosen.objective) chosen = plan;
          }
    } else if (loose() && performance.now() < deadline) {
      // Grid too large for tables: the per-step integer problems with commitments priced by the hour
      // (the uniform Lagrangian prices) by the branch and bound, step by step until the budget ends.
      const relaxed = orderForSearch([...hourlyOffers, ...commitmentOffers], peak);
      const relaxedSearch = new StepCoveringSolver(relaxed.map(asOption), settings.nodeLimitPerStep, searchTolerance);
      let integerBound = 0;
      let complete = true;
      for (const [i, stepClass] of classes.entries()) {
        if (performance.now() > deadline) {
          complete = false;
          break;
        }
        integerBound += (classes[i]?.steps.length ?? 0) * relaxedSearch.solve(stepProblem(stepClass, none)).lowerBound;
      }
      if (complete) lowerBound = Math.max(lowerBound, integerBound);
    }
  }
  const { solutions, objective } = chosen;
  const commitmentCounts = chosen.counts;
  solutions.forEach((solution, i) => {
    if (!Number.isFinite(solution.objective))
      throw new InfeasiblePlanError(`no mix of the allowed instances covers step ${classes[i]?.step.index ?? i}`);
  });
  lowerBound = Math.min(objective, lowerBound);
  const gap = objective > 0 ? Math.max(0, (objective - lowerBound) / objective) : 0;

  const plan = buildPlan({
    catalog,
    now,
    forecast,
    demandSteps: demand.steps,
    levels: demand.levels,
    classes,
    solutions: solutions.map((s) => s.counts),
    hourlyOffers,
    commitmentOffers,
    commitmentCounts,
    from,
    to,
    hours,
  });
  const status: SolverStatus =
    master === 'skipped' || master === 'error' || master === 'time-limit'
      ? 'heuristic-fallback'
      : gap <= 1e-6
        ? 'optimal'
        : gap <= settings.targetGap
          ? 'within-gap'
          : 'above-target-gap';
  const commitmentTermCost = commitmentOffers.reduce(
    (sum, offer, k) => sum + (commitmentCounts[k] ?? 0) * offer.unitPrice * termHours(offer),
    0,
  );
  const ms = performance.now() - started;
  return {
    plan: { ...plan, solver: { status, gap, ms } },
    commitmentTermCost,
    solver: {
      status,
      gap,
      ms,
      masterMs,
      objective,
      lowerBound,
      master,
      offers: { candidates: candidates.length, afterPruning: kept.length },
      distinctSteps: classes.length,
    },
  };
}

/**
 * max over a few price vectors mu of sum_t weight_t * g_t(mu_t), g_t the exact per-step problem with the
 * commitments bought by the hour at mu_t (sum_t weight_t mu_t = hours x hourly price per commitment type;
 * any such mu >= 0 gives a valid bound). Each distinct price vector builds one table (steps with the same
 * prices share it: the uniform start is one table, the LP duals and the subgradient steps a few), over the
 * options left after dropping those another non-spot option beats one for one at those prices (exact).
 * After the uniform prices, stops at `deadline` with the best complete evaluation. Also returns, per complete evaluation, the
 * commitment counts the median step chose (candidate plans).
 */
function lagrangianBound(
  tables: ExactStepTables,
  hourlyOffers: readonly Offer[],
  commitmentOffers: readonly Offer[],
  classes: readonly GroupedSteps[],
  hours: number,
  upper: number,
  capacityPrices: ReadonlyArray<[number, number]>,
  problemOf: (c: GroupedSteps) => StepProblem,
  deadline: number,
): { bound: number; candidates: number[][] } {
  const nonSpot = hourlyOffers.filter((o) => o.kind !== 'spot').map(asOption);
  const weights = classes.map((c) => c.steps.length);
  const total = weights.reduce((a, b) => a + b, 0);
  const budget = commitmentOffers.map((o) => hours * o.effectiveHourly);
  const floor = budget.map((b) => b * 1e-9);
  const cache = new Map<string, { tables: ExactStepTables; origin: number[] } | undefined>();
  let buildMs = 0;
  const tablesFor = (prices: readonly number[], untilDeadline: boolean) => {
    const key = prices.join(',');
    if (cache.has(key)) return cache.get(key);
    // A table cannot be stopped half-built: none is started that the slowest so far would finish past the deadline.
    if (untilDeadline && performance.now() + buildMs > deadline) return undefined;
    const building = performance.now();
    const options = [...nonSpot, ...commitmentOffers.map((o, k) => ({ ...asOption(o), hourly: prices[k] ?? 0 }))];
    const origin = options.map((_, i) => (i < nonSpot.length ? -1 : i - nonSpot.length));
    const keep = options.map((o, i) => !options.some((d, j) => j !== i && beats(d, o, j, i)));
    const kept = options.filter((_, i) => keep[i]);
    const built = tables.withNonSpot(kept);
    const entry = built ? { tables: built, origin: origin.filter((_, i) => keep[i]) } : undefined;
    cache.set(key, entry);
    buildMs = Math.max(buildMs, performance.now() - building);
    return entry;
  };
  /** sum_t weight_t g_t(mu_t) and the commitments each step buys; undefined past the deadline or off the grid. */
  const evaluateAt = (mu: readonly number[][], untilDeadline: boolean) => {
    let value = 0;
    const ys: number[][] = [];
    for (let t = 0; t < classes.length; t++) {
      if (untilDeadline && performance.now() > deadline) return undefined;
      const entry = tablesFor(mu[t] ?? [], untilDeadline);
      const solution = entry?.tables.solve(problemOf(classes[t] as GroupedSteps));
      if (!entry || !solution || !Number.isFinite(solution.lowerBound)) return undefined;
      value += (weights[t] ?? 0) * solution.lowerBound;
      const y = commitmentOffers.map(() => 0);
      solution.counts.forEach((count, i) => {
        const k = entry.origin[i] ?? -1;
        if (k >= 0) y[k] = (y[k] ?? 0) + count;
      });
      ys.push(y);
    }
    return { value, ys };
  };
  const medianCounts = (ys: readonly number[][]) =>
    commitmentOffers.map((_, k) => {
      const sorted = ys.flatMap((y, t) => new Array<number>(weights[t] ?? 0).fill(y[k] ?? 0)).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    });

  const uniform = classes.map(() => budget.map((b) => b / total));
  // The LP duals: a commitment is worth at step t what its capacity is worth there; scaled down where that
  // exceeds the budget, and the rest of the budget spread evenly.
  const lpPrices = classes.map((_, t) => {
    const [pc, pm] = capacityPrices[t] ?? [0, 0];
    return commitmentOffers.map((o) => (o.vcpu * pc + o.memoryGiB * pm) / (weights[t] || 1));
  });
  const lpSums = commitmentOffers.map((_, k) => lpPrices.reduce((sum, p, t) => sum + (weights[t] ?? 0) * (p[k] ?? 0), 0));
  const fromLp = lpPrices.map((prices) =>
    prices.map((p, k) => {
      const b = budget[k] ?? 0;
      const scale = Math.min(1, b / ((lpSums[k] ?? 0) || 1));
      return Math.max(floor[k] ?? 0, p * scale + (b - Math.min(b, lpSums[k] ?? 0)) / total);
    }),
  );

  let bound = -Infinity;
  const candidates: number[][] = [];
  let current: { mu: number[][]; value: number; ys: number[][] } | undefined;
  const tryAt = (mu: number[][], untilDeadline = true) => {
    const result = evaluateAt(mu, untilDeadline);
    if (!result) return false;
    candidates.push(medianCounts(result.ys));
    // Subgradient steps start from the better start, then from each new point (not monotone: keep the best).
    if (!current || result.value > bound) current = { mu, ...result };
    bound = Math.max(bound, result.value);
    return true;
  };
  // The uniform prices always (one table; their median plan is the candidate that finds the single
  // committed small instance at small demand), the rest while the budget lasts.
  tryAt(uniform, false);
  if (capacityPrices.length === classes.length && bound < upper * (1 - LAGRANGIAN_TARGET)) tryAt(fromLp);
  for (let iteration = 0; iteration < LAGRANGIAN_ITERATIONS && current && bound < upper * (1 - LAGRANGIAN_TARGET); iteration++) {
    const { mu, value, ys } = current;
    // Projected subgradient (Polyak): d_t = y_t - mean y keeps sum_t weight_t mu_t fixed.
    const mean = commitmentOffers.map((_, k) => ys.reduce((sum, y, t) => sum + (weights[t] ?? 0) * (y[k] ?? 0), 0) / total);
    const norm = ys.reduce((sum, y, t) => sum + (weights[t] ?? 0) * y.reduce((s, v, k) => s + (v - (mean[k] ?? 0)) ** 2, 0), 0);
    if (norm <= 0 || upper - value <= 0) break;
    const theta = (upper - value) / norm;
    const next = mu.map((prices, t) => prices.map((p, k) => Math.max(floor[k] ?? 0, p + theta * ((ys[t]?.[k] ?? 0) - (mean[k] ?? 0)))));
    // Back onto sum_t weight_t mu_t = budget (clamping at the floor moved it): scale per type.
    const sums = commitmentOffers.map((_, k) => next.reduce((sum, prices, t) => sum + (weights[t] ?? 0) * (prices[k] ?? 0), 0));
    const projected = next.map((prices) => prices.map((p, k) => (p * (budget[k] ?? 0)) / (sums[k] || 1)));
    const result = evaluateAt(projected, true);
    if (!result) break;
    candidates.push(medianCounts(result.ys));
    bound = Math.max(bound, result.value);
    current = { mu: projected, ...result };
  }
  return { bound, candidates };
}

/** d replaces o one for one in any non-spot mix: as much of both resources for no more (ties: the first). */
function beats(d: HourlyOption, o: HourlyOption, j: number, i: number): boolean {
  if (d.spot !== o.spot || d.vcpu < o.vcpu || d.memoryGiB < o.memoryGiB || d.hourly > o.hourly) return false;
  const equal = d.vcpu === o.vcpu && d.memoryGiB === o.memoryGiB && d.hourly === o.hourly;
  return !equal || j < i;
}

/**
 * Integer commitment counts near the LP's: all rounded down, each fractional one rounded up alone, and all
 * rounded up (the LP uses at most a few commitment types, so this stays a handful of plans).
 */
function roundings(values: readonly number[]): number[][] {
  const floor = values.map((v) => Math.floor(v + 1e-6));
  const fractional = values.map((v, k) => (v - (floor[k] ?? 0) > 1e-6 ? k : -1)).filter((k) => k >= 0);
  const out = [floor];
  for (const k of fractional) out.push(floor.map((c, i) => (i === k ? c + 1 : c)));
  if (fractional.length > 1) out.push(floor.map((c, i) => (fractional.includes(i) ? c + 1 : c)));
  return out;
}

interface GroupedSteps {
  step: StepDemand;
  steps: StepDemand[];
}

/** Steps with the same requirement and tail have the same optimal counts: solve each group once. */
function groupSteps(steps: readonly StepDemand[]): GroupedSteps[] {
  const groups = new Map<string, GroupedSteps>();
  for (const step of steps) {
    const key = JSON.stringify([step.required, step.tail]);
    const group = groups.get(key);
    if (group) group.steps.push(step);
    else groups.set(key, { step, steps: [step] });
  }
  return [...groups.values()];
}

function toMasterClass(group: GroupedSteps): StepClass {
  const descending = (values: readonly number[]) => [...values].sort((a, b) => b - a);
  return {
    weight: group.steps.length,
    required: group.step.required,
    tailDescending: { cpu: descending(group.step.tail.cpu), memory: descending(group.step.tail.memory) },
  };
}

function asOption(offer: Offer): HourlyOption {
  return { vcpu: offer.vcpu, memoryGiB: offer.memoryGiB, hourly: offer.effectiveHourly, spot: offer.kind === 'spot' };
}

/**
 * Non-spot first (the search needs it), then by cost per unit of the peak's joint requirement, so the
 * first incumbent is already good and the bound prunes early.
 */
function orderForSearch(offers: readonly Offer[], peak: { cpu: number; memory: number }): Offer[] {
  const efficiency = (o: Offer) => o.effectiveHourly / Math.min(o.vcpu / peak.cpu, o.memoryGiB / peak.memory);
  return [...offers].sort(
    (a, b) => Number(a.kind === 'spot') - Number(b.kind === 'spot') || efficiency(a) - efficiency(b) || offerKey(a).localeCompare(offerKey(b)),
  );
}

function termHours(offer: Offer): number {
  return (offer.pricingModel.endsWith('-3y') ? 3 : 1) * 8760;
}

interface PlanInput {
  catalog: PriceCatalog;
  now: Date;
  forecast: DemandForecast;
  demandSteps: StepDemand[];
  levels: number[];
  classes: GroupedSteps[];
  solutions: number[][];
  hourlyOffers: Offer[];
  commitmentOffers: Offer[];
  commitmentCounts: number[];
  from: number;
  to: number;
  hours: number;
}

function buildPlan(input: PlanInput): AllocationPlan {
  const { hourlyOffers, commitmentOffers, commitmentCounts } = input;
  const countsByStep = new Map<StepDemand, number[]>();
  input.classes.forEach((group, i) => {
    for (const step of group.steps) countsByStep.set(step, input.solutions[i] ?? []);
  });

  const allocations: Allocation[] = [];
  const usedRows: CatalogRow[] = [];
  let purchase = 0;
  let interruptionMean = 0;
  let interruptionVariance = 0;

  commitmentOffers.forEach((offer, k) => {
    const quantity = commitmentCounts[k] ?? 0;
    if (quantity === 0) return;
    usedRows.push(offer.row);
    purchase += quantity * offer.unitPrice * input.hours;
    allocations.push(allocationOf(offer, quantity, input.from, input.to));
  });
  hourlyOffers.forEach((offer, j) => {
    let open: { quantity: number; from: number; to: number } | undefined;
    const close = () => {
      if (open) allocations.push(allocationOf(offer, open.quantity, open.from, open.to));
      open = undefined;
    };
    for (const step of input.demandSteps) {
      const quantity = countsByStep.get(step)?.[j] ?? 0;
      if (quantity > 0) {
        purchase += quantity * offer.unitPrice;
        if (offer.kind === 'spot') {
          // Each spot instance-hour is reclaimed with probability p and then replaced on demand for the hour.
          const p = offer.interruptionsPerHour;
          interruptionMean += quantity * p * offer.row.onDemandHourly;
          interruptionVariance += quantity * p * (1 - p) * offer.row.onDemandHourly ** 2;
        }
      }
      if (open && open.quantity === quantity && open.to === step.from) open.to = step.to;
      else {
        close();
        if (quantity > 0) open = { quantity, from: step.from, to: step.to };
      }
    }
    close();
    if (input.demandSteps.some((step) => (countsByStep.get(step)?.[j] ?? 0) > 0)) usedRows.push(offer.row);
  });

  const capacity = (step: StepDemand, pick: (o: Offer) => number) =>
    commitmentOffers.reduce((sum, o, k) => sum + (commitmentCounts[k] ?? 0) * pick(o), 0) +
    hourlyOffers.reduce((sum, o, j) => sum + (countsByStep.get(step)?.[j] ?? 0) * pick(o), 0);
  const unmet = { cpu: 0, memory: 0 };
  for (const step of input.demandSteps) {
    unmet.cpu += expectedShortfall(input.levels, step.quantileValues.cpu, capacity(step, (o) => o.vcpu));
    unmet.memory += expectedShortfall(input.levels, step.quantileValues.memory, capacity(step, (o) => o.memoryGiB));
  }

  const expectedCost = purchase + interruptionMean;
  return {
    planner: OPTIMISER_PLANNER,
    catalogVersion: input.catalog.catalogVersion,
    catalogAgeDays: catalogAgeDays(input.catalog, input.now, usedRows.length > 0 ? usedRows : undefined),
    currency: 'USD',
    expectedCost,
    // Purchases are fixed in advance; only spot replacements vary (normal approximation of their sum).
    costQuantiles: { '0.5': expectedCost, '0.9': expectedCost + Z_90 * Math.sqrt(interruptionVariance) },
    expectedUnmetDemand: unmet,
    required: {
      cpu: Math.max(...input.demandSteps.map((s) => s.required.cpu)),
      memory: Math.max(...input.demandSteps.map((s) => s.required.memory)),
    },
    allocations: sortAllocations(allocations),
  };
}

function allocationOf(offer: Offer, quantity: number, from: number, to: number): Allocation {
  return {
    cloud: offer.row.cloud,
    region: offer.row.region,
    instanceType: offer.row.instanceType,
    pricingModel: offer.pricingModel,
    quantity,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    vcpu: offer.vcpu,
    memoryGiB: offer.memoryGiB,
    hourlyPrice: offer.unitPrice,
  };
}

function sortAllocations(allocations: Allocation[]): Allocation[] {
  return allocations.sort(
    (a, b) =>
      a.from.localeCompare(b.from) ||
      `${a.cloud}/${a.region}/${a.instanceType}/${a.pricingModel}`.localeCompare(`${b.cloud}/${b.region}/${b.instanceType}/${b.pricingModel}`),
  );
}
