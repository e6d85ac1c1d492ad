import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { CloningController } from './cloning.controller';
import { CloningState } from './cloning-state';
import { ClonesHttpController } from './clones.http.controller';

export const definition: ServiceDefinition = {
  name: 'cloning-service',
  consumes: [topics.resourcesProvisioned],
  produces: [topics.cloneRequested, topics.accountConfig, topics.cloneCompleted, topics.cloneFailed],
  follows: [topics.accountConfig, topics.cloneRequested, topics.demandPredicted, topics.allocationPlanned, topics.resourcesProvisioned, topics.cloneCompleted, topics.cloneFailed],
};

export function cloningModule(env: ServiceEnv): Type<unknown> {
  @Module({
    imports: [PlatformModule.forService(definition, env)],
    controllers: [CloningController, ClonesHttpController],
    providers: [CloningState],
  })
  class CloningModule {}
  return CloningModule;
}
