import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { cloneFailure, topics, type EventOf } from '@clonecast/contracts';
import { CostOptimizationError } from '@clonecast/cost-optimization/domain';
import type { Outgoing } from '@clonecast/platform/messaging';
import { AllocationPlanner } from './allocation-planner';

@Controller()
export class CostOptimizationController {
  constructor(private readonly planner: AllocationPlanner) {}

  @EventPattern(topics.demandPredicted.name)
  async onDemandPredicted(@Payload() event: EventOf<'demandPredicted'>): Promise<Outgoing[]> {
    try {
      return [{ topic: topics.allocationPlanned, data: await this.planner.plan(event.data, new Date()) }];
    } catch (error) {
      if (!(error instanceof CostOptimizationError)) throw error;
      return [{ topic: topics.cloneFailed, data: cloneFailure(event.data.spec, 'cost-optimization', error.code, error.message) }];
    }
  }
}
