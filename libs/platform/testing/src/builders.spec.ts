import {
  accountProfileSchema,
  allocationPlanSchema,
  cloneSpecSchema,
  demandForecastSchema,
  topics,
  type DemandPredicted,
} from '@clonecast/contracts';
import {
  ACTIVATION_AT,
  aCloneRequested,
  aCloneSpec,
  aForecast,
  allocationCost,
  anAccountProfile,
  anAllocation,
  anAllocationPlan,
  buildEnvelope,
  syntheticHistory,
} from './builders';

const HOUR_MS = 3_600_000;

describe('data builders', () => {
  // parse(x) equal to x: valid, and already in output form (defaults filled, nothing stripped).
  it('build data the contracts accept as is', () => {
    expect(cloneSpecSchema.parse(aCloneSpec())).toEqual(aCloneSpec());
    expect(accountProfileSchema.parse(anAccountProfile())).toEqual(anAccountProfile());
    expect(demandForecastSchema.parse(aForecast())).toEqual(aForecast());
    expect(allocationPlanSchema.parse(anAllocationPlan())).toEqual(anAllocationPlan());
    expect(topics.cloneRequested.schema.parse(aCloneRequested())).toEqual(aCloneRequested());
  });

  it('apply overrides, merging placement constraints into the defaults', () => {
    const spec = aCloneSpec({ targetAccountId: 'shop-prod-bf', constraints: { maxSpotShare: 0.3 } });
    expect(spec.targetAccountId).toBe('shop-prod-bf');
    expect(spec.constraints).toEqual({ clouds: ['aws', 'gcp'], maxSpotShare: 0.3, allowCommitments: false, minInstances: 1 });
    expect(cloneSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('describe the source account of the spec in a clone request', () => {
    const request = aCloneRequested({ spec: { sourceAccountId: 'billing-prod', targetAccountId: 'billing-qa', accountType: 'staging' } });
    expect(request.profile).toMatchObject({ accountId: 'billing-prod', accountType: 'staging' });
    expect(topics.cloneRequested.schema.safeParse(request).success).toBe(true);
  });

  it('give the profile four weeks of hourly history ending where the clone goes live', () => {
    const history = anAccountProfile().historicalData;
    expect(history).toHaveLength(28 * 24);
    const gaps = history.slice(1).map((sample, i) => Date.parse(sample.timestamp) - Date.parse(history[i]?.timestamp ?? ''));
    expect(new Set(gaps)).toEqual(new Set([HOUR_MS]));
    expect(Date.parse(history.at(-1)?.timestamp ?? '') + HOUR_MS).toBe(Date.parse(ACTIVATION_AT));
  });

  it('make the history a deterministic daily cycle peaking mid-afternoon', () => {
    const history = syntheticHistory({ days: 2 });
    expect(syntheticHistory({ days: 2 })).toEqual(history);
    const at = (hour: number) => history[hour];
    expect(at(15)?.cpu).toBeGreaterThan(at(9)?.cpu ?? Infinity);
    expect(at(9)?.cpu).toBeGreaterThan(at(3)?.cpu ?? Infinity);
    expect(at(24 + 15)).toEqual({ ...at(15), timestamp: at(24 + 15)?.timestamp });
    expect(at(3)?.network).toBeLessThan((at(15)?.network ?? 0) / 2);
  });

  it('build a forecast whose series match its steps and are ordered by quantile', () => {
    const forecast = aForecast({ hours: 6, quantiles: [0.1, 0.5, 0.9] });
    expect(demandForecastSchema.safeParse(forecast).success).toBe(true);
    expect(forecast.timestamps).toHaveLength(6);
    for (const step of forecast.timestamps.keys()) {
      const cpu = [0.1, 0.5, 0.9].map((q) => forecast.metrics.cpu[String(q)]?.[step] ?? NaN);
      expect(cpu).toEqual([...cpu].sort((a, b) => a - b));
    }
  });

  it('price the plan from its allocations and cover the forecast peak', () => {
    const plan = anAllocationPlan();
    expect(plan.expectedCost).toBeCloseTo(3 * 0.4032 * 24, 6);
    const capacity = plan.allocations.reduce((sum, a) => sum + a.quantity * a.vcpu, 0);
    const peakCpu = Math.max(...(aForecast().metrics.cpu['0.95'] ?? []));
    expect(plan.required.cpu).toBeGreaterThanOrEqual(peakCpu);
    expect(capacity).toBeGreaterThanOrEqual(plan.required.cpu);

    const spot = anAllocation({ pricingModel: 'spot', quantity: 1, hourlyPrice: 0.16 });
    expect(anAllocationPlan({ allocations: [spot] }).expectedCost).toBe(allocationCost([spot]));
  });
});

describe('buildEnvelope', () => {
  it('wraps data in a valid envelope of the topic', () => {
    const spec = aCloneSpec();
    const predicted: DemandPredicted = { spec, predictor: { kind: 'model', modelVersion: 'test-model 0.0.0' }, forecast: aForecast() };
    expect(topics.cloneRequested.envelope.safeParse(buildEnvelope('cloneRequested', aCloneRequested())).error).toBeUndefined();
    expect(topics.demandPredicted.envelope.safeParse(buildEnvelope('demandPredicted', predicted)).error).toBeUndefined();
    expect(topics.allocationPlanned.envelope.safeParse(buildEnvelope('allocationPlanned', { spec, plan: anAllocationPlan() })).error).toBeUndefined();
  });

  it('stamps a fresh id, now, source "test" and a random request id unless given', () => {
    const before = Date.now();
    const first = buildEnvelope('cloneRequested', aCloneRequested());
    const second = buildEnvelope('cloneRequested', aCloneRequested());
    expect(first).toMatchObject({ type: 'clone.requested', version: 1, source: 'test' });
    expect(first.id).not.toBe(second.id);
    expect(first.requestId).not.toBe(second.requestId);
    expect(Date.parse(first.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(first.occurredAt)).toBeLessThanOrEqual(Date.now());

    const given = buildEnvelope('cloneRequested', aCloneRequested(), { requestId: 'req-42', source: 'cli' });
    expect(given).toMatchObject({ requestId: 'req-42', source: 'cli' });
  });
});
