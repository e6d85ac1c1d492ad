import { Module, Type } from '@nestjs/common';
import { topics } from '@clonecast/contracts';
import { PlatformModule, ServiceDefinition, ServiceEnv } from '@clonecast/platform/nest';
import { AllocationPlanner } from './allocation-planner';
import { CostOptimizationController } from './cost-optimization.controller';

export const definition: ServiceDefinition = {
  name: 'cost-optimization-service',
  consumes: [topics.demandPredicted],
  produces: [topics.allocationPlanned, topics.cloneFailed],
};

export function costOptimizationModule(env: ServiceEnv): Type<unknown> {
  @Module({ imports: [PlatformModule.forService(definition, env)], controllers: [CostOptimizationController], providers: [AllocationPlanner] })
  class CostOptimizationModule {}
  return CostOptimizationModule;
}
