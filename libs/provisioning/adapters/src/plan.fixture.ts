import type { Allocation, AllocationPlan, CloneSpec } from '@clonecast/contracts';
import { toInfrastructurePlan, type InfrastructurePlan, type InstanceGroup } from '@clonecast/provisioning/domain';

// Shared by the specs of this lib only; not exported from index.ts.
export const spec: CloneSpec = {
  sourceAccountId: 'shop-prod',
  targetAccountId: 'shop-clone',
  accountType: 'production',
  applications: ['web'],
  activationAt: '2026-03-01T12:00:00Z',
  timeframeHours: 24,
  serviceLevel: 0.95,
  constraints: { clouds: ['aws', 'azure', 'gcp'], maxSpotShare: 0.5, allowCommitments: false, minInstances: 1 },
};

export function allocation(overrides: Partial<Allocation> = {}): Allocation {
  return {
    cloud: 'gcp',
    region: 'europe-west1',
    instanceType: 'n2-standard-4',
    pricingModel: 'on-demand',
    quantity: 2,
    from: '2026-03-01T12:00:00Z',
    to: '2026-03-02T12:00:00Z',
    vcpu: 4,
    memoryGiB: 16,
    hourlyPrice: 0.19,
    ...overrides,
  };
}

export function planOf(allocations: Allocation[]): InfrastructurePlan {
  const plan: AllocationPlan = {
    planner: 'test@1',
    catalogVersion: 'c1',
    catalogAgeDays: 0,
    currency: 'USD',
    expectedCost: 100,
    costQuantiles: { '0.5': 100 },
    expectedUnmetDemand: { cpu: 0, memory: 0 },
    required: { cpu: 8, memory: 32 },
    allocations,
  };
  return toInfrastructurePlan(spec, plan, 'req-1');
}

/** One on-demand group of 2 and one spot group of 3, both in europe-west1. */
export const mixedPlan = planOf([
  allocation(),
  allocation({ pricingModel: 'spot', instanceType: 'e2-standard-2', quantity: 3 }),
]);

/**
 * One group per cloud and AWS region: gcp on-demand, aws spot on Graviton in eu-west-1, aws on-demand in
 * us-east-1, azure on-demand in westeurope.
 */
export const multiCloudAllocations: Allocation[] = [
  allocation(),
  allocation({ cloud: 'aws', region: 'eu-west-1', instanceType: 'm7g.large', pricingModel: 'spot', quantity: 3 }),
  allocation({ cloud: 'aws', region: 'us-east-1', instanceType: 'm6i.xlarge', quantity: 1 }),
  allocation({ cloud: 'azure', region: 'westeurope', instanceType: 'Standard_D4s_v5', quantity: 4 }),
];
export const multiCloudPlan = planOf(multiCloudAllocations);

export function groupOf(plan: InfrastructurePlan, pricingModel: 'on-demand' | 'spot'): InstanceGroup {
  const group = plan.groups.find((g) => g.pricingModel === pricingModel);
  if (!group) throw new Error(`fixture plan has no ${pricingModel} group`);
  return group;
}
