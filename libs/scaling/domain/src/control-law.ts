import type { Cloud, PricingModel, ResourceDemand } from '@clonecast/contracts';
import { InvalidInstanceGroupError, InvalidInstantError, InvalidScalingPolicyError } from './errors';

/** An instance group as the control loop sees it: where it runs, how big it is and what one instance holds. */
export interface InstanceGroup {
  readonly name: string;
  readonly cloud: Cloud;
  readonly region: string;
  readonly instanceType: string;
  readonly pricingModel: PricingModel;
  readonly size: number;
  /** vCPU per instance. */
  readonly vcpu: number;
  /** GiB per instance. */
  readonly memoryGiB: number;
}

export interface ScalingPolicy {
  /** Relative deviation above the forecast median that counts as "too high", e.g. 0.2 for +20%. */
  readonly upThreshold: number;
  /** Relative deviation below the forecast median that counts as "too low", e.g. 0.3 for -30%. */
  readonly downThreshold: number;
  /** Consecutive deviating observations, in one direction, required before acting. */
  readonly hysteresis: number;
  /** Minutes after a decision during which no further decision is made. */
  readonly cooldownMinutes: number;
  readonly minSize: number;
  readonly maxSize: number;
  /** Share of each instance's vCPU and memory the new size aims to use, in (0, 1]. */
  readonly targetUtilisation: number;
}

/** What the control loop remembers about one group between observations. */
export interface ControlState {
  readonly consecutiveUp: number;
  readonly consecutiveDown: number;
  /** ISO-8601 instant of the last decision, for the cooldown. */
  readonly lastDecisionAt?: string;
}

export const INITIAL_CONTROL_STATE: ControlState = { consecutiveUp: 0, consecutiveDown: 0 };

export interface Observation {
  /** ISO-8601 instant the usage was observed. */
  readonly at: string;
  readonly usage: ResourceDemand;
}

/** The instance count follows from vCPU and memory only, so only they can trigger a resize. */
export const SIZED_METRICS = ['cpu', 'memory'] as const;
export type SizedMetric = (typeof SIZED_METRICS)[number];

export type ScalingDirection = 'up' | 'down';

export interface MetricDeviation {
  readonly metric: SizedMetric;
  readonly observed: number;
  readonly forecastMedian: number;
  /** (observed - median) / median; +Infinity when the median is 0 and usage is not. */
  readonly relative: number;
}

export interface ScalingDecision {
  readonly direction: ScalingDirection;
  readonly fromSize: number;
  readonly toSize: number;
  readonly reason: string;
  readonly decidedAt: string;
  /** Deviations of every sized metric at the deciding observation. */
  readonly deviations: readonly MetricDeviation[];
}

export interface ControlOutcome {
  readonly state: ControlState;
  readonly decision: ScalingDecision | null;
}

const UNITS: Record<SizedMetric, string> = { cpu: 'vCPU', memory: 'GiB' };

/** Float noise tolerated before rounding up, so load exactly at the target does not add an instance. */
const SIZE_EPSILON = 1e-9;

/**
 * The control law. An observation deviates upwards when any sized metric exceeds its forecast median
 * by more than `upThreshold`, and downwards when every sized metric is below it by more than
 * `downThreshold` (shrinking on cpu alone would starve memory). A decision is made once the same
 * direction has held for `hysteresis` consecutive observations, outside the cooldown, and only when
 * the size needed for `targetUtilisation` (clamped to [minSize, maxSize]) moves in that direction.
 */
export function decideScaling(
  state: ControlState,
  group: InstanceGroup,
  observation: Observation,
  forecastMedian: ResourceDemand,
  policy: ScalingPolicy,
): ControlOutcome {
  validatePolicy(policy);
  validateGroup(group);
  const atMs = Date.parse(observation.at);
  if (Number.isNaN(atMs)) throw new InvalidInstantError('observation.at', observation.at);

  const deviations = SIZED_METRICS.map((metric) => deviationOf(metric, observation.usage, forecastMedian));
  const direction = deviationDirection(deviations, policy);
  const consecutiveUp = direction === 'up' ? state.consecutiveUp + 1 : 0;
  const consecutiveDown = direction === 'down' ? state.consecutiveDown + 1 : 0;
  const counted: ControlState = { ...state, consecutiveUp, consecutiveDown };
  if (direction === undefined) return { state: counted, decision: null };

  const streak = direction === 'up' ? consecutiveUp : consecutiveDown;
  if (streak < policy.hysteresis || inCooldown(state, atMs, policy)) return { state: counted, decision: null };

  const fromSize = group.size;
  const toSize = requiredSize(observation.usage, group, policy);
  // Never shrink on an upward surprise nor grow on a downward one.
  if (direction === 'up' ? toSize <= fromSize : toSize >= fromSize) return { state: counted, decision: null };

  const decision: ScalingDecision = {
    direction,
    fromSize,
    toSize,
    reason: reasonFor(direction, deviations, streak, group, policy, fromSize, toSize),
    decidedAt: observation.at,
    deviations,
  };
  return { state: { consecutiveUp: 0, consecutiveDown: 0, lastDecisionAt: observation.at }, decision };
}

