import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { cloneFailure, topics, type ProvisioningScheduled, type ResourcesProvisioned, type ResourcesScaled } from '@clonecast/contracts';
import { EventPublisher, Kafka, TopicFollower, TopicNames } from '@clonecast/platform/messaging';
import { followEnvelopes, Readiness, SERVICE_DEFINITION, type ServiceDefinition } from '@clonecast/platform/nest';
import { PlanOnlyDriver } from '@clonecast/provisioning/adapters';
import { toInfrastructurePlan } from '@clonecast/provisioning/domain';
import { ProvisionedAccounts } from './provisioned-accounts';
import { PROVISIONING_ENV, type ProvisioningEnv } from './provisioning-env';

// setTimeout cannot wait longer than 2^31-1 ms; longer waits are re-armed in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ArmedJob {
  eventId: string;
  timer: NodeJS.Timeout;
}

/**
 * Runs provisioning work at its start time (activation minus lead time). Pending work lives on the
 * compacted provisioning.scheduled topic, so a restart re-arms it; finished work is tombstoned.
 * Also keeps ProvisionedAccounts in step with resources.provisioned / resources.scaled.
 */
@Injectable()
export class ProvisioningScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProvisioningScheduler.name);
  private readonly armed = new Map<string, ArmedJob>();
  private follower?: TopicFollower;

  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly readiness: Readiness,
    private readonly publisher: EventPublisher,
    private readonly accounts: ProvisionedAccounts,
    private readonly driver: PlanOnlyDriver,
    @Inject(SERVICE_DEFINITION) private readonly definition: ServiceDefinition,
    @Inject(PROVISIONING_ENV) private readonly env: ProvisioningEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.follower = await followEnvelopes(
      { kafka: this.kafka, names: this.names, readiness: this.readiness, service: this.definition.name },
      'provisioning-state',
      [topics.provisioningScheduled, topics.resourcesProvisioned, topics.resourcesScaled],
      ({ topic, envelope, key }) => {
        if (topic === topics.provisioningScheduled) {
          if (!envelope) return this.disarm(key ?? '');
          return this.arm(envelope.id, envelope.requestId, envelope.data as ProvisioningScheduled);
        }
        if (!envelope) return;
        if (topic === topics.resourcesProvisioned) this.accounts.recordProvisioned(envelope.requestId, envelope.data as ResourcesProvisioned);
        if (topic === topics.resourcesScaled) this.accounts.recordScaled(envelope.data as ResourcesScaled);
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const key of [...this.armed.keys()]) this.disarm(key);
    await this.follower?.stop();
  }

  private arm(eventId: string, requestId: string, job: ProvisioningScheduled): void {
    const key = job.spec.targetAccountId;
    if (this.armed.get(key)?.eventId === eventId) return;
    this.disarm(key);
    const wait = Date.parse(job.startAt) - Date.now();
    const timer = setTimeout(() => {
      if (wait > MAX_TIMER_MS) return this.arm(`${eventId}+`, requestId, job);
      void this.run(eventId, requestId, job);
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    this.armed.set(key, { eventId, timer });
    this.logger.log(`provisioning for ${key} (request ${requestId}) starts at ${job.startAt}`);
  }

  private disarm(key: string): void {
    const job = this.armed.get(key);
    if (job) clearTimeout(job.timer);
    this.armed.delete(key);
  }

  private async run(eventId: string, requestId: string, job: ProvisioningScheduled): Promise<void> {
    const key = job.spec.targetAccountId;
    try {
      const plan = toInfrastructurePlan(job.spec, job.plan, requestId);
      const resources = await this.driver.provision(plan, { artifactsDir: this.env.ARTIFACTS_DIR, now: new Date() });
      const data: ResourcesProvisioned = { spec: job.spec, plan: job.plan, resources };
      // id derived from the job's event: a re-run after a crash republishes the same event, which consumers dedupe
      await this.publisher.publish(topics.resourcesProvisioned, data, { requestId, causationId: eventId });
    } catch (error) {
      this.logger.error(`scheduled provisioning for ${key} failed: ${(error as Error).message}`);
      await this.publisher.publish(topics.cloneFailed, cloneFailure(job.spec, 'provisioning', 'PROVISIONING_FAILED', (error as Error).message), { requestId, causationId: eventId });
    }
    await this.publisher.publishTombstone(topics.provisioningScheduled, key);
    this.armed.delete(key);
  }
}
