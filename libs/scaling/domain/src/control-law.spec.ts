import type { ResourceDemand } from '@clonecast/contracts';
import {
  decideScaling,
  INITIAL_CONTROL_STATE,
  requiredSize,
  type ControlOutcome,
  type ControlState,
  type InstanceGroup,
  type ScalingPolicy,
} from './control-law';
import { InvalidInstanceGroupError, InvalidInstantError, InvalidScalingPolicyError } from './errors';

const group: InstanceGroup = {
  name: 'web',
  cloud: 'aws',
  region: 'eu-west-1',
  instanceType: 'm7i.xlarge',
  pricingModel: 'on-demand',
  size: 4,
  vcpu: 4,
  memoryGiB: 16,
};

const policy: ScalingPolicy = {
  upThreshold: 0.2,
  downThreshold: 0.3,
  hysteresis: 2,
  cooldownMinutes: 30,
  minSize: 1,
  maxSize: 10,
  targetUtilisation: 0.7,
};

const median: ResourceDemand = { cpu: 8, memory: 32, storage: 50, network: 100 };

function usage(cpu: number, memory: number): ResourceDemand {
  return { cpu, memory, storage: 50, network: 100 };
}

function at(minute: number): string {
  return new Date(Date.parse('2024-05-06T10:00:00Z') + minute * 60_000).toISOString();
}

/** Feeds observations in order (one every 5 minutes from `startMinute`), returning every outcome. */
function run(
  observations: readonly ResourceDemand[],
  options: { state?: ControlState; group?: InstanceGroup; policy?: ScalingPolicy; startMinute?: number } = {},
): ControlOutcome[] {
  let state = options.state ?? INITIAL_CONTROL_STATE;
  return observations.map((observed, i) => {
    const outcome = decideScaling(
      state,
      options.group ?? group,
      { at: at((options.startMinute ?? 0) + 5 * i), usage: observed },
      median,
      options.policy ?? policy,
    );
    state = outcome.state;
    return outcome;
  });
}

