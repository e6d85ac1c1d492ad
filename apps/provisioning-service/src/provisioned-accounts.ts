import { Injectable } from '@nestjs/common';
import type { ResourcesProvisioned, ResourcesScaled } from '@clonecast/contracts';
import { resize, toInfrastructurePlan, type InfrastructurePlan } from '@clonecast/provisioning/domain';

/** The infrastructure plan currently in force per account, rebuilt from resources.provisioned/scaled. */
@Injectable()
export class ProvisionedAccounts {
  private readonly plans = new Map<string, InfrastructurePlan>();

  recordProvisioned(requestId: string, event: ResourcesProvisioned): void {
    let plan = toInfrastructurePlan(event.spec, event.plan, requestId);
    for (const group of event.resources.groups) plan = resize(plan, group.name, group.size);
    this.plans.set(event.spec.targetAccountId, plan);
  }

  recordScaled(event: ResourcesScaled): void {
    const plan = this.plans.get(event.accountId);
    if (plan && plan.groups.some((g) => g.name === event.group.name)) {
      this.plans.set(event.accountId, resize(plan, event.group.name, event.size));
    }
  }

  replace(accountId: string, plan: InfrastructurePlan): void {
    this.plans.set(accountId, plan);
  }

  get(accountId: string): InfrastructurePlan | undefined {
    return this.plans.get(accountId);
  }
}
