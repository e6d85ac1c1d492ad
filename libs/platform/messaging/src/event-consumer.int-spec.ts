import { randomUUID } from 'node:crypto';
import { topics, type Envelope, type UsageObserved } from '@clonecast/contracts';
import { testKafka, TopicProbe, uniqueTopicPrefix } from '@clonecast/platform/testing';
import { createEnvelope } from './envelope-factory';
import { EventConsumer, EventHandler } from './event-consumer';
import { InvalidMessageError } from './errors';
import { EventPublisher } from './publisher';
import { ensureTopics } from './topic-admin';
import { TopicNames } from './topic-names';

const kafka = testKafka('messaging-int');

function usage(accountId: string, cpu: number): UsageObserved {
  return { accountId, observedAt: '2026-11-28T10:00:00Z', intervalMinutes: 5, usage: { cpu, memory: 4, storage: 10, network: 50 } };
}

// Echo handler: every usage event becomes a clone.failed event naming the cpu it saw (easy to count).
const echo: EventHandler = async ({ envelope }) => {
  const data = envelope.data as UsageObserved;
  if (data.usage.cpu === 13) throw new InvalidMessageError('cpu 13 is rejected by the handler');
  return [{ topic: topics.cloneFailed, data: { targetAccountId: data.accountId, stage: 'scaling', code: 'ECHO', reason: `cpu=${data.usage.cpu}`, failedAt: data.observedAt } }];
};

async function setup(label: string) {
  const names = new TopicNames(uniqueTopicPrefix(label));
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `g-${label}`;
  await ensureTopics(admin, names, [topics.usageObserved, topics.cloneFailed], { partitions: 2 }, [EventConsumer.processedTopicConfig(names, groupId, 1)]);
  await admin.disconnect();
  const publisher = new EventPublisher(kafka, names, 'int-test');
  await publisher.connect();
  const consumer = () =>
    new EventConsumer(kafka, { groupId, instanceId: 'i1', source: 'int-test', names, partitions: 2, handlers: new Map([[topics.usageObserved, echo]]), retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 10 } });
  const outputs = await TopicProbe.start(kafka, names.of(topics.cloneFailed));
  const dlq = await TopicProbe.start(kafka, names.dlqOf(topics.usageObserved));
  return { names, publisher, consumer, outputs, dlq };
}

describe('EventConsumer on a real broker', () => {
  it('dead-letters bad messages with the reason and original bytes, then keeps processing', async () => {
    const { names, publisher, consumer, outputs, dlq } = await setup('dlq');
    const c = consumer();
    await c.start();
    try {
      await publisher.publishRaw(names.of(topics.usageObserved), 'this is { not json', 'acct-a');
      const invalid = createEnvelope(topics.usageObserved, { ...usage('acct-a', -1) }, { source: 'test', requestId: 'r1' });
      await publisher.publishRaw(names.of(topics.usageObserved), JSON.stringify(invalid), 'acct-a');
      await publisher.publish(topics.usageObserved, usage('acct-a', 13), { requestId: 'r2' });
      await publisher.publish(topics.usageObserved, usage('acct-a', 2), { requestId: 'r3' });

      const ok = await outputs.waitFor((m) => m.envelope?.requestId === 'r3');
      expect((ok.envelope?.data as { reason: string }).reason).toBe('cpu=2');

      const notJson = await dlq.waitFor((m) => m.headers['x-dlq-stage'] === 'decode');
      expect(notJson.value?.toString()).toBe('this is { not json');
      expect(notJson.key).toBe('acct-a');
      expect(notJson.headers['x-dlq-reason']).toMatch(/not JSON/);
      expect(notJson.headers['x-dlq-source-topic']).toBe(names.of(topics.usageObserved));
      expect(notJson.headers['x-dlq-source-offset']).toMatch(/^\d+$/);
      expect(notJson.headers['x-dlq-source-partition']).toMatch(/^\d+$/);

      const schema = await dlq.waitFor((m) => m.headers['x-dlq-stage'] === 'validate');
      expect(schema.headers['x-dlq-reason']).toMatch(/data\.usage\.cpu/);
      expect(JSON.parse(schema.value?.toString() ?? '{}').id).toBe(invalid.id);

      const rejected = await dlq.waitFor((m) => m.headers['x-dlq-stage'] === 'handle');
      expect(rejected.headers['x-dlq-reason']).toBe('cpu 13 is rejected by the handler');
      expect(outputs.received.filter((m) => m.envelope?.requestId === 'r2')).toHaveLength(0);
    } finally {
      await c.stop();
      await Promise.all([outputs.stop(), dlq.stop(), publisher.disconnect()]);
    }
  });

  it('yields one outcome for an envelope sent twice, also across a restart', async () => {
    const { publisher, consumer, outputs, dlq } = await setup('dup');
    const envelope = createEnvelope(topics.usageObserved, usage('acct-b', 3), { source: 'test', requestId: 'dup-1' });
    let c = consumer();
    await c.start();
    try {
      await publisher.publishEnvelope(topics.usageObserved, envelope);
      await publisher.publishEnvelope(topics.usageObserved, envelope);
      await outputs.waitFor((m) => m.envelope?.requestId === 'dup-1');
      await c.stop();
      // the same envelope again while the consumer is down: the restarted one must still recognise it
      await publisher.publishEnvelope(topics.usageObserved, envelope);
      await publisher.publish(topics.usageObserved, usage('acct-b', 4), { requestId: 'after-restart' });
      c = consumer();
      await c.start();
      await outputs.waitFor((m) => m.envelope?.requestId === 'after-restart');
      expect(outputs.received.filter((m) => m.envelope?.requestId === 'dup-1')).toHaveLength(1);
      // output ids derive from the input id: a replayed input could never mint a second distinct outcome
      const out = outputs.received.find((m) => m.envelope?.requestId === 'dup-1')?.envelope as Envelope;
      expect(out.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.id).not.toBe(envelope.id);
    } finally {
      await c.stop();
      await Promise.all([outputs.stop(), dlq.stop(), publisher.disconnect()]);
    }
  });

  it('keeps per-key order and loses nothing when stopped mid-stream', async () => {
    const { publisher, consumer, outputs, dlq } = await setup('order');
    const account = `acct-${randomUUID().slice(0, 6)}`;
    let c = consumer();
    await c.start();
    try {
      // sequential sends: the order the test relies on is the order of the key's log
      for (let i = 1; i <= 30; i += 1) await publisher.publish(topics.usageObserved, usage(account, 100 + i), { requestId: `seq-${i}` });
      await outputs.waitFor((m) => m.envelope?.requestId === 'seq-5');
      await c.stop();
      c = consumer();
      await c.start();
      await outputs.waitFor((m) => m.envelope?.requestId === 'seq-30', 60_000);
      const seen = outputs.received.map((m) => m.envelope?.requestId);
      for (let i = 1; i <= 30; i += 1) expect(seen.filter((r) => r === `seq-${i}`)).toHaveLength(1);
      const order = seen.map((r) => Number(r?.split('-')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    } finally {
      await c.stop();
      await Promise.all([outputs.stop(), dlq.stop(), publisher.disconnect()]);
    }
  });
});
