import { topics, type AllocationPlanned } from '@clonecast/contracts';
import { EventPublisher, TopicNames } from '@clonecast/platform/messaging';
import { runService } from '@clonecast/platform/nest';
import { aCloneSpec, aForecast, startServiceInProcess, testKafka, waitForEvent } from '@clonecast/platform/testing';
import { costOptimizationModule } from './app.module';

describe('cost-optimization-service on a real broker', () => {
  it('answers demand.predicted with allocation.planned, and impossible constraints with clone.failed', async () => {
    const { app, prefix } = await startServiceInProcess('cost', runService, costOptimizationModule);
    const kafka = testKafka();
    const publisher = new EventPublisher(kafka, new TopicNames(prefix), 'int-test');
    await publisher.connect();
    const predictor = { kind: 'baseline' as const, modelVersion: 'test' };
    try {
      await publisher.publish(topics.demandPredicted, { spec: aCloneSpec(), predictor, forecast: aForecast() }, { requestId: 'cost-ok' });
      await publisher.publish(topics.demandPredicted, { spec: aCloneSpec({ constraints: { budget: 0.001 } }), predictor, forecast: aForecast() }, { requestId: 'cost-budget' });
      const planned = await waitForEvent(kafka, prefix, topics.allocationPlanned, (e) => e.requestId === 'cost-ok');
      expect((planned.data as AllocationPlanned).plan.expectedCost).toBeGreaterThan(0);
      const failed = await waitForEvent(kafka, prefix, topics.cloneFailed, (e) => e.requestId === 'cost-budget');
      expect(failed.data).toMatchObject({ stage: 'cost-optimization', code: 'BUDGET_EXCEEDED' });
    } finally {
      await publisher.disconnect();
      await app.close();
    }
  });
});
