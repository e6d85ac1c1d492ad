import { provisionedResourcesSchema, type ProvisionedResources } from '@clonecast/contracts';
import {
  estimateLeadTimeMinutes,
  provisioningSchedule,
  resize,
  type InfrastructurePlan,
} from '@clonecast/provisioning/domain';
import { ArtifactStore } from './artifact-store';
import { synthesizeTerraformJson } from './cdktf-synthesizer';

export interface ProvisionOptions {
  readonly artifactsDir: string;
  readonly now: Date;
}

export interface ResizeOptions {
  readonly artifactsDir: string;
}

export interface AppliedResize {
  /** The plan with the group at its new size. */
  readonly plan: InfrastructurePlan;
  readonly artifactPath: string;
  readonly artifactSha256: string;
}

/**
 * Produces and stores the Terraform artifact for a plan and reports it as provisioned; it never calls a
 * cloud, so demos and tests run the whole pipeline offline.
 */
export class PlanOnlyDriver {
  static readonly driver = 'plan-only';

  constructor(private readonly store: ArtifactStore = new ArtifactStore()) {}

  async provision(plan: InfrastructurePlan, { artifactsDir, now }: ProvisionOptions): Promise<ProvisionedResources> {
    const { json, sha256 } = synthesizeTerraformJson(plan);
    const path = await this.store.write(json, sha256, { dir: artifactsDir });
    const leadTimeMinutes = estimateLeadTimeMinutes(plan.groups);
    const schedule = provisioningSchedule(plan, leadTimeMinutes, now);
    // Parsing checks our output against the contract before anyone consumes it.
    return provisionedResourcesSchema.parse({
      driver: PlanOnlyDriver.driver,
      artifactPath: path,
      artifactSha256: sha256,
      startedAt: schedule.startAt.toISOString(),
      readyAt: schedule.readyAt.toISOString(),
      leadTimeMinutes,
      groups: plan.groups.map(({ name, cloud, region, instanceType, pricingModel, size }) => ({
        name,
        cloud,
        region,
        instanceType,
        pricingModel,
        size,
      })),
    });
  }

  /** Applies a scaling decision: the resized plan's artifact replaces the previous one. */
  async applyResize(
    plan: InfrastructurePlan,
    groupName: string,
    size: number,
    { artifactsDir }: ResizeOptions,
  ): Promise<AppliedResize> {
    const resized = resize(plan, groupName, size);
    const { json, sha256 } = synthesizeTerraformJson(resized);
    const path = await this.store.write(json, sha256, { dir: artifactsDir });
    return { plan: resized, artifactPath: path, artifactSha256: sha256 };
  }
}