describe('decideScaling', () => {
  it('scales up once the upward deviation has held for the hysteresis count', () => {
    const [first, second] = run([usage(15, 32), usage(15, 32)]);

    expect(first?.decision).toBeNull();
    expect(first?.state).toEqual({ consecutiveUp: 1, consecutiveDown: 0 });
    expect(second?.decision).toMatchObject({ direction: 'up', fromSize: 4, toSize: 6, decidedAt: at(5) });
    expect(second?.state).toEqual({ consecutiveUp: 0, consecutiveDown: 0, lastDecisionAt: at(5) });
  });

  it('says in the reason which metric deviated and by how much', () => {
    const [, second] = run([usage(15, 32), usage(15, 32)]);

    expect(second?.decision?.reason).toBe(
      'cpu 15 vCPU is 87.5% above the forecast median of 8 vCPU for 2 consecutive observations: ' +
        'web 4 -> 6 instances of 4 vCPU / 16 GiB at 70% target utilisation',
    );
  });

  it('scales up on memory alone and names memory as the cause', () => {
    const [, second] = run([usage(8, 60), usage(8, 60)]);

    expect(second?.decision).toMatchObject({ direction: 'up', fromSize: 4, toSize: 6 });
    expect(second?.decision?.reason).toMatch(/^memory 60 GiB is 87\.5% above the forecast median of 32 GiB/);
  });

  it('does not flap while usage moves inside the dead band', () => {
    const outcomes = run([usage(9, 34), usage(7, 30), usage(9.5, 36), usage(6, 26), usage(8, 32)]);

    expect(outcomes.map((o) => o.decision)).toEqual([null, null, null, null, null]);
    expect(outcomes.at(-1)?.state).toEqual({ consecutiveUp: 0, consecutiveDown: 0 });
  });

  it('resets the streak when a deviation is interrupted by an in-band observation', () => {
    const outcomes = run([usage(15, 32), usage(8, 32), usage(15, 32), usage(8, 32), usage(15, 32)]);

    expect(outcomes.every((o) => o.decision === null)).toBe(true);
  });

  it('resets the upward streak when usage swings below the forecast', () => {
    const outcomes = run([usage(15, 32), usage(2, 8), usage(15, 32)]);

    expect(outcomes.map((o) => o.decision)).toEqual([null, null, null]);
    expect(outcomes.map((o) => [o.state.consecutiveUp, o.state.consecutiveDown])).toEqual([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('makes no decision inside the cooldown, then acts as soon as it ends', () => {
    const afterFirst = run([usage(15, 32), usage(15, 32)]).at(-1)?.state as ControlState;
    const resized = { ...group, size: 6 };

    // Minutes 10..30 after the first decision at minute 5: still cooling down until minute 35.
    const outcomes = run([usage(25, 32), usage(25, 32), usage(25, 32), usage(25, 32), usage(25, 32), usage(25, 32)], {
      state: afterFirst,
      group: resized,
      startMinute: 10,
    });

    expect(outcomes.slice(0, 5).map((o) => o.decision)).toEqual([null, null, null, null, null]);
    expect(outcomes[5]?.decision).toMatchObject({ direction: 'up', fromSize: 6, toSize: 9, decidedAt: at(35) });
  });

  it('keeps the size within maxSize', () => {
    const [, second] = run([usage(100, 32), usage(100, 32)]);

    expect(second?.decision).toMatchObject({ direction: 'up', fromSize: 4, toSize: 10 });
  });

  it('makes no decision when the group is already at maxSize', () => {
    const outcomes = run([usage(100, 32), usage(100, 32)], { group: { ...group, size: 10 } });

    expect(outcomes.map((o) => o.decision)).toEqual([null, null]);
  });

  it('scales down when every sized metric stays below the forecast', () => {
    const [first, second] = run([usage(4, 16), usage(4, 16)]);

    expect(first?.decision).toBeNull();
    expect(second?.decision).toMatchObject({ direction: 'down', fromSize: 4, toSize: 2 });
    expect(second?.decision?.reason).toContain('cpu 4 vCPU is 50.0% below the forecast median of 8 vCPU');
    expect(second?.decision?.reason).toContain('memory 16 GiB is 50.0% below the forecast median of 32 GiB');
  });

  it('keeps the size at or above minSize', () => {
    const [, second] = run([usage(0.1, 0.5), usage(0.1, 0.5)], { policy: { ...policy, minSize: 3 } });

    expect(second?.decision).toMatchObject({ direction: 'down', fromSize: 4, toSize: 3 });
  });

  it('does not scale down while memory is still near the forecast', () => {
    const outcomes = run([usage(4, 30), usage(4, 30), usage(4, 30)]);

    expect(outcomes.map((o) => o.decision)).toEqual([null, null, null]);
  });

  it('does not shrink an oversized group on an upward deviation', () => {
    const outcomes = run([usage(10, 32), usage(10, 32)], { group: { ...group, size: 8 } });

    expect(outcomes.map((o) => o.decision)).toEqual([null, null]);
  });

  it('treats usage over a zero forecast median as an upward deviation', () => {
    const zeroMedian = { ...median, cpu: 0 };
    const state = { consecutiveUp: 1, consecutiveDown: 0 };

    const outcome = decideScaling(state, { ...group, size: 1 }, { at: at(0), usage: usage(6, 32) }, zeroMedian, policy);

    expect(outcome.decision).toMatchObject({ direction: 'up', fromSize: 1, toSize: 3 });
    expect(outcome.decision?.reason).toContain('cpu 6 vCPU against a forecast median of 0 vCPU');
  });

  it('acts on the first deviation when hysteresis is 1', () => {
    const [first] = run([usage(15, 32)], { policy: { ...policy, hysteresis: 1 } });

    expect(first?.decision?.reason).toContain('for 1 observation:');
  });

  it('does not modify the state it is given', () => {
    const state = Object.freeze({ consecutiveUp: 1, consecutiveDown: 0 });

    const outcome = decideScaling(state, group, { at: at(0), usage: usage(15, 32) }, median, policy);

    expect(state).toEqual({ consecutiveUp: 1, consecutiveDown: 0 });
    expect(outcome.state).not.toBe(state);
  });

  it('rejects an invalid policy, listing every problem', () => {
    const call = () =>
      decideScaling(INITIAL_CONTROL_STATE, group, { at: at(0), usage: usage(8, 32) }, median, {
        ...policy,
        hysteresis: 0,
        minSize: 5,
        maxSize: 2,
      });

    expect(call).toThrow(InvalidScalingPolicyError);
    expect(call).toThrow(
      'invalid scaling policy: hysteresis must be an integer >= 1; maxSize must be an integer >= max(1, minSize)',
    );
  });

  it('rejects an instance group without capacity', () => {
    const call = () =>
      decideScaling(INITIAL_CONTROL_STATE, { ...group, vcpu: 0 }, { at: at(0), usage: usage(8, 32) }, median, policy);

    expect(call).toThrow(InvalidInstanceGroupError);
    expect(call).toThrow('invalid instance group web: vcpu must be > 0');
  });

  it('rejects an observation time that is not an instant', () => {
    expect(() =>
      decideScaling(INITIAL_CONTROL_STATE, group, { at: 'now', usage: usage(8, 32) }, median, policy),
    ).toThrow(InvalidInstantError);
  });
});

describe('requiredSize', () => {
  it('sizes for the larger of the vCPU and memory needs at the target utilisation', () => {
    expect(requiredSize(usage(10, 50), group, policy)).toBe(5);
  });

  it('does not add an instance when load sits exactly at the target', () => {
    expect(requiredSize(usage(2.8 * 3, 0), group, policy)).toBe(3);
  });
});
