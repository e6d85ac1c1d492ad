/** @jest-environment ../../libs/prediction/adapters/test/onnx-test-environment.js */
import { topics, type DemandPredicted } from '@clonecast/contracts';
import { EventPublisher, TopicNames } from '@clonecast/platform/messaging';
import { runService } from '@clonecast/platform/nest';
import { aCloneRequested, startServiceInProcess, testKafka, waitForEvent } from '@clonecast/platform/testing';
import { predictionModule } from './app.module';

describe('prediction-service on a real broker', () => {
  it('answers clone.requested with the model forecast in demand.predicted, also for an account without history', async () => {
    // MODEL_DIR is left to its default: the released model under models/demand-forecaster/v4
    const { app, prefix } = await startServiceInProcess('prediction', runService, predictionModule);
    const kafka = testKafka();
    const publisher = new EventPublisher(kafka, new TopicNames(prefix), 'int-test');
    await publisher.connect();
    try {
      await publisher.publish(topics.cloneRequested, aCloneRequested({ spec: { timeframeHours: 48 } }), { requestId: 'pred-ok' });
      await publisher.publish(topics.cloneRequested, aCloneRequested({ profile: { historicalData: [] } }), { requestId: 'pred-empty' });

      const predicted = await waitForEvent(kafka, prefix, topics.demandPredicted, (e) => e.requestId === 'pred-ok');
      const data = predicted.data as DemandPredicted;
      expect(predicted.source).toBe('prediction-service');
      expect(data.forecast.timestamps).toHaveLength(48);
      expect(data.predictor).toEqual({ kind: 'model', modelVersion: 'demand-forecaster@v4' });
      expect(data.forecast.modelVersion).toBe(data.predictor.modelVersion);

      const coldStart = await waitForEvent(kafka, prefix, topics.demandPredicted, (e) => e.requestId === 'pred-empty');
      expect((coldStart.data as DemandPredicted).predictor).toEqual(data.predictor);
      expect((coldStart.data as DemandPredicted).forecast.timestamps).toHaveLength(24);
    } finally {
      await publisher.disconnect();
      await app.close();
    }
  });
});
