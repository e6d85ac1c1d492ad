import type { Allocation, AllocationPlan, CloneSpec, DemandForecast } from '@clonecast/contracts';
import { type Architecture, type CatalogRow, type PriceCatalog, catalogAgeDays } from '@clonecast/pricing/catalog';
import type { Highs } from 'highs';
import { type MasterStatus, type StepClass, solveCommitmentMaster } from './commitment-master';
import { BudgetExceededError, InfeasiblePlanError } from './errors';
import { type Offer, candidateOffers, offerKey, pruneDominated } from './offers';
import { expectedShortfall } from './shortfall';
import { type StepDemand, demandModel } from './step-demand';
import { type HourlyOption, StepCoveringSolver } from './step-covering';

export const OPTIMISER_PLANNER = 'milp-commitments-then-step-covering@1';

const HOUR_MS = 60 * 60 * 1000;
/** A plan costing exactly the budget is within it despite float noise. */
const BUDGET_TOLERANCE = 1e-9;
/** z such that P(Z <= z) = 0.9 for a standard normal. */
const Z_90 = 1.2815515655446004;

/** What the clone asks of the plan: the contract's CloneSpec fits it. */
export type PlanningRequest = Pick<CloneSpec, 'activationAt' | 'timeframeHours' | 'serviceLevel' | 'constraints'>;

export interface OptimiserOptions {
  /** Time limit of the HiGHS solve, ms (default 2000). */
  timeLimitMs?: number;
  /** Relative gap the HiGHS solve stops at (default 0.001); the reported gap is re-proven for the whole plan. */
  masterGap?: number;
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
  /** Groups of the load-duration curve the commitment master plans against (default 24). */
  masterBins?: number;
}

/** optimal: gap ~0; within-gap: gap <= targetGap; above-target-gap: proven gap larger; heuristic-fallback: HiGHS gave no answer. */
export type SolverStatus = 'optimal' | 'within-gap' | 'above-target-gap' | 'heuristic-fallback';

export interface SolverReport {
  status: SolverStatus;
  /** (objective - lower bound) / objective, proven for the plan returned. */
  gap: number;
  ms: number;
  /** Of which in the HiGHS solve. */
  masterMs: number;
  objective: number;
  lowerBound: number;
  /** How the HiGHS commitment master ended ('skipped' when no solver was given). */
  master: MasterStatus | 'skipped';
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
  masterGap: number;
  targetGap: number;
  scenarioCount: number;
  unmetPenalty: { cpu: number; memory: number };
  spotInterruptionsPerHour: number;
  nodeLimitPerStep: number;
  masterBins: number;
}

