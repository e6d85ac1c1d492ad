import { mkdtempSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { topics } from '@clonecast/contracts';
import { InvalidMessageError } from '@clonecast/platform/messaging';
import { aCloneSpec, anAllocation, anAllocationPlan, buildEnvelope } from '@clonecast/platform/testing';
import { PlanOnlyDriver } from '@clonecast/provisioning/adapters';
import { ProvisionedAccounts } from './provisioned-accounts';
import { ProvisioningController } from './provisioning.controller';

const artifactsDir = mkdtempSync(path.join(os.tmpdir(), 'provisioning-spec-'));
const accounts = new ProvisionedAccounts();
const controller = new ProvisioningController(new PlanOnlyDriver(), accounts, { ARTIFACTS_DIR: artifactsDir });

function planned(activationAt: string) {
  const spec = aCloneSpec({ activationAt });
  const allocation = anAllocation({ cloud: 'gcp', region: 'us-central1', instanceType: 'e2-standard-8', from: activationAt, to: new Date(Date.parse(activationAt) + 24 * 3_600_000).toISOString() });
  return buildEnvelope('allocationPlanned', { spec, plan: anAllocationPlan({ allocations: [allocation] }) });
}

describe('ProvisioningController', () => {
  it('provisions at once when activation is within the lead time, writing the Terraform JSON', async () => {
    const [out] = await controller.onAllocationPlanned(planned(new Date().toISOString()));
    expect(out?.topic).toBe(topics.resourcesProvisioned);
    const { resources } = topics.resourcesProvisioned.schema.parse(out?.data);
    expect(resources.driver).toBe('plan-only');
    expect(resources.artifactPath.startsWith(artifactsDir)).toBe(true);
    expect(existsSync(resources.artifactPath)).toBe(true);
    expect(resources.groups).toEqual([expect.objectContaining({ instanceType: 'e2-standard-8', size: 3 })]);
  });

  it('schedules the work one lead time before a later activation', async () => {
    const activation = new Date(Date.now() + 48 * 3_600_000).toISOString();
    const [out] = await controller.onAllocationPlanned(planned(activation));
    expect(out?.topic).toBe(topics.provisioningScheduled);
    const job = topics.provisioningScheduled.schema.parse(out?.data);
    expect(job.readyAt).toBe(new Date(activation).toISOString());
    expect(Date.parse(job.startAt)).toBe(Date.parse(activation) - job.leadTimeMinutes * 60_000);
  });

  it('dead-letters a scaling decision for an account it never provisioned', async () => {
    const decision = buildEnvelope('scalingDecided', {
      accountId: 'unknown-account',
      decidedAt: new Date().toISOString(),
      direction: 'up',
      group: { name: 'g', cloud: 'gcp', region: 'us-central1', instanceType: 'e2-standard-8', pricingModel: 'on-demand' },
      fromSize: 1,
      toSize: 2,
      reason: 'test',
      observed: { cpu: 1, memory: 1, storage: 1, network: 1 },
      forecastMedian: { cpu: 1, memory: 1, storage: 1, network: 1 },
    });
    await expect(controller.onScalingDecided(decision)).rejects.toBeInstanceOf(InvalidMessageError);
  });
});
