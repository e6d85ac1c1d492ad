import { demandForecastSchema, METRICS, type UsageSample } from '@clonecast/contracts';
import { InvalidForecastOptionsError, NoHistoryError } from './errors';
import { BASELINE_MODEL_VERSION, forecastHourOfWeek } from './hour-of-week-forecaster';

const HOUR = 3_600_000;
const WEEK_HOURS = 168;
/** A Monday, 00:00 UTC. */
const T0 = Date.parse('2024-01-01T00:00:00Z');

/** Weekly pattern constant over 4-hour blocks, so every hour shares its block with at least one neighbour. */
function weeklyCpu(hourOfWeek: number): number {
  const day = Math.floor(hourOfWeek / 24);
  const block = Math.floor((hourOfWeek % 24) / 4);
  return 1 + day + block * 0.25 + (block === 3 ? 6 : 0);
}

function row(hourIndex: number, cpu: number, minuteOffset = 0): UsageSample {
  return {
    timestamp: new Date(T0 + hourIndex * HOUR + minuteOffset * 60_000).toISOString(),
    cpu,
    memory: 2 * cpu,
    storage: cpu + 10,
    network: 3 * cpu,
  };
}

function weeklyHistory(hours: number, skip: (hour: number) => boolean = () => false): UsageSample[] {
  return Array.from({ length: hours }, (_, h) => h)
    .filter((h) => !skip(h))
    .map((h) => row(h, weeklyCpu(h % WEEK_HOURS)));
}

