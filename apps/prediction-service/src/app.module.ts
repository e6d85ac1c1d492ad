import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { DemandForecaster } from './demand-forecaster';
import { PredictionController } from './prediction.controller';

export const definition: ServiceDefinition = {
  name: 'prediction-service',
  consumes: [topics.cloneRequested],
  produces: [topics.demandPredicted, topics.cloneFailed],
};

export function predictionModule(env: ServiceEnv): Type<unknown> {
  @Module({ imports: [PlatformModule.forService(definition, env)], controllers: [PredictionController], providers: [DemandForecaster] })
  class PredictionModule {}
  return PredictionModule;
}
