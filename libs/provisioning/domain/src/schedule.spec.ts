import { InvalidLeadTimeError } from './errors';
import { LEAD_TIME_MODEL, estimateLeadTimeMinutes, provisioningSchedule } from './schedule';

const spec = { activationAt: '2026-03-01T12:00:00Z' };

describe('provisioningSchedule', () => {
  it('starts one lead time before activation so resources are ready at activation', () => {
    const schedule = provisioningSchedule(spec, 30, new Date('2026-03-01T09:00:00Z'));
    expect(schedule).toEqual({
      startAt: new Date('2026-03-01T11:30:00Z'),
      readyAt: new Date('2026-03-01T12:00:00Z'),
      late: false,
    });
  });

  it('is on time when the ideal start is exactly now', () => {
    const schedule = provisioningSchedule(spec, 30, new Date('2026-03-01T11:30:00Z'));
    expect(schedule.late).toBe(false);
    expect(schedule.readyAt).toEqual(new Date('2026-03-01T12:00:00Z'));
  });

  it('starts now and is late when the ideal start has passed', () => {
    const now = new Date('2026-03-01T11:50:00Z');
    const schedule = provisioningSchedule(spec, 30, now);
    expect(schedule).toEqual({ startAt: now, readyAt: new Date('2026-03-01T12:20:00Z'), late: true });
    expect(schedule.startAt).not.toBe(now);
  });

  it('rejects negative or non-finite lead times', () => {
    expect(() => provisioningSchedule(spec, -1, new Date())).toThrow(InvalidLeadTimeError);
    expect(() => provisioningSchedule(spec, Number.NaN, new Date())).toThrow(expect.objectContaining({ code: 'INVALID_LEAD_TIME' }));
  });
});

describe('estimateLeadTimeMinutes', () => {
  it('adds a base, a cost per group and a cost per instance, rounded up', () => {
    // 5 + 2 * 2 + 0.1 * (3 + 4) = 9.7
    expect(estimateLeadTimeMinutes([{ size: 3 }, { size: 4 }])).toBe(10);
  });

  it('grows with groups and instances', () => {
    expect(estimateLeadTimeMinutes([{ size: 1 }, { size: 1 }])).toBeGreaterThan(estimateLeadTimeMinutes([{ size: 2 }]));
    expect(estimateLeadTimeMinutes([{ size: 100 }])).toBeGreaterThan(estimateLeadTimeMinutes([{ size: 1 }]));
  });

  it('is capped', () => {
    expect(estimateLeadTimeMinutes([{ size: 100_000 }])).toBe(LEAD_TIME_MODEL.maxMinutes);
  });
});
