import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { cloneFailure, topics, type EventOf } from '@clonecast/contracts';
import type { Outgoing } from '@clonecast/platform/messaging';
import { DomainError } from '@clonecast/prediction/domain';
import { DemandForecaster } from './demand-forecaster';

@Controller()
export class PredictionController {
  constructor(private readonly forecaster: DemandForecaster) {}

  // Requests are forecast one at a time: the consumer hands over one message at a time
  // (partitionsConsumedConcurrently 1), so there is nothing concurrent to micro-batch.
  @EventPattern(topics.cloneRequested.name)
  async onCloneRequested(@Payload() event: EventOf<'cloneRequested'>): Promise<Outgoing[]> {
    try {
      return [{ topic: topics.demandPredicted, data: await this.forecaster.forecast(event.data) }];
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return [{ topic: topics.cloneFailed, data: cloneFailure(event.data.spec, 'prediction', error.code, error.message) }];
    }
  }
}
