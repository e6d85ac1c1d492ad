import type {
  Allocation,
  AllocationPlanned,
  CloneCompleted,
  CloneFailed,
  CloneRequested,
  DemandPredicted,
  ResourcesProvisioned,
  Stage,
} from '@clonecast/contracts';
import { SagaRequestMismatchError } from './errors';

/** The stages of a clone request, in pipeline order. */
export const SAGA_STAGES = ['request', 'prediction', 'cost-optimization', 'provisioning', 'cloning'] as const;
export type SagaStage = (typeof SAGA_STAGES)[number];

export type SagaStatus = 'pending' | 'completed' | 'failed';

interface SagaEventOf<T extends string, D> {
  readonly type: T;
  readonly requestId: string;
  readonly occurredAt: string;
  readonly data: D;
}

/** A pipeline event as the saga needs it; a contracts Envelope of these types fits as is. */
export type SagaEvent =
  | SagaEventOf<'clone.requested', CloneRequested>
  | SagaEventOf<'demand.predicted', DemandPredicted>
  | SagaEventOf<'allocation.planned', AllocationPlanned>
  | SagaEventOf<'resources.provisioned', ResourcesProvisioned>
  | SagaEventOf<'clone.completed', CloneCompleted>
  | SagaEventOf<'clone.failed', CloneFailed>;
export type SagaEventType = SagaEvent['type'];
type StageEvent = Exclude<SagaEvent, { type: 'clone.failed' }>;

export interface SagaFailure {
  readonly stage: Stage;
  readonly code: string;
  readonly reason: string;
  readonly at: string;
}

export interface CloneSagaState {
  readonly requestId: string;
  readonly sourceAccountId?: string;
  readonly targetAccountId: string;
  readonly status: SagaStatus;
  /** Furthest stage reached: by a stage's event, or by failing in it. */
  readonly stage: SagaStage;
  /** When each stage's event occurred. */
  readonly stages: Readonly<Partial<Record<SagaStage, { readonly at: string }>>>;
  readonly expectedCost?: number;
  readonly allocations?: readonly Allocation[];
  readonly artifactPath?: string;
  readonly modelVersion?: string;
  readonly failure?: SagaFailure;
  /** Latest occurredAt among the applied events. */
  readonly updatedAt: string;
}

const EVENT_STAGE: Record<StageEvent['type'], SagaStage> = {
  'clone.requested': 'request',
  'demand.predicted': 'prediction',
  'allocation.planned': 'cost-optimization',
  'resources.provisioned': 'provisioning',
  'clone.completed': 'cloning',
};

type SagaFacts = Pick<CloneSagaState, 'expectedCost' | 'allocations' | 'artifactPath' | 'modelVersion'>;

/** Stages whose events carry each fact; a later stage's value is the authoritative one. */
const FACT_SOURCES: Record<keyof SagaFacts, readonly SagaStage[]> = {
  modelVersion: ['prediction'],
  expectedCost: ['cost-optimization', 'provisioning', 'cloning'],
  allocations: ['cost-optimization', 'provisioning', 'cloning'],
  artifactPath: ['provisioning', 'cloning'],
};

/**
 * Folds one pipeline event into the saga of its request. Insensitive to arrival order where it can
 * be: a stage's event is applied at most once (repeats are no-ops, the first one wins), facts from
 * later stages win over earlier ones whichever arrives first, a late event never regresses the
 * status, and the first terminal event (completed or failed) wins. Returns the input unchanged for a no-op.
 */
export function applySagaEvent(saga: CloneSagaState | undefined, event: SagaEvent): CloneSagaState {
  if (saga !== undefined && saga.requestId !== event.requestId) {
    throw new SagaRequestMismatchError(saga.requestId, event.requestId);
  }
  return event.type === 'clone.failed' ? applyFailure(saga, event) : applyStageEvent(saga, event);
}

