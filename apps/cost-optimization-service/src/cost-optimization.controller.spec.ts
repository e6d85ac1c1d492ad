import { topics } from '@clonecast/contracts';
import { OPTIMISER_PLANNER, checkPlanCoverage } from '@clonecast/cost-optimization/domain';
import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import { aCloneSpec, aForecast, buildEnvelope } from '@clonecast/platform/testing';
import { AllocationPlanner } from './allocation-planner';
import { CostOptimizationController } from './cost-optimization.controller';

const controller = new CostOptimizationController(new AllocationPlanner());
const forecast = aForecast({ quantiles: [0.05, 0.5, 0.95] });

describe('CostOptimizationController', () => {
  it('plans allocations from the bundled catalog that cover the service-level peak', async () => {
    const spec = aCloneSpec({ constraints: { clouds: ['gcp'] } });
    const [out] = await controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.topic).toBe(topics.allocationPlanned);
    const { plan } = topics.allocationPlanned.schema.parse(out?.data);
    const end = new Date(Date.parse(spec.activationAt) + spec.timeframeHours * 3_600_000).toISOString();
    const window = { from: spec.activationAt, to: end, serviceLevel: spec.serviceLevel, maxSpotShare: spec.constraints.maxSpotShare, minInstances: spec.constraints.minInstances };
    expect(checkPlanCoverage(plan, forecast, loadBundledCatalog(), window).shortfalls).toEqual([]);
    expect(plan.planner).toBe(OPTIMISER_PLANNER);
    expect(plan.allocations.every((a) => a.cloud === 'gcp')).toBe(true);
  });

  it('turns impossible constraints into clone.failed with the reason', async () => {
    const spec = aCloneSpec({ constraints: { clouds: ['aws'], regions: ['mars-north-1'] } });
    const [out] = await controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.topic).toBe(topics.cloneFailed);
    expect(out?.data).toMatchObject({ stage: 'cost-optimization', code: 'NO_CATALOG_ROWS' });
    expect((out?.data as { reason: string }).reason).toContain('mars-north-1');
  });

  it('turns a budget below any feasible plan into clone.failed', async () => {
    const spec = aCloneSpec({ constraints: { clouds: ['gcp'], budget: 0.01 } });
    const [out] = await controller.onDemandPredicted(buildEnvelope('demandPredicted', { spec, predictor: { kind: 'baseline', modelVersion: 'x' }, forecast }));
    expect(out?.data).toMatchObject({ stage: 'cost-optimization', code: 'BUDGET_EXCEEDED' });
  });
});
