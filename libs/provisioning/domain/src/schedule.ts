import { InvalidLeadTimeError } from './errors';
import type { InstanceGroup } from './infrastructure-plan';

export interface ProvisioningSchedule {
  /** When provisioning work starts. */
  readonly startAt: Date;
  /** When the resources are expected to be ready. */
  readonly readyAt: Date;
  /** True when starting now still misses activation: readyAt is after activationAt. */
  readonly late: boolean;
}

const MINUTE_MS = 60_000;

/**
 * Lead-time model, first honest version (not fitted to measurements yet):
 * a fixed cost for a Terraform run, a cost per group (template + managed group are created one after
 * the other), and a small cost per instance (a managed group creates its instances in parallel,
 * paced by API quotas), capped because the slowest part, VM boot, does not grow with the count.
 */
export const LEAD_TIME_MODEL = {
  baseMinutes: 5,
  perGroupMinutes: 2,
  perInstanceMinutes: 0.1,
  maxMinutes: 60,
} as const;

/** Whole minutes, rounded up, so a schedule never starts later than the model says. */
export function estimateLeadTimeMinutes(groups: readonly Pick<InstanceGroup, 'size'>[]): number {
  const { baseMinutes, perGroupMinutes, perInstanceMinutes, maxMinutes } = LEAD_TIME_MODEL;
  const instances = groups.reduce((sum, g) => sum + g.size, 0);
  const minutes = baseMinutes + perGroupMinutes * groups.length + perInstanceMinutes * instances;
  return Math.min(maxMinutes, Math.ceil(minutes));
}

/**
 * Work starts one lead time before activation so the resources are ready when the clone goes live;
 * if that moment has already passed, it starts now and the schedule is late.
 */
export function provisioningSchedule(
  spec: { readonly activationAt: string },
  leadTimeMinutes: number,
  now: Date,
): ProvisioningSchedule {
  if (!Number.isFinite(leadTimeMinutes) || leadTimeMinutes < 0) throw new InvalidLeadTimeError(leadTimeMinutes);
  const leadMs = leadTimeMinutes * MINUTE_MS;
  const activation = Date.parse(spec.activationAt);
  const idealStart = activation - leadMs;
  if (idealStart >= now.getTime()) {
    return { startAt: new Date(idealStart), readyAt: new Date(activation), late: false };
  }
  return { startAt: new Date(now.getTime()), readyAt: new Date(now.getTime() + leadMs), late: true };
}
