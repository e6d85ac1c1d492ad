import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  topics,
  type DemandForecast,
  type DemandPredicted,
  type ResourcesProvisioned,
  type ResourcesScaled,
  type ScalingDecided,
} from '@clonecast/contracts';
import { Kafka, TopicFollower, TopicNames } from '@clonecast/platform/messaging';
import { followEnvelopes, Readiness, SERVICE_DEFINITION, type ServiceDefinition } from '@clonecast/platform/nest';
import { INITIAL_CONTROL_STATE, type ControlState, type InstanceGroup } from '@clonecast/scaling/domain';

export interface ManagedAccount {
  forecast?: DemandForecast;
  groups: InstanceGroup[];
  control: ControlState;
}

/**
 * What the control loop knows per account, rebuilt from Kafka: the latest forecast (demand.predicted),
 * the instance groups and their sizes (resources.provisioned, scaling.decided, resources.scaled) and the
 * last decision time (scaling.decided). Consecutive-deviation counters are soft state: a restart resets them.
 */
@Injectable()
export class ManagedAccounts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly accounts = new Map<string, ManagedAccount>();
  private follower?: TopicFollower;

  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly readiness: Readiness,
    @Inject(SERVICE_DEFINITION) private readonly definition: ServiceDefinition,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.follower = await followEnvelopes(
      { kafka: this.kafka, names: this.names, readiness: this.readiness, service: this.definition.name },
      'accounts',
      [topics.demandPredicted, topics.resourcesProvisioned, topics.scalingDecided, topics.resourcesScaled, topics.cloneCompleted],
      ({ topic, envelope }) => {
        if (!envelope) return;
        if (topic === topics.demandPredicted) this.recordForecast(envelope.data as DemandPredicted);
        if (topic === topics.resourcesProvisioned) this.recordProvisioned(envelope.data as ResourcesProvisioned);
        if (topic === topics.scalingDecided) this.recordDecision(envelope.data as ScalingDecided);
        if (topic === topics.resourcesScaled) this.recordScaled(envelope.data as ResourcesScaled);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.follower?.stop();
  }

  get(accountId: string): ManagedAccount | undefined {
    return this.accounts.get(accountId);
  }

  recordForecast({ spec, forecast }: DemandPredicted): void {
    this.account(spec.targetAccountId).forecast = forecast;
  }

  recordProvisioned({ spec, plan, resources }: ResourcesProvisioned): void {
    const account = this.account(spec.targetAccountId);
    account.groups = resources.groups.map((g) => {
      const allocation = plan.allocations.find((a) => a.cloud === g.cloud && a.region === g.region && a.instanceType === g.instanceType && a.pricingModel === g.pricingModel);
      if (!allocation) throw new Error(`resources.provisioned group ${g.name} matches no allocation of its plan`);
      return { ...g, vcpu: allocation.vcpu, memoryGiB: allocation.memoryGiB };
    });
  }

  /** A decision sets the desired size at once, so the loop does not decide the same change twice. */
  recordDecision(decision: ScalingDecided): void {
    const account = this.account(decision.accountId);
    account.groups = account.groups.map((g) => (g.name === decision.group.name ? { ...g, size: decision.toSize } : g));
    const last = account.control.lastDecisionAt;
    if (!last || Date.parse(decision.decidedAt) > Date.parse(last)) account.control = { ...account.control, lastDecisionAt: decision.decidedAt };
  }

  recordScaled(scaled: ResourcesScaled): void {
    const account = this.account(scaled.accountId);
    account.groups = account.groups.map((g) => (g.name === scaled.group.name ? { ...g, size: scaled.size } : g));
  }

  setControl(accountId: string, control: ControlState): void {
    this.account(accountId).control = control;
  }

  private account(accountId: string): ManagedAccount {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = { groups: [], control: INITIAL_CONTROL_STATE };
      this.accounts.set(accountId, account);
    }
    return account;
  }
}
