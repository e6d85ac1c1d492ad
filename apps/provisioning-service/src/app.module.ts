import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, serviceEnv, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { PlanOnlyDriver } from '@clonecast/provisioning/adapters';
import { ProvisionedAccounts } from './provisioned-accounts';
import { provisioningEnvSchema, PROVISIONING_ENV } from './provisioning-env';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningScheduler } from './provisioning-scheduler';

export const definition: ServiceDefinition = {
  name: 'provisioning-service',
  consumes: [topics.allocationPlanned, topics.scalingDecided],
  produces: [topics.resourcesProvisioned, topics.provisioningScheduled, topics.resourcesScaled, topics.cloneFailed],
  follows: [topics.provisioningScheduled, topics.resourcesProvisioned, topics.resourcesScaled],
};

export function provisioningModule(env: ServiceEnv): Type<unknown> {
  @Module({
    imports: [PlatformModule.forService(definition, env)],
    controllers: [ProvisioningController],
    providers: [
      { provide: PROVISIONING_ENV, useValue: serviceEnv(process.env, provisioningEnvSchema) },
      { provide: PlanOnlyDriver, useValue: new PlanOnlyDriver() },
      ProvisionedAccounts,
      ProvisioningScheduler,
    ],
  })
  class ProvisioningModule {}
  return ProvisioningModule;
}
