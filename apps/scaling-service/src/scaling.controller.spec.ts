import { topics, type ResourceDemand } from '@clonecast/contracts';
import { aCloneSpec, aForecast, anAllocation, anAllocationPlan, buildEnvelope } from '@clonecast/platform/testing';
import { ManagedAccounts } from './managed-accounts';
import { ScalingController } from './scaling.controller';

const policy = { upThreshold: 0.2, downThreshold: 0.3, hysteresis: 2, cooldownMinutes: 15, minSize: 1, maxSize: 20, targetUtilisation: 0.7 };

function setup() {
  const accounts = new ManagedAccounts(undefined as never, undefined as never, undefined as never, undefined as never);
  const spec = aCloneSpec();
  const forecast = aForecast({ start: spec.activationAt });
  accounts.recordForecast({ spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast });
  const allocation = anAllocation({ from: spec.activationAt });
  accounts.recordProvisioned({
    spec,
    plan: anAllocationPlan({ allocations: [allocation] }),
    resources: { driver: 'plan-only', artifactPath: '/tmp/x.tf.json', artifactSha256: 'b'.repeat(64), startedAt: spec.activationAt, readyAt: spec.activationAt, leadTimeMinutes: 5,
      groups: [{ name: 'cc-group', cloud: allocation.cloud, region: allocation.region, instanceType: allocation.instanceType, pricingModel: allocation.pricingModel, size: allocation.quantity }] },
  });
  return { controller: new ScalingController(accounts, policy), spec, forecast };
}

function usage(accountId: string, at: string, usage: ResourceDemand) {
  return buildEnvelope('usageObserved', { accountId, observedAt: at, intervalMinutes: 5, usage });
}

describe('ScalingController', () => {
  it('scales up after the hysteresis when usage stays well above the forecast median', () => {
    const { controller, spec, forecast } = setup();
    const at = forecast.timestamps[10] as string;
    const heavy = { cpu: 40, memory: 150, storage: 10, network: 10 };
    expect(controller.onUsageObserved(usage(spec.targetAccountId, at, heavy))).toEqual([]);
    const [out] = controller.onUsageObserved(usage(spec.targetAccountId, at, heavy));
    expect(out?.topic).toBe(topics.scalingDecided);
    expect(out?.data).toMatchObject({ accountId: spec.targetAccountId, direction: 'up', fromSize: 3, group: { name: 'cc-group' } });
    expect((out?.data as { toSize: number }).toSize).toBeGreaterThan(3);
  });

  it('ignores usage of accounts it does not manage', () => {
    const { controller } = setup();
    expect(controller.onUsageObserved(usage('someone-else', '2025-10-29T10:00:00Z', { cpu: 99, memory: 99, storage: 1, network: 1 }))).toEqual([]);
  });
});
