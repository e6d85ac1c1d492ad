import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Inject } from '@nestjs/common';
import { topics, type AccountConfig } from '@clonecast/contracts';
import { ConfigurationHistory, SagaBook, type SagaEvent } from '@clonecast/cloning/domain';
import { Kafka, TopicFollower, TopicNames } from '@clonecast/platform/messaging';
import { followEnvelopes, Readiness, SERVICE_DEFINITION, type ServiceDefinition } from '@clonecast/platform/nest';

const SAGA_TOPICS = [
  topics.cloneRequested,
  topics.demandPredicted,
  topics.allocationPlanned,
  topics.resourcesProvisioned,
  topics.cloneCompleted,
  topics.cloneFailed,
];

/**
 * The cloning service's state, rebuilt from Kafka at start and kept current: configuration versions from
 * the compacted account.config topic, and every clone request's saga from the pipeline topics.
 */
@Injectable()
export class CloningState implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly configs = new ConfigurationHistory();
  readonly sagas = new SagaBook();
  private readonly logger = new Logger(CloningState.name);
  private readonly followers: TopicFollower[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly names: TopicNames,
    private readonly readiness: Readiness,
    @Inject(SERVICE_DEFINITION) private readonly definition: ServiceDefinition,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const deps = { kafka: this.kafka, names: this.names, readiness: this.readiness, service: this.definition.name };
    const [configs, sagas] = await Promise.all([
      followEnvelopes(deps, 'configuration', [topics.accountConfig], ({ envelope }) => {
        if (!envelope) return;
        try {
          this.configs.record(envelope.data as AccountConfig);
        } catch (error) {
          this.logger.warn(`ignoring configuration event ${envelope.id}: ${(error as Error).message}`);
        }
      }),
      followEnvelopes(deps, 'sagas', SAGA_TOPICS, ({ envelope }) => {
        if (envelope) this.sagas.apply(envelope as unknown as SagaEvent);
      }),
    ]);
    this.followers.push(configs, sagas);
    this.logger.log(`state rebuilt: ${this.configs.accounts().length} accounts with configuration, ${this.sagas.size} clone sagas`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.stop()));
  }

  /** Waits briefly for a configuration that may still be in flight on its topic. */
  async waitForConfiguration(accountId: string, version: number | undefined, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const present = () => (version === undefined ? this.configs.latest(accountId) : this.configs.get(accountId, version)) !== undefined;
    while (!present() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
}
