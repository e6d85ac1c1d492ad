import type { Allocation, AllocationPlan, CloneSpec, DemandForecast } from '@clonecast/contracts';
import { type Architecture, type CatalogRow, type PriceCatalog, catalogAgeDays } from '@clonecast/pricing/catalog';
import type { Highs } from 'highs';
import { type MasterStatus, type StepClass, solveCommitmentMaster } from './commitment-master';
import { BudgetExceededError, InfeasiblePlanError } from './errors';
import { type Offer, candidateOffers, lpHull, offerKey, pruneDominated } from './offers';
import { expectedShortfall } from './shortfall';
import { type StepDemand, demandModel } from './step-demand';
import { type HourlyOption, StepCoveringSolver } from './step-covering';

export const OPTIMISER_PLANNER = 'lp-commitments-then-step-covering@2';

const HOUR_MS = 60 * 60 * 1000;
/** A plan costing exactly the budget is within it despite float noise. */
const BUDGET_TOLERANCE = 1e-9;
/** Relative slack taken off the HiGHS LP optimum before it is used as a bound (its feasibility tolerances). */
const LP_BOUND_SLACK = 1e-7;
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
  /** Probability a spot instance is reclaimed in an hour; the catalog has no estimate (default 0.05, deliberately pessimistic). */
  spotInterruptionsPerHour?: number;
  /** Only these CPU architectures (default any). */
  architectures?: readonly Architecture[];
  /** Only these instance families, e.g. ["m7i", "n2"] (default any). */
  families?: readonly string[];
  /** Search nodes per distinct step before the per-step search stops with a bound (default 500). */
  nodeLimitPerStep?: number;
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
  /** How the HiGHS LP ended ('skipped': no solver given; 'not-needed': no commitment offers, no LP run). */
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
  spotInterruptionsPerHour: number;
  nodeLimitPerStep: number;
}

/**
 * Chooses what to buy: a committed baseline (constant for the timeframe, paid every hour used or not) and
 * per-step on-demand and spot counts, covering the service-level quantile of CPU and memory at every step,
 * at least cost plus a penalty for expected unmet demand, with spot interruptions priced in.
 *
 * 1. Offers the constraints allow, with dominated ones pruned (exactly: one-for-one swaps).
 * 2. Only when commitments are offered: one HiGHS LP, the linear relaxation of the whole problem over every
 *    distinct step (continuous counts, the offers on the capacity-per-dollar hull). Its optimum is a lower
 *    bound; its commitment levels, rounded down and up, are the few commitment plans tried.
 * 3. Per distinct step, a branch and bound for the integer on-demand/spot counts over the commitments
 *    (LP-rounded start, exact search of the rest, LP + least-penalty root bound).
 * 4. Lower bound: without commitments the sum of the per-step bounds; with them the LP bound, or when that
 *    is loose the per-step integer problems with commitments priced by the hour (also a relaxation).
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
    spotInterruptionsPerHour: options.spotInterruptionsPerHour ?? 0.05,
    nodeLimitPerStep: options.nodeLimitPerStep ?? 500,
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
  const from = Date.parse(request.activationAt);
  const to = from + request.timeframeHours * HOUR_MS;
  const demand = demandModel(forecast, from, to, request.serviceLevel, settings.scenarioCount);
  const { constraints } = request;

  const candidates = candidateOffers(catalog, {
    constraints,
    ...(options.architectures ? { architectures: options.architectures } : {}),
    ...(options.families ? { families: options.families } : {}),
    spotInterruptionsPerHour: settings.spotInterruptionsPerHour,
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
  const stepSolver = new StepCoveringSolver(hourlyOffers.map(asOption), settings.nodeLimitPerStep, searchTolerance);
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

  // 2. Commitments: one HiGHS LP over every distinct step (continuous counts, hull offers only). Its optimum
  //    is a lower bound of the whole integer problem; its commitment levels, rounded, are the candidates.
  let master: SolverReport['master'] = commitmentOffers.length === 0 ? 'not-needed' : 'skipped';
  let lpBound = 0;
  let toTry: number[][] = [commitmentOffers.map(() => 0)];
  const masterStarted = performance.now();
  if (highs && commitmentOffers.length > 0) {
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
    if (result.commitmentValues.length === lpCommitments.length) {
      const values = commitmentOffers.map((offer) => result.commitmentValues[lpCommitments.indexOf(offer)] ?? 0);
      toTry = roundings(values);
    }
  }
  const masterMs = performance.now() - masterStarted;

  // 3. Per-step integer counts over each candidate's commitments; the cheapest whole plan wins.
  let chosen = evaluate(toTry[0] ?? []);
  for (const candidate of toTry.slice(1)) {
    const plan = evaluate(candidate);
    if (plan.objective < chosen.objective) chosen = plan;
  }
  chosen.solutions.forEach((solution, i) => {
    if (!Number.isFinite(solution.objective))
      throw new InfeasiblePlanError(`no mix of the allowed instances covers step ${classes[i]?.step.index ?? i}`);
  });

  // 4. Lower bound. Without commitments the steps are independent: the per-step bounds add up. With them,
  //    the LP bound, and - when that is not tight enough - the per-step integer problems with commitments
  //    priced by the hour (free to change every hour): a relaxation too, strong when demand is small.
  let lowerBound: number;
  if (commitmentOffers.length === 0) {
    lowerBound = chosen.solutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.lowerBound, 0);
  } else {
    lowerBound = lpBound;
    if (lpBound < chosen.objective * (1 - settings.targetGap)) {
      const relaxed = orderForSearch([...hourlyOffers, ...commitmentOffers], peak);
      const relaxedSolver = new StepCoveringSolver(relaxed.map(asOption), settings.nodeLimitPerStep, searchTolerance);
      const relaxedSolutions = classes.map((stepClass) => relaxedSolver.solve(stepProblem(stepClass, none)));
      const integerBound = relaxedSolutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.lowerBound, 0);
      lowerBound = Math.max(lowerBound, integerBound);
      // Small demand: the LP's levels round badly (a fraction of a large type). The commitments the hourly
      // pricing picks at most steps - each type at the count it has at half the hours - are one more plan.
      if (highs && master === 'optimal') {
        const at = relaxed.map((offer) => commitmentOffers.indexOf(offer));
        const counts = commitmentOffers.map(() => [] as number[]);
        relaxedSolutions.forEach((s, i) => {
          const weight = classes[i]?.steps.length ?? 0;
          s.counts.forEach((count, j) => {
            const k = at[j] ?? -1;
            if (k >= 0) for (let w = 0; w < weight; w++) counts[k]?.push(count);
          });
        });
        const median = counts.map((c) => [...c].sort((a, b) => a - b)[Math.floor(c.length / 2)] ?? 0);
        if (median.some((c) => c > 0)) {
          const plan = evaluate(median);
          if (plan.objective < chosen.objective) chosen = plan;
        }
      }
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
    spotInterruptionsPerHour: settings.spotInterruptionsPerHour,
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
  spotInterruptionsPerHour: number;
}

function buildPlan(input: PlanInput): AllocationPlan {
  const { hourlyOffers, commitmentOffers, commitmentCounts, spotInterruptionsPerHour } = input;
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
          const p = spotInterruptionsPerHour;
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
