import type { Allocation, AllocationPlan, CloneSpec } from '@clonecast/contracts';
import { InvalidGroupSizeError, NoActiveAllocationsError, UnknownInstanceGroupError } from './errors';
import { MAX_GROUP_NAME_LENGTH, instanceGroupName, resize, toInfrastructurePlan } from './infrastructure-plan';

const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const spec: CloneSpec = {
  sourceAccountId: 'shop-prod',
  targetAccountId: 'shop-clone.eu_1',
  accountType: 'production',
  applications: ['web'],
  activationAt: '2026-03-01T00:00:00Z',
  timeframeHours: 24,
  serviceLevel: 0.95,
  constraints: { clouds: ['gcp', 'aws'], maxSpotShare: 0.5, allowCommitments: true, minInstances: 1 },
};

function allocation(overrides: Partial<Allocation>): Allocation {
  return {
    cloud: 'gcp',
    region: 'europe-west1',
    instanceType: 'n2-standard-4',
    pricingModel: 'on-demand',
    quantity: 1,
    from: '2026-03-01T00:00:00Z',
    to: '2026-03-02T00:00:00Z',
    vcpu: 4,
    memoryGiB: 16,
    hourlyPrice: 0.19,
    ...overrides,
  };
}

function planOf(allocations: Allocation[]): AllocationPlan {
  return {
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
}

describe('toInfrastructurePlan', () => {
  it('makes one group per cloud, region, instance type and pricing model', () => {
    const infra = toInfrastructurePlan(
      spec,
      planOf([
        allocation({ quantity: 2 }),
        allocation({ quantity: 3, pricingModel: 'spot' }),
        allocation({ quantity: 1, region: 'us-central1' }),
        allocation({ quantity: 1, cloud: 'aws', region: 'eu-west-1', instanceType: 'm6i.xlarge' }),
      ]),
      'req-1',
    );

    expect(infra.groups.map((g) => [g.cloud, g.region, g.instanceType, g.pricingModel, g.size])).toEqual([
      ['aws', 'eu-west-1', 'm6i.xlarge', 'on-demand', 1],
      ['gcp', 'europe-west1', 'n2-standard-4', 'on-demand', 2],
      ['gcp', 'europe-west1', 'n2-standard-4', 'spot', 3],
      ['gcp', 'us-central1', 'n2-standard-4', 'on-demand', 1],
    ]);
    expect(infra).toMatchObject({ requestId: 'req-1', sourceAccountId: 'shop-prod', targetAccountId: 'shop-clone.eu_1' });
  });

  it('places GCP and AWS groups in zone a of their region, Azure ones regionally, marks spot groups, and labels every group', () => {
    const infra = toInfrastructurePlan(
      spec,
      planOf([allocation({ pricingModel: 'spot' }), allocation({ cloud: 'aws', region: 'eu-west-1' }), allocation({ cloud: 'azure', region: 'westeurope' })]),
      'Req.42',
    );
    const gcp = infra.groups.find((g) => g.cloud === 'gcp');
    const aws = infra.groups.find((g) => g.cloud === 'aws');
    const azure = infra.groups.find((g) => g.cloud === 'azure');

    expect(gcp).toMatchObject({ zone: 'europe-west1-a', spot: true });
    expect(aws).toMatchObject({ zone: 'eu-west-1a', spot: false });
    expect(azure).toMatchObject({ zone: null, spot: false });
    expect(gcp?.labels).toEqual({
      'clonecast-account': 'shop-clone_eu_1',
      'clonecast-request': 'req_42',
      'clonecast-source': 'shop-prod',
    });
  });

  it('sizes a group at its peak concurrent quantity over the allocations still running at activation', () => {
    const infra = toInfrastructurePlan(
      spec,
      planOf([
        // ended before activation: ignored
        allocation({ quantity: 50, from: '2026-02-28T00:00:00Z', to: '2026-03-01T00:00:00Z' }),
        allocation({ quantity: 2, from: '2026-02-28T12:00:00Z', to: '2026-03-01T06:00:00Z' }),
        // back-to-back with the next window: never counted together
        allocation({ quantity: 4, from: '2026-03-01T06:00:00Z', to: '2026-03-01T12:00:00Z' }),
        allocation({ quantity: 3, from: '2026-03-01T12:00:00Z', to: '2026-03-01T18:00:00Z' }),
        // overlaps the 3: both run at once
        allocation({ quantity: 2, from: '2026-03-01T14:00:00Z', to: '2026-03-01T16:00:00Z' }),
      ]),
      'req-1',
    );

    expect(infra.groups).toHaveLength(1);
    expect(infra.groups[0]?.size).toBe(5);
  });

  it('rejects a plan whose allocations all end before activation', () => {
    const stale = planOf([allocation({ from: '2026-02-27T00:00:00Z', to: '2026-02-28T00:00:00Z' })]);
    expect(() => toInfrastructurePlan(spec, stale, 'req-1')).toThrow(NoActiveAllocationsError);
  });

  it('is deterministic and independent of allocation order', () => {
    const allocations = [allocation({ quantity: 2 }), allocation({ pricingModel: 'spot' }), allocation({ region: 'us-east1' })];
    const a = toInfrastructurePlan(spec, planOf(allocations), 'req-1');
    const b = toInfrastructurePlan(spec, planOf([...allocations].reverse()), 'req-1');
    expect(b).toEqual(a);
  });
});

describe('instanceGroupName', () => {
  const key = { cloud: 'gcp', region: 'europe-west1', instanceType: 'n2-standard-4', pricingModel: 'spot' } as const;

  it('is cc-<account>-<hash> and a valid GCP resource name', () => {
    const name = instanceGroupName('shop-clone.eu_1', key);
    expect(name).toMatch(/^cc-shop-clone-eu-1-[a-f0-9]{8}$/);
    expect(name).toMatch(GCP_NAME);
    expect(instanceGroupName('shop-clone.eu_1', key)).toBe(name);
  });

  it('differs per group key and per raw account id, even when ids sanitise alike', () => {
    const name = instanceGroupName('shop-clone.eu_1', key);
    expect(instanceGroupName('shop-clone.eu_1', { ...key, pricingModel: 'on-demand' })).not.toBe(name);
    expect(instanceGroupName('shop-clone-eu-1', key)).not.toBe(name);
  });

  it('stays within the length budget for the longest account ids', () => {
    const longest = `9${'x.'.repeat(31)}`;
    const name = instanceGroupName(longest, key);
    expect(name.length).toBeLessThanOrEqual(MAX_GROUP_NAME_LENGTH);
    expect(name).toMatch(GCP_NAME);
  });
});

describe('resize', () => {
  const infra = toInfrastructurePlan(spec, planOf([allocation({ quantity: 2 }), allocation({ pricingModel: 'spot' })]), 'req-1');
  const [onDemand, spot] = infra.groups;

  it('changes only the named group and leaves the original plan untouched', () => {
    const resized = resize(infra, spot?.name ?? '', 7);
    expect(resized.groups.map((g) => g.size)).toEqual([2, 7]);
    expect(resized.groups[0]).toBe(onDemand);
    expect(infra.groups.map((g) => g.size)).toEqual([2, 1]);
  });

  it('allows scaling a group to zero', () => {
    expect(resize(infra, onDemand?.name ?? '', 0).groups[0]?.size).toBe(0);
  });

  it('rejects unknown groups and sizes that are negative or fractional', () => {
    expect(() => resize(infra, 'cc-nope-00000000', 1)).toThrow(UnknownInstanceGroupError);
    expect(() => resize(infra, onDemand?.name ?? '', -1)).toThrow(expect.objectContaining({ code: 'INVALID_GROUP_SIZE' }));
    expect(() => resize(infra, onDemand?.name ?? '', 1.5)).toThrow(InvalidGroupSizeError);
  });
});
