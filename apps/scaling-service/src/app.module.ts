import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, serviceEnv, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { ManagedAccounts } from './managed-accounts';
import { ScalingController } from './scaling.controller';
import { SCALING_POLICY, scalingEnvSchema } from './scaling-env';

export const definition: ServiceDefinition = {
  name: 'scaling-service',
  consumes: [topics.usageObserved],
  produces: [topics.scalingDecided],
  follows: [topics.demandPredicted, topics.resourcesProvisioned, topics.scalingDecided, topics.resourcesScaled, topics.cloneCompleted],
};

export function scalingModule(env: ServiceEnv): Type<unknown> {
  @Module({
    imports: [PlatformModule.forService(definition, env)],
    controllers: [ScalingController],
    providers: [{ provide: SCALING_POLICY, useValue: serviceEnv(process.env, scalingEnvSchema) }, ManagedAccounts],
  })
  class ScalingModule {}
  return ScalingModule;
}
