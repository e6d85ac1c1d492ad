import { provisionedResourcesSchema } from '@clonecast/contracts';
import { UnknownInstanceGroupError } from '@clonecast/provisioning/domain';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanOnlyDriver } from './plan-only-driver';
import { groupOf, mixedPlan, multiCloudPlan } from './plan.fixture';

describe('PlanOnlyDriver', () => {
  let artifactsDir: string;
  beforeEach(async () => {
    artifactsDir = await mkdtemp(join(tmpdir(), 'clonecast-plan-only-'));
  });
  afterEach(async () => {
    await rm(artifactsDir, { recursive: true, force: true });
  });

  it('stores the Terraform artifact and reports the groups as provisioned by activation', async () => {
    const resources = await new PlanOnlyDriver().provision(mixedPlan, { artifactsDir, now: new Date('2026-03-01T08:00:00Z') });

    expect(provisionedResourcesSchema.safeParse(resources).success).toBe(true);
    expect(resources).toMatchObject({
      driver: 'plan-only',
      // 5 base + 2 groups * 2 + 5 instances * 0.1 = 9.5, rounded up
      leadTimeMinutes: 10,
      startedAt: '2026-03-01T11:50:00.000Z',
      readyAt: '2026-03-01T12:00:00.000Z',
    });
    expect(resources.groups).toEqual(
      mixedPlan.groups.map((g) => ({ name: g.name, cloud: 'gcp', region: 'europe-west1', instanceType: g.instanceType, pricingModel: g.pricingModel, size: g.size })),
    );

    const stored = await readFile(resources.artifactPath, 'utf8');
    expect(createHash('sha256').update(stored).digest('hex')).toBe(resources.artifactSha256);
    expect(resources.artifactPath.startsWith(artifactsDir)).toBe(true);
    expect(JSON.parse(stored)).toHaveProperty('resource.google_compute_instance_group_manager');
  });

  it('starts now and is ready after activation when called too late', async () => {
    const resources = await new PlanOnlyDriver().provision(mixedPlan, { artifactsDir, now: new Date('2026-03-01T11:55:00Z') });
    expect(resources.startedAt).toBe('2026-03-01T11:55:00.000Z');
    expect(resources.readyAt).toBe('2026-03-01T12:05:00.000Z');
  });

  it('provisioning the same plan twice stores one artifact', async () => {
    const driver = new PlanOnlyDriver();
    const now = new Date('2026-03-01T08:00:00Z');
    const first = await driver.provision(mixedPlan, { artifactsDir, now });
    const second = await driver.provision(mixedPlan, { artifactsDir, now });
    expect(second.artifactPath).toBe(first.artifactPath);
    expect(await readdir(artifactsDir)).toHaveLength(1);
  });

  it('applies a resize as a new artifact with the new target size', async () => {
    const driver = new PlanOnlyDriver();
    const provisioned = await driver.provision(mixedPlan, { artifactsDir, now: new Date('2026-03-01T08:00:00Z') });
    const spot = groupOf(mixedPlan, 'spot');
    const applied = await driver.applyResize(mixedPlan, spot.name, 6, { artifactsDir });

    expect(applied.artifactPath).not.toBe(provisioned.artifactPath);
    expect(groupOf(applied.plan, 'spot').size).toBe(6);
    expect(groupOf(applied.plan, 'on-demand').size).toBe(2);
    const tf = JSON.parse(await readFile(applied.artifactPath, 'utf8')) as {
      resource: { google_compute_instance_group_manager: Record<string, { name: string; target_size: number }> };
    };
    const manager = Object.values(tf.resource.google_compute_instance_group_manager).find((m) => m.name === spot.name);
    expect(manager?.target_size).toBe(6);
  });

  it('rejects resizing an unknown group without writing anything', async () => {
    await expect(new PlanOnlyDriver().applyResize(mixedPlan, 'cc-nope-00000000', 1, { artifactsDir })).rejects.toThrow(UnknownInstanceGroupError);
    expect(await readdir(artifactsDir)).toEqual([]);
  });

  it('stores one artifact for a plan spanning GCP, AWS and Azure, and reports every group', async () => {
    const resources = await new PlanOnlyDriver().provision(multiCloudPlan, { artifactsDir, now: new Date('2026-03-01T08:00:00Z') });

    expect(resources.groups.map((g) => g.cloud)).toEqual(['aws', 'aws', 'azure', 'gcp']);
    const stored = JSON.parse(await readFile(resources.artifactPath, 'utf8')) as { resource: Record<string, unknown> };
    expect(Object.keys(stored.resource).sort()).toEqual([
      'aws_autoscaling_group',
      'aws_launch_template',
      'azurerm_linux_virtual_machine_scale_set',
      'azurerm_resource_group',
      'google_compute_instance_group_manager',
      'google_compute_instance_template',
    ]);
    expect(await readdir(artifactsDir)).toHaveLength(1);
  });
});
