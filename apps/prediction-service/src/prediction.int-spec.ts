import { topics, type DemandPredicted } from '@clonecast/contracts';
import { EventPublisher, TopicNames } from '@clonecast/platform/messaging';
import { runService } from '@clonecast/platform/nest';
import { aCloneRequested, startServiceInProcess, testKafka, waitForEvent } from '@clonecast/platform/testing';
import { predictionModule } from './app.module';

describe('prediction-service on a real broker', () => {
  it('answers clone.requested with demand.predicted, and a request without history with clone.failed', async () => {
    const { app, prefix } = await startServiceInProcess('prediction', runService, predictionModule);
    const kafka = testKafka();
    const publisher = new EventPublisher(kafka, new TopicNames(prefix), 'int-test');
    await publisher.connect();
    try {
      await publisher.publish(topics.cloneRequested, aCloneRequested({ spec: { timeframeHours: 48 } }), { requestId: 'pred-ok' });
      await publisher.publish(topics.cloneRequested, aCloneRequested({ profile: { historicalData: [] } }), { requestId: 'pred-empty' });
      const predicted = await waitForEvent(kafka, prefix, topics.demandPredicted, (e) => e.requestId === 'pred-ok');
      expect((predicted.data as DemandPredicted).forecast.timestamps).toHaveLength(48);
      expect(predicted.source).toBe('prediction-service');
      const failed = await waitForEvent(kafka, prefix, topics.cloneFailed, (e) => e.requestId === 'pred-empty');
      expect(failed.data).toMatchObject({ stage: 'prediction', code: 'NO_HISTORY' });
    } finally {
      await publisher.disconnect();
      await app.close();
    }
  });
});