function applyStageEvent(saga: CloneSagaState | undefined, event: StageEvent): CloneSagaState {
  const stage = EVENT_STAGE[event.type];
  if (saga?.stages[stage] !== undefined) return saga;
  if (saga?.status === 'failed' && event.type === 'clone.completed') return saga;

  const { spec } = event.data;
  const stages = { ...saga?.stages, [stage]: { at: event.occurredAt } };
  const facts = acceptedFacts(factsOf(event), stage, stages);
  return {
    ...saga,
    ...facts,
    requestId: event.requestId,
    sourceAccountId: saga?.sourceAccountId ?? spec.sourceAccountId,
    targetAccountId: saga?.targetAccountId ?? spec.targetAccountId,
    status: event.type === 'clone.completed' ? 'completed' : (saga?.status ?? 'pending'),
    stage: furthestStage(stages, saga?.failure),
    stages,
    updatedAt: latestInstant(saga?.updatedAt, event.occurredAt),
  };
}

function applyFailure(saga: CloneSagaState | undefined, event: SagaEventOf<'clone.failed', CloneFailed>): CloneSagaState {
  if (saga?.status === 'completed' || saga?.status === 'failed') return saga;
  const { data } = event;
  const failure: SagaFailure = { stage: data.stage, code: data.code, reason: data.reason, at: event.occurredAt };
  const stages = saga?.stages ?? {};
  return {
    ...saga,
    requestId: event.requestId,
    sourceAccountId: saga?.sourceAccountId ?? data.sourceAccountId,
    targetAccountId: saga?.targetAccountId ?? data.targetAccountId,
    status: 'failed',
    stage: furthestStage(stages, failure),
    stages,
    failure,
    updatedAt: latestInstant(saga?.updatedAt, event.occurredAt),
  };
}

function factsOf(event: StageEvent): SagaFacts {
  switch (event.type) {
    case 'clone.requested':
      return {};
    case 'demand.predicted':
      return { modelVersion: event.data.predictor.modelVersion };
    case 'allocation.planned':
      return { expectedCost: event.data.plan.expectedCost, allocations: event.data.plan.allocations };
    case 'resources.provisioned':
      return {
        expectedCost: event.data.plan.expectedCost,
        allocations: event.data.plan.allocations,
        artifactPath: event.data.resources.artifactPath,
      };
    case 'clone.completed':
      return {
        expectedCost: event.data.expectedCost,
        allocations: event.data.allocations,
        artifactPath: event.data.artifactPath,
      };
  }
}

/** The incoming facts not superseded by an already applied later stage that also carries them. */
function acceptedFacts(incoming: SagaFacts, stage: SagaStage, stages: CloneSagaState['stages']): SagaFacts {
  const accepted: SagaFacts = {};
  for (const key of Object.keys(incoming) as (keyof SagaFacts)[]) {
    const superseded = FACT_SOURCES[key].some(
      (source) => stageIndex(source) > stageIndex(stage) && stages[source] !== undefined,
    );
    if (!superseded) Object.assign(accepted, { [key]: incoming[key] });
  }
  return accepted;
}

function furthestStage(stages: CloneSagaState['stages'], failure: SagaFailure | undefined): SagaStage {
  const reached = SAGA_STAGES.filter((stage) => stages[stage] !== undefined || failure?.stage === stage);
  return reached.at(-1) ?? 'request';
}

function stageIndex(stage: SagaStage): number {
  return SAGA_STAGES.indexOf(stage);
}

function latestInstant(current: string | undefined, candidate: string): string {
  if (current === undefined) return candidate;
  return Date.parse(candidate) > Date.parse(current) ? candidate : current;
}

/** Every clone saga, by request id. */
export class SagaBook {
  private readonly sagas = new Map<string, CloneSagaState>();

  /** Folds the event into its request's saga and returns the saga as it now stands. */
  apply(event: SagaEvent): CloneSagaState {
    const saga = applySagaEvent(this.sagas.get(event.requestId), event);
    this.sagas.set(event.requestId, saga);
    return saga;
  }

  get(requestId: string): CloneSagaState | undefined {
    return this.sagas.get(requestId);
  }

  /** All sagas, most recently updated first. */
  list(): CloneSagaState[] {
    return [...this.sagas.values()].sort(
      (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.requestId.localeCompare(b.requestId),
    );
  }

  get size(): number {
    return this.sagas.size;
  }
}