/**
 * Chooses what to buy: a committed baseline (constant for the timeframe, paid every hour used or not) and
 * per-step on-demand and spot counts, covering the service-level quantile of CPU and memory at every step,
 * at least cost plus a penalty for expected unmet demand, with spot interruptions priced in.
 *
 * 1. Offers the constraints allow, with dominated ones pruned (exactly: one-for-one swaps).
 * 2. HiGHS MILP: integer commitment counts against continuous per-step recourse for each group of identical
 *    steps (the load-duration curve with its time order dropped). Its dual bound is a lower bound.
 * 3. Per distinct step, an exact branch and bound for the integer on-demand/spot counts over the
 *    commitments chosen.
 * 4. A second lower bound: the per-step integer problems with commitments priced by the hour (free to
 *    change every hour) - a relaxation of the true problem, tight when demand is small.
 * The gap reported is against the larger bound. Without HiGHS (or when it fails) step 2 is skipped: no
 * commitments are bought, which is always feasible, and step 3 still gives an exact per-step plan.
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
    masterGap: options.masterGap ?? 0.001,
    targetGap: options.targetGap ?? 0.01,
    scenarioCount: options.scenarioCount ?? 20,
    unmetPenalty: options.unmetPenalty ?? { cpu: 0.1, memory: 0.0125 },
    spotInterruptionsPerHour: options.spotInterruptionsPerHour ?? 0.05,
    nodeLimitPerStep: options.nodeLimitPerStep ?? 500,
    masterBins: options.masterBins ?? 24,
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

  const stepProblem = (stepClass: GroupedSteps, fixed: { vcpu: number; memoryGiB: number; instances: number }) => ({
    required: stepClass.step.required,
    tail: stepClass.step.tail,
    scenarioCount: settings.scenarioCount,
    minInstances: constraints.minInstances,
    maxSpotShare: constraints.maxSpotShare,
    penalty: settings.unmetPenalty,
    fixed,
  });

  // 2. Commitments (HiGHS).
  let master: MasterStatus | 'skipped' = 'skipped';
  let masterBound = 0;
  let commitmentCounts = commitmentOffers.map(() => 0);
  const masterStarted = performance.now();
  if (highs) {
    const result = solveCommitmentMaster(highs, {
      commitments: commitmentOffers.map(asOption),
      hourly: hourlyOffers.map(asOption),
      classes: loadDurationBins(classes, settings.masterBins, peak),
      hours,
      scenarioCount: settings.scenarioCount,
      minInstances: constraints.minInstances,
      maxSpotShare: constraints.maxSpotShare,
      penalty: settings.unmetPenalty,
      timeLimitSeconds: settings.timeLimitMs / 1000,
      relativeGap: settings.masterGap,
    });
    master = result.status;
    if (result.status === 'infeasible') throw new InfeasiblePlanError('the linear relaxation is infeasible');
    if (result.commitmentCounts.length === commitmentOffers.length) {
      commitmentCounts = result.commitmentCounts;
      masterBound = result.lowerBound;
    }
  }
  const masterMs = performance.now() - masterStarted;
  const fixed = commitmentOffers.reduce(
    (sum, offer, k) => {
      const count = commitmentCounts[k] ?? 0;
      return { vcpu: sum.vcpu + count * offer.vcpu, memoryGiB: sum.memoryGiB + count * offer.memoryGiB, instances: sum.instances + count };
    },
    { vcpu: 0, memoryGiB: 0, instances: 0 },
  );

  // 3. Per-step integer counts over the chosen commitments.
  // The per-step search proves optimality to half the target gap: enough, and much faster than exact.
  const searchTolerance = settings.targetGap / 2;
  const stepSolver = new StepCoveringSolver(hourlyOffers.map(asOption), settings.nodeLimitPerStep, searchTolerance);
  const solutions = classes.map((stepClass) => stepSolver.solve(stepProblem(stepClass, fixed)));
  solutions.forEach((solution, i) => {
    if (!Number.isFinite(solution.objective))
      throw new InfeasiblePlanError(`no mix of the allowed instances covers step ${classes[i]?.step.index ?? i}`);
  });
  const commitmentHourly = commitmentOffers.reduce((sum, offer, k) => sum + (commitmentCounts[k] ?? 0) * offer.effectiveHourly, 0);
  const objective = commitmentHourly * hours + solutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.objective, 0);

  // 4. Lower bound with commitments priced by the hour.
  let integerBound: number;
  if (commitmentOffers.length === 0) {
    integerBound = solutions.reduce((sum, s, i) => sum + (classes[i]?.steps.length ?? 0) * s.lowerBound, 0);
  } else {
    const relaxed = orderForSearch([...hourlyOffers, ...commitmentOffers], peak);
    const relaxedSolver = new StepCoveringSolver(relaxed.map(asOption), settings.nodeLimitPerStep, searchTolerance);
    const none = { vcpu: 0, memoryGiB: 0, instances: 0 };
    integerBound = classes.reduce((sum, stepClass) => sum + stepClass.steps.length * relaxedSolver.solve(stepProblem(stepClass, none)).lowerBound, 0);
    // Time in the timeframe without a forecast step still pays for commitments; the bound ignores that (still valid).
  }
  const lowerBound = Math.min(objective, Math.max(masterBound, integerBound));
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
    master === 'skipped' || master === 'error' || (master === 'time-limit' && masterBound === 0)
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
  return {
    plan,
    commitmentTermCost,
    solver: {
      status,
      gap,
      ms: performance.now() - started,
      masterMs,
      objective,
      lowerBound,
      master,
      offers: { candidates: candidates.length, afterPruning: kept.length },
      distinctSteps: classes.length,
    },
  };
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

/**
 * The master sees the load-duration curve in at most `bins` groups of steps (sorted by joint CPU+memory
 * load). A group asks for the smallest CPU and the smallest memory requirement of its steps and carries no
 * penalty, so the master is a relaxation of the real problem and its bound stays valid; with few distinct
 * steps every group is one step and nothing is lost.
 */
function loadDurationBins(groups: readonly GroupedSteps[], bins: number, peak: { cpu: number; memory: number }): StepClass[] {
  if (groups.length <= bins) return groups.map(toMasterClass);
  const load = (g: GroupedSteps) => g.step.required.cpu / peak.cpu + g.step.required.memory / peak.memory;
  const sorted = [...groups].sort((a, b) => load(a) - load(b));
  const total = sorted.reduce((sum, g) => sum + g.steps.length, 0);
  const classes: StepClass[] = [];
  let current: GroupedSteps[] = [];
  let weight = 0;
  const flush = () => {
    if (current.length === 0) return;
    classes.push({
      weight: current.reduce((sum, g) => sum + g.steps.length, 0),
      required: {
        cpu: Math.min(...current.map((g) => g.step.required.cpu)),
        memory: Math.min(...current.map((g) => g.step.required.memory)),
      },
      tailDescending: { cpu: [], memory: [] },
    });
    current = [];
  };
  for (const group of sorted) {
    current.push(group);
    weight += group.steps.length;
    if (weight >= ((classes.length + 1) * total) / bins) flush();
  }
  flush();
  return classes;
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
