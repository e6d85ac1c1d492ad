import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { topics, type EventOf, type ScalingDecided } from '@clonecast/contracts';
import type { Outgoing } from '@clonecast/platform/messaging';
import { decideScaling, forecastMedianAt, type ScalingPolicy } from '@clonecast/scaling/domain';
import { ManagedAccounts } from './managed-accounts';
import { SCALING_POLICY } from './scaling-env';

@Controller()
export class ScalingController {
  constructor(
    private readonly accounts: ManagedAccounts,
    @Inject(SCALING_POLICY) private readonly policy: ScalingPolicy,
  ) {}

  /**
   * Compares observed usage with the forecast median for its hour and resizes the account's largest
   * instance group when the control law says so. Usage of accounts clonecast does not manage, or outside
   * the forecast's timeframe, is observed and ignored.
   */
  @EventPattern(topics.usageObserved.name)
  onUsageObserved(@Payload() event: EventOf<'usageObserved'>): Outgoing[] {
    const { accountId, observedAt, usage } = event.data;
    const account = this.accounts.get(accountId);
    if (!account?.forecast || account.groups.length === 0) return [];
    const median = forecastMedianAt(account.forecast, observedAt);
    if (!median) return [];
    const group = account.groups.reduce((a, b) => (b.size * b.vcpu > a.size * a.vcpu ? b : a));
    const { state, decision } = decideScaling(account.control, group, { at: observedAt, usage }, median, this.policy);
    this.accounts.setControl(accountId, state);
    if (!decision) return [];
    const decided: ScalingDecided = {
      accountId,
      decidedAt: decision.decidedAt,
      direction: decision.direction,
      group: { name: group.name, cloud: group.cloud, region: group.region, instanceType: group.instanceType, pricingModel: group.pricingModel },
      fromSize: decision.fromSize,
      toSize: decision.toSize,
      reason: decision.reason,
      observed: usage,
      forecastMedian: median,
    };
    this.accounts.recordDecision(decided);
    return [{ topic: topics.scalingDecided, data: decided }];
  }
}
