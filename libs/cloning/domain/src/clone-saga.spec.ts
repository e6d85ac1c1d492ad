import type { Allocation, AllocationPlan, CloneSpec } from '@clonecast/contracts';
import { applySagaEvent, SagaBook, type CloneSagaState, type SagaEvent } from './clone-saga';
import { SagaRequestMismatchError } from './errors';

const spec: CloneSpec = {
  sourceAccountId: 'shop-prod',
  targetAccountId: 'shop-clone',
  accountType: 'production',
  applications: ['web'],
  activationAt: '2024-06-01T00:00:00Z',
  timeframeHours: 24,
  serviceLevel: 0.95,
  constraints: { clouds: ['aws'], maxSpotShare: 0, allowCommitments: false, minInstances: 1 },
};

function allocation(quantity: number): Allocation {
  return {
    cloud: 'aws',
    region: 'eu-west-1',
    instanceType: 'm7i.xlarge',
    pricingModel: 'on-demand',
    quantity,
    from: '2024-06-01T00:00:00Z',
    to: '2024-06-02T00:00:00Z',
    vcpu: 4,
    memoryGiB: 16,
    hourlyPrice: 0.2,
  };
}

const plan: AllocationPlan = {
  planner: 'milp@1',
  catalogVersion: '2024-05',
  catalogAgeDays: 3,
  currency: 'USD',
  expectedCost: 120,
  costQuantiles: { '0.5': 118 },
  expectedUnmetDemand: { cpu: 0, memory: 0 },
  required: { cpu: 8, memory: 32 },
  allocations: [allocation(2)],
};

const at = (minute: number) => new Date(Date.parse('2024-05-31T10:00:00Z') + minute * 60_000).toISOString();

const requested: SagaEvent = {
  type: 'clone.requested',
  requestId: 'req-1',
  occurredAt: at(0),
  data: {
    spec,
    profile: { accountId: 'shop-prod', accountType: 'production', applications: ['web'], historicalData: [], events: [] },
  },
};
const predicted: SagaEvent = {
  type: 'demand.predicted',
  requestId: 'req-1',
  occurredAt: at(1),
  data: {
    spec,
    predictor: { kind: 'baseline', modelVersion: 'baseline-hour-of-week@1' },
    forecast: {
      modelVersion: 'baseline-hour-of-week@1',
      stepMinutes: 60,
      start: '2024-06-01T00:00:00Z',
      timestamps: [],
      quantiles: [0.5],
      metrics: { cpu: {}, memory: {}, storage: {}, network: {} },
    },
  },
};
const planned: SagaEvent = { type: 'allocation.planned', requestId: 'req-1', occurredAt: at(2), data: { spec, plan } };
const provisioned: SagaEvent = {
  type: 'resources.provisioned',
  requestId: 'req-1',
  occurredAt: at(3),
  data: {
    spec,
    plan,
    resources: {
      driver: 'plan-only',
      artifactPath: 'out/req-1/plan.tf.json',
      artifactSha256: 'a'.repeat(64),
      startedAt: at(3),
      readyAt: at(3),
      leadTimeMinutes: 0,
      groups: [],
    },
  },
};
const completed: SagaEvent = {
  type: 'clone.completed',
  requestId: 'req-1',
  occurredAt: at(4),
  data: {
    spec,
    restoredConfig: { sourceVersion: 2, targetVersion: 1 },
    expectedCost: 125,
    allocations: [allocation(3)],
    artifactPath: 'out/req-1/final.tf.json',
    completedAt: at(4),
  },
};

function failed(stage: 'prediction' | 'cost-optimization' | 'cloning', minute: number): SagaEvent {
  return {
    type: 'clone.failed',
    requestId: 'req-1',
    occurredAt: at(minute),
    data: {
      targetAccountId: 'shop-clone',
      sourceAccountId: 'shop-prod',
      stage,
      code: 'NO_CATALOG_ROWS',
      reason: 'no catalog rows for the allowed clouds',
      failedAt: at(minute),
    },
  };
}

