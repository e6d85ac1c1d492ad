import { topics } from '@clonecast/contracts';
import { aCloneSpec, anAllocationPlan, buildEnvelope } from '@clonecast/platform/testing';
import { CloningController } from './cloning.controller';
import { CloningState } from './cloning-state';

const ARTIFACT = { driver: 'plan-only', artifactPath: '/tmp/a.tf.json', artifactSha256: 'a'.repeat(64), startedAt: '2025-10-29T00:00:00.000Z', readyAt: '2025-10-29T00:10:00.000Z', leadTimeMinutes: 10, groups: [] };

function provisioned(configVersion?: number) {
  const spec = aCloneSpec(configVersion ? { configVersion } : {});
  return buildEnvelope('resourcesProvisioned', { spec, plan: anAllocationPlan(), resources: ARTIFACT });
}

describe('CloningController', () => {
  // Kafka-facing members are only used at bootstrap, which these tests do not run.
  const state = new CloningState(undefined as never, undefined as never, undefined as never, undefined as never);
  const controller = new CloningController(state);

  it('restores the latest source configuration onto the clone and completes', async () => {
    const event = provisioned();
    const source = event.data.spec.sourceAccountId;
    state.configs.record({ accountId: source, version: 1, createdAt: '2025-01-01T00:00:00Z', config: { settings: { tier: 'silver' } } });
    state.configs.record({ accountId: source, version: 2, createdAt: '2025-02-01T00:00:00Z', config: { storageCapacityGiB: 50, settings: { tier: 'gold' } } });
    const [config, completed] = await controller.onResourcesProvisioned(event);
    expect(config?.topic).toBe(topics.accountConfig);
    expect(config?.data).toMatchObject({ accountId: event.data.spec.targetAccountId, version: 1, restoredFrom: { accountId: source, version: 2 }, config: { settings: { tier: 'gold' } } });
    expect(completed?.topic).toBe(topics.cloneCompleted);
    expect(completed?.data).toMatchObject({ restoredConfig: { sourceVersion: 2, targetVersion: 1 }, artifactPath: '/tmp/a.tf.json', expectedCost: event.data.plan.expectedCost });
  });

  it('fails the clone when the requested configuration version does not exist', async () => {
    const [out] = await controller.onResourcesProvisioned(provisioned(9));
    expect(out?.topic).toBe(topics.cloneFailed);
    expect(out?.data).toMatchObject({ stage: 'cloning', code: 'CONFIG_VERSION_NOT_FOUND' });
  }, 15_000);
});
