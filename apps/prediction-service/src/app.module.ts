import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, serviceEnv, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { DemandForecaster } from './demand-forecaster';
import { predictionEnvSchema } from './prediction-env';
import { PredictionController } from './prediction.controller';

export const definition: ServiceDefinition = {
  name: 'prediction-service',
  consumes: [topics.cloneRequested],
  produces: [topics.demandPredicted, topics.cloneFailed],
};

export function predictionModule(env: ServiceEnv): Type<unknown> {
  @Module({
    imports: [PlatformModule.forService(definition, env)],
    controllers: [PredictionController],
    providers: [{ provide: DemandForecaster, useFactory: () => DemandForecaster.create(serviceEnv(process.env, predictionEnvSchema)) }],
  })
  class PredictionModule {}
  return PredictionModule;
}