function fold(events: readonly SagaEvent[], initial?: CloneSagaState): CloneSagaState {
  return events.reduce<CloneSagaState | undefined>(applySagaEvent, initial) as CloneSagaState;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('applySagaEvent', () => {
  it('opens a pending saga from the clone request', () => {
    expect(applySagaEvent(undefined, requested)).toEqual({
      requestId: 'req-1',
      sourceAccountId: 'shop-prod',
      targetAccountId: 'shop-clone',
      status: 'pending',
      stage: 'request',
      stages: { request: { at: at(0) } },
      updatedAt: at(0),
    });
  });

  it('follows the pipeline to completion with timings and the final facts', () => {
    expect(fold([requested, predicted, planned, provisioned, completed])).toEqual({
      requestId: 'req-1',
      sourceAccountId: 'shop-prod',
      targetAccountId: 'shop-clone',
      status: 'completed',
      stage: 'cloning',
      stages: {
        request: { at: at(0) },
        prediction: { at: at(1) },
        'cost-optimization': { at: at(2) },
        provisioning: { at: at(3) },
        cloning: { at: at(4) },
      },
      expectedCost: 125,
      allocations: [allocation(3)],
      artifactPath: 'out/req-1/final.tf.json',
      modelVersion: 'baseline-hour-of-week@1',
      updatedAt: at(4),
    });
  });

  it('records the plan and artifact while the saga is still pending', () => {
    const saga = fold([requested, predicted, planned, provisioned]);

    expect(saga).toMatchObject({
      status: 'pending',
      stage: 'provisioning',
      expectedCost: 120,
      allocations: [allocation(2)],
      artifactPath: 'out/req-1/plan.tf.json',
    });
  });

  it('opens a saga from any event, not only the request', () => {
    const saga = applySagaEvent(undefined, planned);

    expect(saga).toMatchObject({ status: 'pending', stage: 'cost-optimization', targetAccountId: 'shop-clone' });
    expect(saga.stages).toEqual({ 'cost-optimization': { at: at(2) } });
  });

  it('does not regress status or stage on a late prediction, but keeps its model version', () => {
    const saga = fold([requested, planned, provisioned, completed, predicted]);

    expect(saga).toMatchObject({ status: 'completed', stage: 'cloning', modelVersion: 'baseline-hour-of-week@1' });
    expect(saga.updatedAt).toBe(at(4));
  });

  it('keeps the completed facts when an earlier stage arrives after completion', () => {
    const saga = fold([completed, planned, provisioned]);

    expect(saga).toMatchObject({
      expectedCost: 125,
      allocations: [allocation(3)],
      artifactPath: 'out/req-1/final.tf.json',
    });
  });

  it('reaches the same state whatever order the pipeline events arrive in', () => {
    const events = [requested, predicted, planned, provisioned, completed];
    const expected = fold(events);

    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
  });

  it('ignores a repeated stage event', () => {
    const saga = fold([requested, planned]);
    const repeat = { ...planned, occurredAt: at(9), data: { spec, plan: { ...plan, expectedCost: 999 } } };

    expect(applySagaEvent(saga, repeat)).toBe(saga);
  });

  it('marks the saga failed with the stage, code and reason', () => {
    const saga = fold([requested, predicted, failed('cost-optimization', 2)]);

    expect(saga).toMatchObject({
      status: 'failed',
      stage: 'cost-optimization',
      failure: {
        stage: 'cost-optimization',
        code: 'NO_CATALOG_ROWS',
        reason: 'no catalog rows for the allowed clouds',
        at: at(2),
      },
      updatedAt: at(2),
    });
    expect(saga.stages).toEqual({ request: { at: at(0) }, prediction: { at: at(1) } });
  });

  it('opens a failed saga from a failure alone', () => {
    const saga = applySagaEvent(undefined, failed('prediction', 1));

    expect(saga).toMatchObject({
      requestId: 'req-1',
      sourceAccountId: 'shop-prod',
      targetAccountId: 'shop-clone',
      status: 'failed',
      stage: 'prediction',
      stages: {},
    });
  });

  it('ignores a repeated failure', () => {
    const saga = fold([requested, failed('prediction', 1)]);

    expect(applySagaEvent(saga, failed('cost-optimization', 5))).toBe(saga);
  });

  it('stays completed when a failure arrives afterwards', () => {
    const saga = fold([requested, predicted, planned, provisioned, completed]);

    expect(applySagaEvent(saga, failed('cloning', 5))).toBe(saga);
  });

  it('stays failed when a completion arrives afterwards', () => {
    const saga = fold([requested, failed('cloning', 3)]);

    expect(applySagaEvent(saga, completed)).toBe(saga);
  });

  it('stays failed but records a late event from a stage before the failure', () => {
    const saga = fold([requested, failed('cost-optimization', 2), predicted]);

    expect(saga).toMatchObject({ status: 'failed', stage: 'cost-optimization', modelVersion: 'baseline-hour-of-week@1' });
    expect(saga.stages.prediction).toEqual({ at: at(1) });
  });

  it('refuses an event of another request', () => {
    const saga = applySagaEvent(undefined, requested);

    expect(() => applySagaEvent(saga, { ...predicted, requestId: 'req-2' })).toThrow(SagaRequestMismatchError);
  });

  it('does not modify the saga it is given', () => {
    const saga = Object.freeze(applySagaEvent(undefined, requested));
    const stages = Object.freeze(saga.stages);

    const next = applySagaEvent(saga, predicted);

    expect(saga.stages).toBe(stages);
    expect(saga.stages).toEqual({ request: { at: at(0) } });
    expect(next.stage).toBe('prediction');
  });
});

describe('SagaBook', () => {
  it('keeps one saga per request and returns it as it now stands', () => {
    const book = new SagaBook();

    book.apply(requested);
    const saga = book.apply(predicted);

    expect(book.size).toBe(1);
    expect(book.get('req-1')).toBe(saga);
    expect(saga.stage).toBe('prediction');
  });

  it('does not know an unseen request', () => {
    expect(new SagaBook().get('req-404')).toBeUndefined();
  });

  it('lists sagas most recently updated first', () => {
    const book = new SagaBook();
    book.apply(requested);
    book.apply({ ...requested, requestId: 'req-2', occurredAt: at(30) });
    book.apply({ ...requested, requestId: 'req-3', occurredAt: at(10) });

    expect(book.list().map((s) => s.requestId)).toEqual(['req-2', 'req-3', 'req-1']);
  });
});
