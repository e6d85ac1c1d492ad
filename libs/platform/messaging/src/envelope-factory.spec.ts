import { propagation, trace, context, ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { topics } from '@clonecast/contracts';
import { createEnvelope, encodeEnvelope } from './envelope-factory';
import { toKafkaMessage } from './publisher';
import { TopicNames } from './topic-names';
import { extractTraceContext, injectTraceContext } from './trace-context';

const usage = { accountId: 'acct-1', observedAt: '2026-01-01T00:00:00Z', intervalMinutes: 5, usage: { cpu: 1, memory: 2, storage: 3, network: 4 } };

describe('envelopes', () => {
  it('derives the same id for the same cause, and distinct ids per output index and topic', () => {
    const meta = { source: 's', requestId: 'r', causationId: '0b1d7bd2-61b8-4a0e-8d4a-0d5c2b7a8f10' };
    const a = createEnvelope(topics.usageObserved, usage, meta);
    expect(createEnvelope(topics.usageObserved, usage, meta).id).toBe(a.id);
    expect(createEnvelope(topics.usageObserved, usage, { ...meta, index: 1 }).id).not.toBe(a.id);
    expect(createEnvelope(topics.cloneFailed, usage, meta).id).not.toBe(a.id);
    expect(createEnvelope(topics.usageObserved, usage, { source: 's', requestId: 'r' }).id).not.toBe(createEnvelope(topics.usageObserved, usage, { source: 's', requestId: 'r' }).id);
  });

  it('refuses to encode an event its own contract rejects, naming the field', () => {
    const envelope = createEnvelope(topics.usageObserved, { ...usage, intervalMinutes: 0 }, { source: 's', requestId: 'r' });
    expect(() => encodeEnvelope(topics.usageObserved, envelope)).toThrow(/usage\.observed\.v1 event: data\.intervalMinutes/);
  });

  it('keys a message by the topic key and stamps type headers', () => {
    const message = toKafkaMessage(topics.usageObserved, createEnvelope(topics.usageObserved, usage, { source: 's', requestId: 'r' }));
    expect(message.key).toBe('acct-1');
    expect(message.headers?.['ce-type']).toBe('usage.observed');
    expect(JSON.parse(String(message.value)).data).toEqual(usage);
  });
});

describe('TopicNames', () => {
  it('prefixes topics, DLQs and processed-id topics', () => {
    const names = new TopicNames('staging.');
    expect(names.of(topics.cloneRequested)).toBe('staging.clone.requested.v1');
    expect(names.dlqOf(topics.cloneRequested)).toBe('staging.clone.requested.v1.dlq');
    expect(names.processedOf('prediction-service')).toBe('staging.clonecast.prediction-service.processed');
  });
});

describe('trace context in Kafka headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('round-trips a W3C traceparent through Buffer-valued headers', () => {
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
    const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext);
    const headers = injectTraceContext({}, ctx);
    expect(headers['traceparent']).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const received = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(String(v))]));
    const extracted = context.with(ROOT_CONTEXT, () => extractTraceContext(received));
    expect(trace.getSpanContext(extracted)).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId, isRemote: true });
  });
});