describe('forecastHourOfWeek', () => {
  it('forecasts a weekly-periodic series at its hour-of-week values', () => {
    const forecast = forecastHourOfWeek(weeklyHistory(4 * WEEK_HOURS), { horizonHours: 168, quantiles: [0.5] });

    const expected = Array.from({ length: 168 }, (_, k) => weeklyCpu(k));
    expect(forecast.metrics.cpu['0.5']).toEqual(expected);
    expect(forecast.metrics.memory['0.5']).toEqual(expected.map((v) => 2 * v));
    expect(forecast.metrics.storage['0.5']).toEqual(expected.map((v) => v + 10));
    expect(forecast.metrics.network['0.5']).toEqual(expected.map((v) => 3 * v));
  });

  it('gives every quantile the exact value where the ±1 h window lies inside one block', () => {
    const forecast = forecastHourOfWeek(weeklyHistory(4 * WEEK_HOURS), {
      horizonHours: 168,
      quantiles: [0.05, 0.5, 0.95],
    });

    for (let k = 0; k < 168; k++) {
      if (k % 4 === 0 || k % 4 === 3) continue;
      for (const key of ['0.05', '0.5', '0.95']) expect(forecast.metrics.cpu[key]?.[k]).toBe(weeklyCpu(k));
    }
  });

  it('forecasts a start long after the history from its last weeks, keeping the hour of week', () => {
    // history ends on a Monday 00:00; 100 weeks and 5 hours later is a Monday 05:00
    const history = weeklyHistory(4 * WEEK_HOURS);
    const start = new Date(T0 + (104 * WEEK_HOURS + 5) * HOUR).toISOString();
    const forecast = forecastHourOfWeek(history, { start, horizonHours: 48, quantiles: [0.5] });

    expect(forecast.start).toBe(start);
    expect(forecast.metrics.cpu['0.5']).toEqual(Array.from({ length: 48 }, (_, k) => weeklyCpu(5 + k)));
  });

  it('starts by default at the hour after the last history row and steps hourly', () => {
    const history = weeklyHistory(2 * WEEK_HOURS);
    history.push(row(2 * WEEK_HOURS, 1, 35));

    const forecast = forecastHourOfWeek(history, { horizonHours: 3, quantiles: [0.5] });

    expect(forecast.start).toBe('2024-01-15T01:00:00.000Z');
    expect(forecast.timestamps).toEqual([
      '2024-01-15T01:00:00.000Z',
      '2024-01-15T02:00:00.000Z',
      '2024-01-15T03:00:00.000Z',
    ]);
    expect(forecast).toMatchObject({ modelVersion: BASELINE_MODEL_VERSION, stepMinutes: 60, quantiles: [0.5] });
  });

  it('forecasts a start between whole hours as the hour containing each step', () => {
    const forecast = forecastHourOfWeek(weeklyHistory(4 * WEEK_HOURS), {
      start: '2024-01-29T05:30:00Z',
      horizonHours: 2,
      quantiles: [0.5],
    });

    expect(forecast.timestamps).toEqual(['2024-01-29T05:30:00.000Z', '2024-01-29T06:30:00.000Z']);
    expect(forecast.metrics.cpu['0.5']).toEqual([weeklyCpu(5), weeklyCpu(6)]);
  });

  it('produces a forecast that satisfies the DemandForecast contract', () => {
    const forecast = forecastHourOfWeek(weeklyHistory(WEEK_HOURS), { horizonHours: 24, quantiles: [0.1, 0.5, 0.9] });

    expect(() => demandForecastSchema.parse(forecast)).not.toThrow();
  });

  it('works with less than the lookback of history', () => {
    // Ten days starting mid-block, so the one window that reaches the oldest hour stays within a block.
    const history = weeklyHistory(2 + 10 * 24).slice(2);

    const forecast = forecastHourOfWeek(history, { horizonHours: 168, quantiles: [0.5] });

    const startHourOfWeek = 2 + 10 * 24;
    expect(forecast.metrics.cpu['0.5']).toEqual(
      Array.from({ length: 168 }, (_, k) => weeklyCpu((startHourOfWeek + k) % WEEK_HOURS)),
    );
  });

  it('only draws from the lookback weeks before the start', () => {
    const history = [
      ...Array.from({ length: 2 * WEEK_HOURS }, (_, h) => row(h, 100)),
      ...Array.from({ length: 2 * WEEK_HOURS }, (_, h) => row(2 * WEEK_HOURS + h, 5)),
    ];

    const forecast = forecastHourOfWeek(history, { horizonHours: 24, quantiles: [0.05, 0.95], lookbackWeeks: 2 });

    expect(forecast.metrics.cpu['0.05']).toEqual(Array(24).fill(5));
    // Step 0's window reaches one hour past the lookback (its -1 h neighbour two weeks back), later steps do not.
    expect(forecast.metrics.cpu['0.95']?.slice(1)).toEqual(Array(23).fill(5));
  });

  it('ignores history at or after an explicit start, so backtests do not see the future', () => {
    const history = [
      ...weeklyHistory(4 * WEEK_HOURS),
      ...Array.from({ length: WEEK_HOURS }, (_, h) => row(4 * WEEK_HOURS + h, 1000)),
    ];

    const forecast = forecastHourOfWeek(history, {
      start: '2024-01-29T00:00:00Z',
      horizonHours: 168,
      quantiles: [0.5, 0.99],
    });

    expect(forecast.metrics.cpu['0.99']?.every((v) => v < 1000)).toBe(true);
    expect(forecast.metrics.cpu['0.5']).toEqual(Array.from({ length: 168 }, (_, k) => weeklyCpu(k)));
  });

  it('treats missing hours as gaps rather than zeros', () => {
    // Week 2 loses all of Wednesday: the Wednesday window must still hold only real values.
    const history = weeklyHistory(4 * WEEK_HOURS, (h) => h >= WEEK_HOURS + 48 && h < WEEK_HOURS + 72);

    const forecast = forecastHourOfWeek(history, { horizonHours: 168, quantiles: [0.01] });

    const wednesday = forecast.metrics.cpu['0.01']?.slice(48, 72) ?? [];
    expect(Math.min(...wednesday)).toBeGreaterThanOrEqual(weeklyCpu(48));
    expect(wednesday.filter((_, i) => i % 4 === 1 || i % 4 === 2)).toEqual(
      Array.from({ length: 24 }, (_, i) => weeklyCpu(48 + i)).filter((_, i) => i % 4 === 1 || i % 4 === 2),
    );
  });

  it('falls back to the same hour of day when the hour-of-week window is empty', () => {
    const history = Array.from({ length: 48 }, (_, h) => row(h, h % 24));

    const forecast = forecastHourOfWeek(history, {
      start: '2024-01-13T12:00:00Z',
      horizonHours: 1,
      quantiles: [0.1, 0.5, 0.9],
      lookbackWeeks: 1,
    });

    // Hours 11, 12 and 13 on both days: [11, 11, 12, 12, 13, 13].
    expect(forecast.metrics.cpu['0.1']).toEqual([11]);
    expect(forecast.metrics.cpu['0.5']).toEqual([12]);
    expect(forecast.metrics.cpu['0.9']).toEqual([13]);
  });

  it('wraps the hour-of-day fallback window around midnight', () => {
    const history = Array.from({ length: 24 }, (_, h) => row(h, h));

    const forecast = forecastHourOfWeek(history, {
      start: '2024-01-20T00:00:00Z',
      horizonHours: 1,
      quantiles: [0.5],
      lookbackWeeks: 1,
    });

    // Hours 23, 0 and 1.
    expect(forecast.metrics.cpu['0.5']).toEqual([1]);
  });

  it('falls back to all history when no value shares the hour of day', () => {
    const history = [row(0, 1), row(1, 2), row(2, 6)];

    const forecast = forecastHourOfWeek(history, {
      start: '2024-01-01T12:00:00Z',
      horizonHours: 1,
      quantiles: [0.5],
    });

    expect(forecast.metrics.cpu['0.5']).toEqual([2]);
  });

  it('keeps quantiles non-crossing and non-negative on noisy data, in the caller order of keys', () => {
    let seed = 42;
    const noise = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const history = Array.from({ length: 3 * WEEK_HOURS }, (_, h) => row(h, noise() * 10 * (1 + (h % 24) / 24)));
    const quantiles = [0.9, 0.1, 0.5, 0.05, 0.95, 0.25];

    const forecast = forecastHourOfWeek(history, { horizonHours: 168, quantiles });

    expect(forecast.quantiles).toEqual(quantiles);
    const ascending = [...quantiles].sort((a, b) => a - b);
    for (const metric of METRICS) {
      expect(Object.keys(forecast.metrics[metric]).sort()).toEqual(quantiles.map(String).sort());
      for (let k = 0; k < 168; k++) {
        const values = ascending.map((q) => forecast.metrics[metric][String(q)]?.[k] as number);
        expect(values[0]).toBeGreaterThanOrEqual(0);
        for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] as number);
      }
    }
  });

  it('forecasts from a 5-minute history resampled to hourly means', () => {
    const history = Array.from({ length: WEEK_HOURS * 12 }, (_, i) => {
      const hour = Math.floor(i / 12);
      // Each hour averages to weeklyCpu: half its samples 0.5 below, half 0.5 above.
      return row(hour, weeklyCpu(hour) + (i % 2 === 0 ? -0.5 : 0.5), (i % 12) * 5);
    });

    const forecast = forecastHourOfWeek(history, { horizonHours: 168, quantiles: [0.5] });

    forecast.metrics.cpu['0.5']?.forEach((value, k) => expect(value).toBeCloseTo(weeklyCpu(k), 12));
  });

  it('throws NoHistoryError for an empty history', () => {
    expect(() => forecastHourOfWeek([], { horizonHours: 24, quantiles: [0.5] })).toThrow(NoHistoryError);
  });

  it('throws NoHistoryError when the start precedes all history', () => {
    const call = () =>
      forecastHourOfWeek(weeklyHistory(48), { start: '2023-12-01T00:00:00Z', horizonHours: 24, quantiles: [0.5] });

    expect(call).toThrow(NoHistoryError);
    expect(call).toThrow('no cpu usage recorded before the forecast start 2023-12-01T00:00:00.000Z');
  });

  it.each([
    [{ horizonHours: 0, quantiles: [0.5] }, 'horizonHours must be an integer in 1..168, got 0'],
    [{ horizonHours: 169, quantiles: [0.5] }, 'horizonHours must be an integer in 1..168, got 169'],
    [{ horizonHours: 1.5, quantiles: [0.5] }, 'horizonHours must be an integer in 1..168, got 1.5'],
    [{ horizonHours: 24, quantiles: [] }, 'at least one quantile is required'],
    [{ horizonHours: 24, quantiles: [1] }, 'quantile 1 must be a decimal strictly between 0 and 1'],
    [{ horizonHours: 24, quantiles: [0] }, 'quantile 0 must be a decimal strictly between 0 and 1'],
    [{ horizonHours: 24, quantiles: [1e-7] }, 'quantile 1e-7 must be a decimal'],
    [{ horizonHours: 24, quantiles: [0.5, 0.5] }, 'quantiles must be distinct'],
    [{ horizonHours: 24, quantiles: [0.5], lookbackWeeks: 0 }, 'lookbackWeeks must be a positive integer, got 0'],
    [{ horizonHours: 24, quantiles: [0.5], start: 'tomorrow' }, 'start "tomorrow" is not an ISO-8601 instant'],
  ])('rejects invalid options %j', (options, message) => {
    const call = () => forecastHourOfWeek(weeklyHistory(48), options);

    expect(call).toThrow(InvalidForecastOptionsError);
    expect(call).toThrow(message);
  });
});
