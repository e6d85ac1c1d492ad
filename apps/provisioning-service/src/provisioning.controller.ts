import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { cloneFailure, topics, type EventOf, type ProvisioningScheduled, type ResourcesScaled } from '@clonecast/contracts';
import { InvalidMessageError, type Outgoing } from '@clonecast/platform/messaging';
import { PlanOnlyDriver, synthesizeTerraformJson } from '@clonecast/provisioning/adapters';
import {
  estimateLeadTimeMinutes,
  provisioningSchedule,
  ProvisioningError,
  toInfrastructurePlan,
} from '@clonecast/provisioning/domain';
import { ProvisionedAccounts } from './provisioned-accounts';
import { PROVISIONING_ENV, type ProvisioningEnv } from './provisioning-env';

@Controller()
export class ProvisioningController {
  constructor(
    private readonly driver: PlanOnlyDriver,
    private readonly accounts: ProvisionedAccounts,
    @Inject(PROVISIONING_ENV) private readonly env: ProvisioningEnv,
  ) {}

  /** Provisions now when activation is within one lead time, otherwise schedules the work. */
  @EventPattern(topics.allocationPlanned.name)
  async onAllocationPlanned(@Payload() event: EventOf<'allocationPlanned'>): Promise<Outgoing[]> {
    const { spec, plan } = event.data;
    const now = new Date();
    try {
      const infrastructure = toInfrastructurePlan(spec, plan, event.requestId);
      const leadTimeMinutes = estimateLeadTimeMinutes(infrastructure.groups);
      const schedule = provisioningSchedule(spec, leadTimeMinutes, now);
      if (schedule.startAt.getTime() <= now.getTime()) {
        const resources = await this.driver.provision(infrastructure, { artifactsDir: this.env.ARTIFACTS_DIR, now });
        return [{ topic: topics.resourcesProvisioned, data: { spec, plan, resources } }];
      }
      synthesizeTerraformJson(infrastructure); // fail now, not at start time, if the plan cannot be realised
      const job: ProvisioningScheduled = {
        requestId: event.requestId,
        spec,
        plan,
        startAt: schedule.startAt.toISOString(),
        readyAt: schedule.readyAt.toISOString(),
        leadTimeMinutes,
      };
      return [{ topic: topics.provisioningScheduled, data: job }];
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      return [{ topic: topics.cloneFailed, data: cloneFailure(spec, 'provisioning', error.code, error.message) }];
    }
  }

  @EventPattern(topics.scalingDecided.name)
  async onScalingDecided(@Payload() event: EventOf<'scalingDecided'>): Promise<Outgoing[]> {
    const { accountId, group, toSize } = event.data;
    const plan = this.accounts.get(accountId);
    if (!plan) throw new InvalidMessageError(`no provisioned resources for account ${accountId}`);
    if (!plan.groups.some((g) => g.name === group.name)) throw new InvalidMessageError(`account ${accountId} has no instance group ${group.name}`);
    const applied = await this.driver.applyResize(plan, group.name, toSize, { artifactsDir: this.env.ARTIFACTS_DIR });
    this.accounts.replace(accountId, applied.plan);
    const scaled: ResourcesScaled = { accountId, decisionId: event.id, group, size: toSize, artifactPath: applied.artifactPath, scaledAt: new Date().toISOString() };
    return [{ topic: topics.resourcesScaled, data: scaled }];
  }
}
