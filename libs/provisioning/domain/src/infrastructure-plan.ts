import { createHash } from 'node:crypto';
import type { Allocation, AllocationPlan, CloneSpec, Cloud, PricingModel } from '@clonecast/contracts';
import { InvalidGroupSizeError, NoActiveAllocationsError, UnknownInstanceGroupError } from './errors';

/** Labels every clonecast resource carries, so the clone can be found and billed per request. */
export interface InstanceGroupLabels {
  readonly 'clonecast-account': string;
  readonly 'clonecast-request': string;
  readonly 'clonecast-source': string;
}

/** A homogeneous set of instances: one per (cloud, region, instanceType, pricingModel) of the plan. */
export interface InstanceGroup {
  /** `cc-<targetAccountId>-<shortHash>`, valid as a GCP resource name. */
  readonly name: string;
  readonly cloud: Cloud;
  readonly region: string;
  /** Zone the group runs in on zonal clouds (gcp, aws); null on azure, whose scale sets are regional. */
  readonly zone: string | null;
  /** Machine type (GCP), instance type (AWS) or VM size (Azure). */
  readonly instanceType: string;
  readonly pricingModel: PricingModel;
  readonly spot: boolean;
  readonly size: number;
  readonly labels: InstanceGroupLabels;
}

/** What to build for one clone: the cloud-neutral input of every provisioning adapter. */
export interface InfrastructurePlan {
  readonly requestId: string;
  readonly sourceAccountId: string;
  readonly targetAccountId: string;
  readonly activationAt: string;
  readonly groups: readonly InstanceGroup[];
}

const NAME_PREFIX = 'cc';
const SHORT_HASH_LENGTH = 8;
// 53 leaves room for GCP's limits on derived names: MIG instances append "-xxxx" (base name <= 58), template prefixes <= 54.
export const MAX_GROUP_NAME_LENGTH = 53;
const LABEL_VALUE_MAX_LENGTH = 63;

type GroupKey = Pick<Allocation, 'cloud' | 'region' | 'instanceType' | 'pricingModel'>;

/**
 * Derives the instance groups of a clone from its allocation plan.
 * A group's size is the peak number of its instances running at the same time, over the allocations
 * still running at or after activation: the plan-only baseline holds the peak size, and resizing per
 * step is the scaling service's job.
 */
export function toInfrastructurePlan(spec: CloneSpec, plan: AllocationPlan, requestId: string): InfrastructurePlan {
  const activation = Date.parse(spec.activationAt);
  const active = plan.allocations.filter((a) => Date.parse(a.to) > activation);
  if (active.length === 0) throw new NoActiveAllocationsError(spec.targetAccountId, spec.activationAt);

  const byKey = new Map<string, { key: GroupKey; allocations: Allocation[] }>();
  for (const allocation of active) {
    const id = groupKey(allocation);
    const entry = byKey.get(id) ?? { key: allocation, allocations: [] };
    entry.allocations.push(allocation);
    byKey.set(id, entry);
  }

  const labels: InstanceGroupLabels = {
    'clonecast-account': toLabelValue(spec.targetAccountId),
    'clonecast-request': toLabelValue(requestId),
    'clonecast-source': toLabelValue(spec.sourceAccountId),
  };
  const groups = [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([, { key, allocations }]): InstanceGroup => ({
        name: instanceGroupName(spec.targetAccountId, key),
        cloud: key.cloud,
        region: key.region,
        zone: defaultZone(key.cloud, key.region),
        instanceType: key.instanceType,
        pricingModel: key.pricingModel,
        spot: key.pricingModel === 'spot',
        size: peakConcurrentQuantity(allocations),
        labels,
      }),
    );

  return {
    requestId,
    sourceAccountId: spec.sourceAccountId,
    targetAccountId: spec.targetAccountId,
    activationAt: spec.activationAt,
    groups,
  };
}

/** Returns a copy of the plan with one group at a new size (a scaling decision). */
export function resize(plan: InfrastructurePlan, groupName: string, size: number): InfrastructurePlan {
  if (!Number.isInteger(size) || size < 0) throw new InvalidGroupSizeError(groupName, size);
  if (!plan.groups.some((g) => g.name === groupName)) throw new UnknownInstanceGroupError(groupName);
  return { ...plan, groups: plan.groups.map((g) => (g.name === groupName ? { ...g, size } : g)) };
}

/**
 * Deterministic per (target account, group key), so re-provisioning the same account updates the same
 * resources. The hash covers the raw account id, so ids that sanitise alike still get distinct names.
 */
export function instanceGroupName(targetAccountId: string, key: GroupKey): string {
  const hash = shortHash(`${targetAccountId}|${groupKey(key)}`);
  const room = MAX_GROUP_NAME_LENGTH - NAME_PREFIX.length - SHORT_HASH_LENGTH - 2;
  const account = targetAccountId.replace(/[^a-z0-9-]/g, '-').slice(0, room);
  return `${NAME_PREFIX}-${account}-${hash}`;
}

function groupKey(key: GroupKey): string {
  return [key.cloud, key.region, key.instanceType, key.pricingModel].join('|');
}

// Zone "a" exists in every GCP and AWS region; the names differ only by the dash.
function defaultZone(cloud: Cloud, region: string): string | null {
  switch (cloud) {
    case 'gcp':
      return `${region}-a`;
    case 'aws':
      return `${region}a`;
    case 'azure':
      return null;
  }
}

/** Windows are half-open [from, to): an allocation ending when another starts never overlaps it. */
function peakConcurrentQuantity(allocations: readonly Allocation[]): number {
  const changes = allocations
    .flatMap((a) => [
      { at: Date.parse(a.from), delta: a.quantity },
      { at: Date.parse(a.to), delta: -a.quantity },
    ])
    .sort((x, y) => x.at - y.at || x.delta - y.delta);
  let running = 0;
  let peak = 0;
  for (const change of changes) {
    running += change.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}

// GCP label values are the strictest of the three clouds: lowercase, digits, "_" and "-", at most 63 chars.
function toLabelValue(value: string): string {
  const sanitized = value.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  if (sanitized.length <= LABEL_VALUE_MAX_LENGTH) return sanitized;
  const hash = shortHash(value);
  return `${sanitized.slice(0, LABEL_VALUE_MAX_LENGTH - SHORT_HASH_LENGTH - 1)}-${hash}`;
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, SHORT_HASH_LENGTH);
}
