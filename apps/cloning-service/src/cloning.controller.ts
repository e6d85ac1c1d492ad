import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { cloneFailure, topics, type CloneCompleted, type EventOf } from '@clonecast/contracts';
import { DomainError, planRestore } from '@clonecast/cloning/domain';
import type { Outgoing } from '@clonecast/platform/messaging';
import { CloningState } from './cloning-state';

// Configuration is produced on its own topic; give a version published just before the request time to arrive.
const CONFIG_GRACE_MS = 5_000;

@Controller()
export class CloningController {
  constructor(private readonly state: CloningState) {}

  /** Restores the source's configuration version onto the provisioned clone and completes the saga. */
  @EventPattern(topics.resourcesProvisioned.name)
  async onResourcesProvisioned(@Payload() event: EventOf<'resourcesProvisioned'>): Promise<Outgoing[]> {
    const { spec, plan, resources } = event.data;
    await this.state.waitForConfiguration(spec.sourceAccountId, spec.configVersion, CONFIG_GRACE_MS);
    try {
      const restored = planRestore(this.state.configs, spec.sourceAccountId, spec.targetAccountId, spec.configVersion, new Date());
      const completed: CloneCompleted = {
        spec,
        restoredConfig: { sourceVersion: restored.restoredFrom?.version ?? 0, targetVersion: restored.version },
        expectedCost: plan.expectedCost,
        allocations: plan.allocations,
        artifactPath: resources.artifactPath,
        completedAt: new Date().toISOString(),
      };
      return [
        { topic: topics.accountConfig, data: restored },
        { topic: topics.cloneCompleted, data: completed },
      ];
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return [{ topic: topics.cloneFailed, data: cloneFailure(spec, 'cloning', error.code, error.message) }];
    }
  }
}