/** Instances needed to run `usage` at the target utilisation, clamped to the policy bounds. */
export function requiredSize(usage: ResourceDemand, group: InstanceGroup, policy: ScalingPolicy): number {
  const byCpu = usage.cpu / (group.vcpu * policy.targetUtilisation);
  const byMemory = usage.memory / (group.memoryGiB * policy.targetUtilisation);
  const needed = Math.ceil(Math.max(byCpu, byMemory) - SIZE_EPSILON);
  return Math.min(policy.maxSize, Math.max(policy.minSize, needed));
}

function deviationOf(metric: SizedMetric, usage: ResourceDemand, median: ResourceDemand): MetricDeviation {
  const observed = usage[metric];
  const forecastMedian = median[metric];
  let relative: number;
  if (forecastMedian > 0) relative = (observed - forecastMedian) / forecastMedian;
  else relative = observed > 0 ? Number.POSITIVE_INFINITY : 0;
  return { metric, observed, forecastMedian, relative };
}

function deviationDirection(
  deviations: readonly MetricDeviation[],
  policy: ScalingPolicy,
): ScalingDirection | undefined {
  if (deviations.some((d) => d.relative > policy.upThreshold)) return 'up';
  if (deviations.every((d) => d.relative < -policy.downThreshold)) return 'down';
  return undefined;
}

function inCooldown(state: ControlState, atMs: number, policy: ScalingPolicy): boolean {
  if (state.lastDecisionAt === undefined) return false;
  const lastMs = Date.parse(state.lastDecisionAt);
  if (Number.isNaN(lastMs)) throw new InvalidInstantError('state.lastDecisionAt', state.lastDecisionAt);
  return atMs - lastMs < policy.cooldownMinutes * 60_000;
}

function reasonFor(
  direction: ScalingDirection,
  deviations: readonly MetricDeviation[],
  streak: number,
  group: InstanceGroup,
  policy: ScalingPolicy,
  fromSize: number,
  toSize: number,
): string {
  const triggering = direction === 'up' ? deviations.filter((d) => d.relative > policy.upThreshold) : deviations;
  const observations = streak === 1 ? 'observation' : 'consecutive observations';
  return (
    `${triggering.map(describeDeviation).join('; ')} for ${streak} ${observations}: ` +
    `${group.name} ${fromSize} -> ${toSize} instances of ${group.vcpu} vCPU / ${group.memoryGiB} GiB ` +
    `at ${formatNumber(policy.targetUtilisation * 100)}% target utilisation`
  );
}

function describeDeviation(d: MetricDeviation): string {
  const unit = UNITS[d.metric];
  const observed = `${d.metric} ${formatNumber(d.observed)} ${unit}`;
  if (!Number.isFinite(d.relative)) return `${observed} against a forecast median of 0 ${unit}`;
  const side = d.relative >= 0 ? 'above' : 'below';
  return `${observed} is ${(Math.abs(d.relative) * 100).toFixed(1)}% ${side} the forecast median of ${formatNumber(d.forecastMedian)} ${unit}`;
}

function formatNumber(value: number): string {
  return String(Number(value.toFixed(2)));
}

function validatePolicy(policy: ScalingPolicy): void {
  const problems: string[] = [];
  if (!(policy.upThreshold > 0 && Number.isFinite(policy.upThreshold))) problems.push('upThreshold must be > 0');
  if (!(policy.downThreshold > 0 && policy.downThreshold < 1)) problems.push('downThreshold must be in (0, 1)');
  if (!(Number.isInteger(policy.hysteresis) && policy.hysteresis >= 1)) problems.push('hysteresis must be an integer >= 1');
  if (!(policy.cooldownMinutes >= 0 && Number.isFinite(policy.cooldownMinutes))) {
    problems.push('cooldownMinutes must be >= 0');
  }
  if (!(Number.isInteger(policy.minSize) && policy.minSize >= 0)) problems.push('minSize must be an integer >= 0');
  if (!(Number.isInteger(policy.maxSize) && policy.maxSize >= Math.max(1, policy.minSize))) {
    problems.push('maxSize must be an integer >= max(1, minSize)');
  }
  if (!(policy.targetUtilisation > 0 && policy.targetUtilisation <= 1)) {
    problems.push('targetUtilisation must be in (0, 1]');
  }
  if (problems.length > 0) throw new InvalidScalingPolicyError(`invalid scaling policy: ${problems.join('; ')}`);
}

function validateGroup(group: InstanceGroup): void {
  const problems: string[] = [];
  if (!(Number.isInteger(group.size) && group.size >= 0)) problems.push('size must be an integer >= 0');
  if (!(group.vcpu > 0 && Number.isFinite(group.vcpu))) problems.push('vcpu must be > 0');
  if (!(group.memoryGiB > 0 && Number.isFinite(group.memoryGiB))) problems.push('memoryGiB must be > 0');
  if (problems.length > 0) {
    throw new InvalidInstanceGroupError(`invalid instance group ${group.name}: ${problems.join('; ')}`);
  }
}
