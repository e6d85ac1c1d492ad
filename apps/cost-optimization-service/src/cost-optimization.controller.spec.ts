import { topics } from '@clonecast/contracts';
import { aCloneSpec, aForecast, buildEnvelope } from '@clonecast/platform/testing';
import { AllocationPlanner } from './allocation-planner';
import { CostOptimizationController } from './cost-optimization.controller';

const controller = new CostOptimizationController(new AllocationPlanner());
const forecast = aForecast({ quantiles: [0.05, 0.5, 0.95] });

describe('CostOptimizationController', () => {
  it('plans allocations from the bundled catalog that cover the service-level peak', () => {
    const spec = aCloneSpec({ constraints: { clouds: ['gcp'] } });
    const [out] = controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.topic).toBe(topics.allocationPlanned);
    const { plan } = topics.allocationPlanned.schema.parse(out?.data);
    const capacity = plan.allocations.reduce((s, a) => ({ cpu: s.cpu + a.quantity * a.vcpu, memory: s.memory + a.quantity * a.memoryGiB }), { cpu: 0, memory: 0 });
    expect(capacity.cpu).toBeGreaterThanOrEqual(plan.required.cpu);
    expect(capacity.memory).toBeGreaterThanOrEqual(plan.required.memory);
    expect(plan.allocations.every((a) => a.cloud === 'gcp')).toBe(true);
  });

  it('turns impossible constraints into clone.failed with the reason', () => {
    const spec = aCloneSpec({ constraints: { clouds: ['aws'], regions: ['mars-north-1'] } });
    const [out] = controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.topic).toBe(topics.cloneFailed);
    expect(out?.data).toMatchObject({ stage: 'cost-optimization', code: 'NO_CATALOG_ROWS' });
    expect((out?.data as { reason: string }).reason).toContain('mars-north-1');
  });

  it('turns a budget below any feasible plan into clone.failed', () => {
    const spec = aCloneSpec({ constraints: { clouds: ['gcp'], budget: 0.01 } });
    const [out] = controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.data).toMatchObject({ stage: 'cost-optimization', code: 'BUDGET_EXCEEDED' });
  });
});
