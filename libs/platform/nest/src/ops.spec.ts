import { lastValueFrom } from 'rxjs';
import { ServiceMetrics } from './metrics';
import { Readiness } from './readiness';
import { RethrowToTransport } from './rethrow.filter';

describe('Readiness', () => {
  it('is ready only when every registered check is', () => {
    const readiness = new Readiness();
    expect(readiness.report().ready).toBe(false);
    let joined = false;
    readiness.register('publisher', () => true);
    readiness.register('consumer', () => joined);
    expect(readiness.report()).toEqual({ ready: false, checks: { publisher: true, consumer: false } });
    joined = true;
    expect(readiness.report().ready).toBe(true);
  });
});

describe('ServiceMetrics', () => {
  it('counts outcomes, dead letters and handling time in Prometheus text', async () => {
    const metrics = new ServiceMetrics('test-service');
    metrics.onOutcome('clone.requested.v1', 'processed', 0.02);
    metrics.onOutcome('clone.requested.v1', 'dead-lettered', 0.001);
    metrics.onDeadLetter('clone.requested.v1', 'decode');
    const text = await metrics.registry.metrics();
    expect(text).toContain('clonecast_messages_processed_total{service="test-service",topic="clone.requested.v1",outcome="processed"} 1');
    expect(text).toContain('clonecast_dlq_messages_total{service="test-service",topic="clone.requested.v1",stage="decode"} 1');
    expect(text).toContain('clonecast_message_handling_seconds_count{service="test-service",topic="clone.requested.v1"} 2');
  });
});

describe('RethrowToTransport', () => {
  it('hands the original error, class and all, to the transport', async () => {
    class Special extends Error {}
    const error = new Special('boom');
    await expect(lastValueFrom(new RethrowToTransport().catch(error, undefined as never))).rejects.toBe(error);
  });
});
