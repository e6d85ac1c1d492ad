import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { accountProfileSchema, topics, type CloneCompleted, type CloneRequested, type Envelope, type ResourcesScaled, type ScalingDecided } from '@clonecast/contracts';
import { createEnvelope, EventPublisher, TopicNames } from '@clonecast/platform/messaging';
import { testKafka, TopicProbe, uniqueTopicPrefix } from '@clonecast/platform/testing';
import { OtlpReceiver, ROOT, SERVICES, Stack } from './stack';

const kafka = testKafka('e2e');
const PROFILE = path.join(ROOT, 'examples/profiles/bitbrains-vm-417.json');
const profile = accountProfileSchema.parse(JSON.parse(readFileSync(PROFILE, 'utf8')));

function cloneRequest(target: string): CloneRequested {
  return {
    spec: {
      sourceAccountId: profile.accountId,
      targetAccountId: target,
      accountType: profile.accountType,
      applications: profile.applications,
      activationAt: new Date().toISOString(),
      timeframeHours: 24,
      serviceLevel: 0.95,
      constraints: { clouds: ['gcp', 'aws', 'azure'], maxSpotShare: 0, allowCommitments: false, minInstances: 1 },
    },
    profile,
  };
}

describe('clonecast pipeline on a real broker (five services as processes)', () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;
  let names: TopicNames;
  let publisher: EventPublisher;
  let completed: TopicProbe;
  let failed: TopicProbe;
  let dlq: TopicProbe;

  beforeAll(async () => {
    await receiver.start();
    const prefix = uniqueTopicPrefix('e2e');
    names = new TopicNames(prefix);
    stack = new Stack(prefix, receiver.port, 3400);
    await stack.startAll();
    publisher = new EventPublisher(kafka, names, 'e2e-test');
    await publisher.connect();
    await publisher.publish(
      topics.accountConfig,
      { accountId: profile.accountId, version: 1, createdAt: new Date().toISOString(), config: { storageCapacityGiB: 200, settings: { tier: 'gold' } } },
      { requestId: 'e2e-config' },
    );
    completed = await TopicProbe.start(kafka, names.of(topics.cloneCompleted));
    failed = await TopicProbe.start(kafka, names.of(topics.cloneFailed));
    dlq = await TopicProbe.start(kafka, names.dlqOf(topics.cloneRequested));
  });

  afterAll(async () => {
    await Promise.all([completed?.stop(), failed?.stop(), dlq?.stop(), publisher?.disconnect()]);
    await stack?.stopAll();
    await receiver.stop();
  });

  it('takes a clone request built from a real trace through all five services to clone.completed, in one trace', async () => {
    const run = stack.cli(['clone', 'request', '--profile', PROFILE, '--timeframe-hours', '24', '--wait', '--json', '--timeout-seconds', '120']);
    expect(run.stderr).not.toMatch(/clonecast: /);
    expect(run.status).toBe(0);
    const outcome = JSON.parse(run.stdout) as { requestId: string; status: string; expectedCost: number; artifactPath: string; traceId: string; allocations: unknown[] };
    expect(outcome.status).toBe('completed');
    expect(outcome.expectedCost).toBeGreaterThan(0);
    expect(outcome.allocations.length).toBeGreaterThan(0);
    expect(outcome.artifactPath).toMatch(/\.tf\.json$/);
    expect(existsSync(outcome.artifactPath)).toBe(true);
    const terraform = JSON.parse(readFileSync(outcome.artifactPath, 'utf8')) as { resource: Record<string, unknown> };
    expect(Object.keys(terraform.resource).length).toBeGreaterThan(0);

    // saga over HTTP
    const status = stack.cli(['clone', 'status', outcome.requestId]);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ requestId: outcome.requestId, status: 'completed', stage: 'cloning' });

    // every service exported spans of this request's trace (batch export runs every 200 ms)
    const deadline = Date.now() + 15_000;
    const servicesInTrace = () => new Set(receiver.spans.filter((s) => s.traceId === outcome.traceId).map((s) => s.service));
    while (SERVICES.some((s) => !servicesInTrace().has(s)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect([...servicesInTrace()].sort()).toEqual([...SERVICES, 'clonecast-cli'].sort());
  });

  it('accepts clone requests over HTTP, rejects invalid ones with the reason, and serves the saga', async () => {
    const api = `http://127.0.0.1:${stack.ports.get('cloning-service')}`;
    const bad = await fetch(`${api}/clones`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: { targetAccountId: 'x' } }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/spec\.sourceAccountId/);

    const ok = await fetch(`${api}/clones`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cloneRequest('e2e-http-target')) });
    expect(ok.status).toBe(202);
    const { requestId, statusUrl } = (await ok.json()) as { requestId: string; statusUrl: string };
    await completed.waitFor((m) => m.envelope?.requestId === requestId, 90_000);
    let saga: { status?: string; stages?: Record<string, unknown> } = {};
    for (let i = 0; i < 50 && saga.status !== 'completed'; i += 1) {
      const r = await fetch(`${api}${statusUrl}`);
      if (r.ok) saga = (await r.json()) as typeof saga;
      else await new Promise((res) => setTimeout(res, 200));
    }
    expect(saga.status).toBe('completed');
    expect(Object.keys(saga.stages ?? {}).sort()).toEqual(['cloning', 'cost-optimization', 'prediction', 'provisioning', 'request']);
    expect((await fetch(`${api}/clones/no-such-request`)).status).toBe(404);
  });

  it('yields one outcome for the same envelope sent twice', async () => {
    const envelope = createEnvelope(topics.cloneRequested, cloneRequest('e2e-dup-target'), { source: 'e2e-test', requestId: 'e2e-dup' });
    await publisher.publishEnvelope(topics.cloneRequested, envelope);
    await publisher.publishEnvelope(topics.cloneRequested, envelope);
    const done = await completed.waitFor((m) => m.envelope?.requestId === 'e2e-dup', 90_000);
    expect((done.envelope?.data as CloneCompleted).spec.targetAccountId).toBe('e2e-dup-target');
    // a second outcome would be in flight by now: give it the time one whole pipeline run took
    await new Promise((r) => setTimeout(r, 8_000));
    expect(completed.received.filter((m) => m.envelope?.requestId === 'e2e-dup')).toHaveLength(1);
    expect(failed.received.filter((m) => m.envelope?.requestId === 'e2e-dup')).toHaveLength(0);
  });

  it('dead-letters a non-JSON and a schema-invalid clone request with the reason, and the next request completes', async () => {
    const topic = names.of(topics.cloneRequested);
    await publisher.publishRaw(topic, '{"this is": not json', 'bad-target');
    const invalid = createEnvelope(topics.cloneRequested, { ...cloneRequest('bad-target'), spec: { ...cloneRequest('bad-target').spec, timeframeHours: 0 } }, { source: 'e2e-test', requestId: 'e2e-invalid' });
    await publisher.publishRaw(topic, JSON.stringify(invalid), 'bad-target');
    await publisher.publish(topics.cloneRequested, cloneRequest('e2e-after-dlq'), { requestId: 'e2e-after-dlq' });

    const notJson = await dlq.waitFor((m) => m.headers['x-dlq-stage'] === 'decode', 60_000);
    expect(notJson.value?.toString()).toBe('{"this is": not json');
    expect(notJson.headers['x-dlq-reason']).toMatch(/not JSON/);
    const schema = await dlq.waitFor((m) => m.headers['x-dlq-stage'] === 'validate', 60_000);
    expect(schema.headers['x-dlq-reason']).toMatch(/timeframeHours/);
    expect(schema.headers['x-dlq-source-topic']).toBe(topic);
    await completed.waitFor((m) => m.envelope?.requestId === 'e2e-after-dlq', 90_000);

    const listed = stack.cli(['dlq', 'list', 'clone.requested.v1', '--json']);
    expect(listed.status).toBe(0);
    const reasons = (JSON.parse(listed.stdout) as { messages: { stage: string; reason: string }[] }).messages.map((m) => m.stage);
    expect(reasons).toEqual(expect.arrayContaining(['decode', 'validate']));
  });

  it('closes the control loop: usage well above the forecast scales the clone up and provisioning applies it', async () => {
    const target = 'e2e-scale-target';
    await publisher.publish(topics.cloneRequested, cloneRequest(target), { requestId: 'e2e-scale' });
    const done = (await completed.waitFor((m) => m.envelope?.requestId === 'e2e-scale', 90_000)).envelope?.data as CloneCompleted;
    const capacity = done.allocations.reduce((sum, a) => sum + a.quantity * a.vcpu, 0);
    const decided = await TopicProbe.start(kafka, names.of(topics.scalingDecided));
    const scaled = await TopicProbe.start(kafka, names.of(topics.resourcesScaled));
    try {
      // three 5-minute readings at three times the provisioned vCPU: above the forecast median by far
      for (let i = 0; i < 3; i += 1) {
        const observedAt = new Date(Date.parse(done.spec.activationAt) + (60 + 5 * i) * 60_000).toISOString();
        await publisher.publish(topics.usageObserved, { accountId: target, observedAt, intervalMinutes: 5, usage: { cpu: capacity * 3, memory: 1, storage: 1, network: 1 } }, { requestId: `e2e-usage-${i}` });
      }
      const decision = await decided.waitFor((m) => (m.envelope?.data as ScalingDecided | undefined)?.accountId === target, 60_000);
      const d = decision.envelope?.data as ScalingDecided;
      expect(d.direction).toBe('up');
      expect(d.toSize).toBeGreaterThan(d.fromSize);
      expect(d.reason).toMatch(/cpu/);
      const applied = await scaled.waitFor((m) => (m.envelope?.data as ResourcesScaled | undefined)?.decisionId === decision.envelope?.id, 60_000);
      const a = applied.envelope?.data as ResourcesScaled;
      expect(a.size).toBe(d.toSize);
      expect(existsSync(a.artifactPath)).toBe(true);
      // hysteresis 2 and a cooldown: the third reading must not produce a second decision
      await new Promise((r) => setTimeout(r, 3_000));
      expect(decided.received.filter((m) => (m.envelope?.data as ScalingDecided | undefined)?.accountId === target)).toHaveLength(1);
    } finally {
      await Promise.all([decided.stop(), scaled.stop()]);
    }
  });

  it('loses no request and duplicates no outcome when a service is killed mid-stream and restarted', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `e2e-kill-${i}`);
    const predicted = await TopicProbe.start(kafka, names.of(topics.demandPredicted));
    try {
      for (const [i, id] of ids.entries()) await publisher.publish(topics.cloneRequested, cloneRequest(`e2e-kill-target-${i}`), { requestId: id });
      await predicted.waitFor((m) => m.envelope?.requestId === ids[0], 60_000);
      await stack.kill('cost-optimization-service');
      stack.start('cost-optimization-service');
      await stack.healthy('cost-optimization-service');
      for (const id of ids) await completed.waitFor((m) => m.envelope?.requestId === id, 120_000);
      await new Promise((r) => setTimeout(r, 5_000));
      for (const id of ids) {
        expect(completed.received.filter((m) => m.envelope?.requestId === id)).toHaveLength(1);
      }
      const plansPerRequest = (await collect(names.of(topics.allocationPlanned))).reduce<Record<string, number>>((acc, e) => {
        acc[e.requestId] = (acc[e.requestId] ?? 0) + 1;
        return acc;
      }, {});
      for (const id of ids) expect(plansPerRequest[id]).toBe(1);
    } finally {
      await predicted.stop();
    }
  });
});

/** Committed envelopes of a topic, as a read_committed consumer sees them. */
async function collect(topic: string): Promise<Envelope[]> {
  const probe = await TopicProbe.start(kafka, topic);
  await new Promise((r) => setTimeout(r, 4_000));
  await probe.stop();
  return probe.received.flatMap((m) => (m.envelope ? [m.envelope] : []));
}
