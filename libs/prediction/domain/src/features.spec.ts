import { METRICS, type Metric } from '@clonecast/contracts';
import { InvalidFeatureInputError } from './errors';
import {
  buildFeatureRows,
  emptyHourlySeries,
  FEATURE_COUNT,
  FEATURE_COUNT_V2,
  FEATURE_COUNT_V3,
  FEATURE_NAMES,
  FEATURE_NAMES_V2,
  FEATURE_NAMES_V3,
  HW_QUANTILES,
  type FeatureInput,
} from './features';
import { forecastHourOfWeekFromSeries } from './hour-of-week-forecaster';
import type { HourlySeries } from './hourly-series';

const HOUR = 3_600_000;
/** A Monday, 00:00 UTC. */
const T0 = Date.parse('2024-01-01T00:00:00Z');
const PRIORS = { default: { cpu: 4, memory: 16, storage: 50, network: 100 }, web: { cpu: 8, memory: 32, storage: 20, network: 400 } };

function series(hours: number, value: (metric: Metric, hour: number) => number): HourlySeries {
  const values = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) values[metric] = Float64Array.from({ length: hours }, (_, h) => value(metric, h));
  return { start: T0, length: hours, values };
}

function input(overrides: Partial<FeatureInput> = {}): FeatureInput {
  return {
    history: series(672, () => 2),
    origin: T0 + 672 * HOUR,
    horizonHours: 24,
    accountType: 'web',
    applications: [],
    events: [],
    scalePriors: PRIORS,
    ...overrides,
  };
}

function feature(rows: Float32Array, step: number, name: string): number {
  const column = FEATURE_NAMES.indexOf(name);
  if (column < 0) throw new Error(`no feature ${name}`);
  return rows[step * FEATURE_COUNT + column] as number;
}

describe('buildFeatureRows', () => {
  it('names 63 features in the contract order', () => {
    expect(FEATURE_NAMES).toHaveLength(FEATURE_COUNT);
    expect(FEATURE_NAMES.slice(0, 5)).toEqual(['lag1_cpu', 'lag2_cpu', 'lag3_cpu', 'lag4_cpu', 'lag1_memory']);
    expect(FEATURE_NAMES[53]).toBe('type_other');
    expect(FEATURE_NAMES[62]).toBe('history');
  });

  it('scales each metric by its four-week mean, so a constant history is 1.0 everywhere', () => {
    const { rows, scale, missing } = buildFeatureRows(input());

    expect(scale).toEqual({ cpu: 2, memory: 2, storage: 2, network: 2 });
    expect(missing).toEqual({ cpu: false, memory: false, storage: false, network: false });
    expect(feature(rows, 5, 'lag3_network')).toBe(1);
    expect(feature(rows, 5, 'lastday_cpu')).toBe(1);
    expect(feature(rows, 5, 'std168_cpu')).toBe(0);
    expect(feature(rows, 0, 'history')).toBe(1);
  });

  it('reads lags one to four weeks back and the last day before the origin', () => {
    const history = series(672, (_, h) => h + 1);
    const { rows, scale } = buildFeatureRows(input({ history, horizonHours: 30 }));
    const z = (hour: number) => Math.fround((hour + 1) / scale.cpu);

    expect(feature(rows, 0, 'lag1_cpu')).toBe(z(672 - 168));
    expect(feature(rows, 0, 'lag4_cpu')).toBe(z(0));
    // step 25 is a day and an hour after the origin: the same hour two days back is the latest before it
    expect(feature(rows, 25, 'lastday_cpu')).toBe(z(672 + 25 - 48));
  });

  it('fills a missing lag with the mean of the lags it has', () => {
    const history = series(672, (metric, h) => (metric === 'cpu' && h === 672 - 168 ? Number.NaN : h < 336 ? 1 : 3));
    const { rows, scale } = buildFeatureRows(input({ history }));

    expect(feature(rows, 0, 'lag1_cpu')).toBeCloseTo((1 / scale.cpu + 1 / scale.cpu + 3 / scale.cpu) / 3, 6);
  });

  it('uses the account-type prior and flags the metric when it has no history in four weeks', () => {
    const history = series(672, (metric) => (metric === 'storage' ? Number.NaN : 5));
    const { rows, scale, missing } = buildFeatureRows(input({ history, accountType: 'unknown-type' }));

    expect(scale.storage).toBe(PRIORS.default.storage);
    expect(missing.storage).toBe(true);
    expect(missing.cpu).toBe(false);
    expect(feature(rows, 0, 'missing_storage')).toBe(1);
    expect(feature(rows, 0, 'lag1_storage')).toBe(1);
    expect(feature(rows, 0, 'type_other')).toBe(1);
  });

  it('builds a cold-start row from priors alone', () => {
    const { rows, scale, missing } = buildFeatureRows(input({ history: emptyHourlySeries(T0), origin: T0 }));

    expect(scale).toEqual(PRIORS.web);
    expect(Object.values(missing)).toEqual([true, true, true, true]);
    expect(feature(rows, 0, 'history')).toBe(0);
    expect(feature(rows, 0, 'level24_memory')).toBe(1);
    expect(Array.from(rows).every(Number.isFinite)).toBe(true);
  });

  it('ignores history at or after the origin', () => {
    const before = buildFeatureRows(input({ history: series(672, () => 2) }));
    const withFuture = buildFeatureRows(input({ history: series(900, (_, h) => (h < 672 ? 2 : 1000)) }));

    expect(withFuture.rows).toEqual(before.rows);
  });

  it('encodes calendar, events and metadata per step', () => {
    const events = [
      { kind: 'campaign' as const, start: '2024-01-29T02:00:00Z', end: '2024-01-29T04:00:00Z', uplift: 1.5 },
      { kind: 'other' as const, start: '2024-01-29T03:00:00Z', end: '2024-01-29T05:00:00Z', uplift: 2 },
    ];
    const { rows, eventUplift } = buildFeatureRows(
      input({ horizonHours: 168, events, accountType: 'batch', applications: ['API', 'storefront', 'ml'] }),
    );

    // origin is Monday 2024-01-29 00:00 UTC; step 126 is Saturday 06:00
    expect(feature(rows, 6, 'hod_sin')).toBeCloseTo(1, 6);
    expect(feature(rows, 126, 'weekend')).toBe(1);
    expect(feature(rows, 126, 'dow_sin')).toBeCloseTo(Math.sin((2 * Math.PI * 5) / 7), 6);
    expect(feature(rows, 84, 'step')).toBeCloseTo(0.5, 6);
    expect(Array.from(eventUplift.subarray(1, 6))).toEqual([1, 1.5, 3, 2, 1]);
    expect([1, 2, 3, 4, 5].map((h) => feature(rows, h, 'event_campaign'))).toEqual([0, 1, 1, 0, 0]);
    expect([1, 2, 3, 4, 5].map((h) => feature(rows, h, 'event_active'))).toEqual([0, 1, 1, 1, 0]);
    expect(feature(rows, 3, 'event_uplift')).toBe(3);
    expect(feature(rows, 0, 'type_batch')).toBe(1);
    expect(FEATURE_NAMES.filter((name, f) => name.startsWith('app_') && rows[f] === 1)).toEqual(['app_api', 'app_ml']);
  });

  it('refuses an origin that is not a whole UTC hour', () => {
    expect(() => buildFeatureRows(input({ origin: T0 + 672 * HOUR + 60_000 }))).toThrow(InvalidFeatureInputError);
  });
});

describe('buildFeatureRows, feature spec v2', () => {
  const v2 = (overrides: Partial<FeatureInput> = {}) => buildFeatureRows(input({ featureSpec: 'v2', ...overrides }));
  const hw = (rows: Float32Array, step: number, metric: Metric, q: number) =>
    rows[step * FEATURE_COUNT_V2 + FEATURE_NAMES_V2.indexOf(`hw_${metric}_${q}`)] as number;

  it('appends the 36 hour-of-week quantile columns to the 63 of v1, which stay as they were', () => {
    const history = series(672, (metric, h) => (metric === 'cpu' ? 1 + (h % 24) : 3 + Math.sin(h)));
    const v1 = buildFeatureRows(input({ history }));
    const { rows, featureCount } = v2({ history });

    expect(FEATURE_NAMES_V2).toHaveLength(99);
    expect(FEATURE_NAMES_V2.slice(62, 65)).toEqual(['history', 'hw_cpu_0.01', 'hw_cpu_0.05']);
    expect(FEATURE_NAMES_V2[98]).toBe('hw_network_0.99');
    expect(featureCount).toBe(FEATURE_COUNT_V2);
    for (let h = 0; h < 24; h++) {
      expect(rows.subarray(h * FEATURE_COUNT_V2, h * FEATURE_COUNT_V2 + FEATURE_COUNT)).toEqual(v1.rows.subarray(h * FEATURE_COUNT, (h + 1) * FEATURE_COUNT));
    }
  });

  it('is the baseline forecast divided by the scale where the history reaches the origin', () => {
    const history = series(672, (metric, h) => (metric === 'memory' && h % 5 === 0 ? Number.NaN : 1 + ((h * 7919) % 13) + (metric === 'network' ? 50 : 0)));
    const { rows, scale } = v2({ history, horizonHours: 168 });
    const baseline = forecastHourOfWeekFromSeries(history, { horizonHours: 168, quantiles: HW_QUANTILES });

    for (const metric of METRICS) {
      for (const q of HW_QUANTILES) {
        const expected = (baseline.metrics[metric][String(q)] as number[]).map((v) => Math.fround(v / scale[metric]));
        expect(Array.from({ length: 168 }, (_, h) => hw(rows, h, metric, q))).toEqual(expected);
      }
    }
  });

  it('gives 1.0 (the cold-start value) to a metric without history, and non-decreasing quantiles elsewhere', () => {
    const history = series(300, (metric, h) => (metric === 'storage' ? Number.NaN : (h * 31) % 17));
    const { rows } = v2({ history, origin: T0 + 300 * HOUR, horizonHours: 168 });

    for (let h = 0; h < 168; h++) {
      expect(HW_QUANTILES.map((q) => hw(rows, h, 'storage', q))).toEqual(HW_QUANTILES.map(() => 1));
      const cpu = HW_QUANTILES.map((q) => hw(rows, h, 'cpu', q));
      expect(cpu.every((v, k) => v >= 0 && (k === 0 || v >= (cpu[k - 1] as number)))).toBe(true);
    }
    const cold = v2({ history: emptyHourlySeries(T0), origin: T0 });
    expect(Array.from(cold.rows.subarray(63, 99))).toEqual(new Array(36).fill(1));
  });

  it('writes into a given batch tensor at an offset, exactly as into its own array', () => {
    const alone = v2();
    const tensor = new Float32Array(5 + alone.rows.length);
    const inPlace = buildFeatureRows(input({ featureSpec: 'v2' }), tensor, 5);

    expect(inPlace.rows.buffer).toBe(tensor.buffer);
    expect(Array.from(tensor.subarray(5))).toEqual(Array.from(alone.rows));
    expect(() => buildFeatureRows(input({ featureSpec: 'v2' }), tensor, 6)).toThrow(InvalidFeatureInputError);
  });
});

describe('buildFeatureRows, feature spec v3', () => {
  const v3 = (overrides: Partial<FeatureInput> = {}) => buildFeatureRows(input({ featureSpec: 'v3', ...overrides }));
  const block = (rows: Float32Array, step: number, name: string, metric: Metric) =>
    HW_QUANTILES.map((q) => rows[step * FEATURE_COUNT_V3 + FEATURE_NAMES_V3.indexOf(`${name}_${metric}_${q}`)] as number);
  /** Type 7, clamped at 0 and non-decreasing, divided by s, rounded to float32: FEATURES-v3.md step 3. */
  const quantiles = (pool: number[], s: number) => {
    const sorted = [...pool].sort((a, b) => a - b);
    let floor = 0;
    return HW_QUANTILES.map((q) => {
      const position = (sorted.length - 1) * q;
      const lower = Math.floor(position);
      const low = sorted[lower] as number;
      const value = lower >= sorted.length - 1 ? low : low + (position - lower) * ((sorted[lower + 1] as number) - low);
      floor = Math.max(floor, value);
      return Math.fround(floor / s);
    });
  };

  it('appends the hd7, l24 and l168 blocks to the 99 columns of v2, which stay as they were', () => {
    const history = series(672, (metric, h) => (metric === 'cpu' ? 1 + (h % 24) : 3 + Math.sin(h)));
    const v2 = buildFeatureRows(input({ history, featureSpec: 'v2' }));
    const { rows, featureCount } = v3({ history });

    expect(FEATURE_NAMES_V3).toHaveLength(207);
    expect(FEATURE_NAMES_V3.slice(98, 100)).toEqual(['hw_network_0.99', 'hd7_cpu_0.01']);
    expect(FEATURE_NAMES_V3[135]).toBe('l24_cpu_0.01');
    expect(FEATURE_NAMES_V3[206]).toBe('l168_network_0.99');
    expect(featureCount).toBe(FEATURE_COUNT_V3);
    for (let h = 0; h < 24; h++) {
      expect(rows.subarray(h * FEATURE_COUNT_V3, h * FEATURE_COUNT_V3 + FEATURE_COUNT_V2)).toEqual(v2.rows.subarray(h * FEATURE_COUNT_V2, (h + 1) * FEATURE_COUNT_V2));
    }
  });

  it('takes the quantiles of the last day, the last week and the same hour of day ±1 h of the last week', () => {
    const value = (metric: Metric, h: number) => (metric === 'memory' && h % 7 === 0 ? Number.NaN : 1 + ((h * 7919) % 13) + (metric === 'network' ? 50 : 0));
    const history = series(500, value);
    const { rows, scale } = v3({ history, origin: T0 + 500 * HOUR, horizonHours: 48 });
    for (const metric of METRICS) {
      const window = (from: number, keep: (h: number) => boolean = () => true) =>
        Array.from({ length: 500 - from }, (_, i) => from + i).filter((h) => keep(h) && Number.isFinite(value(metric, h))).map((h) => value(metric, h));
      const s = scale[metric];
      for (const step of [0, 7, 23, 24, 47]) {
        expect(block(rows, step, 'l24', metric)).toEqual(quantiles(window(476), s));
        expect(block(rows, step, 'l168', metric)).toEqual(quantiles(window(332), s));
        const hourOfDay = (500 + step) % 24;
        const near = (h: number) => Math.min(Math.abs((h % 24) - hourOfDay), 24 - Math.abs((h % 24) - hourOfDay)) <= 1;
        expect(block(rows, step, 'hd7', metric)).toEqual(quantiles(window(332, near), s));
      }
    }
  });

  it('falls back to the hw columns for an empty window and gives 1.0 to a metric without history', () => {
    const history = series(400, (metric, h) => (metric === 'storage' || (metric === 'cpu' && h >= 370) ? Number.NaN : 1 + (h % 5)));
    const { rows } = v3({ history, origin: T0 + 400 * HOUR, horizonHours: 24 });
    for (let h = 0; h < 24; h++) {
      expect(block(rows, h, 'l24', 'cpu')).toEqual(block(rows, h, 'hw', 'cpu'));
      for (const name of ['hw', 'hd7', 'l24', 'l168']) expect(block(rows, h, name, 'storage')).toEqual(HW_QUANTILES.map(() => 1));
    }
    const late = v3({ history: series(300, (_m, h) => 1 + (h % 3)), origin: T0 + 500 * HOUR, horizonHours: 24 });
    for (const metric of METRICS) {
      for (const name of ['hd7', 'l24', 'l168']) expect(block(late.rows, 5, name, metric)).toEqual(block(late.rows, 5, 'hw', metric));
    }
    const cold = v3({ history: emptyHourlySeries(T0), origin: T0 });
    expect(Array.from(cold.rows.subarray(63, 207))).toEqual(new Array(144).fill(1));
  });

  it('writes into a given batch tensor at an offset, exactly as into its own array', () => {
    const alone = v3();
    const tensor = new Float32Array(3 + alone.rows.length);
    const inPlace = buildFeatureRows(input({ featureSpec: 'v3' }), tensor, 3);

    expect(inPlace.rows.buffer).toBe(tensor.buffer);
    expect(Array.from(tensor.subarray(3))).toEqual(Array.from(alone.rows));
  });
});

describe('buildFeatureRows into a used tensor', () => {
  it('overwrites every value, so a batch tensor need not be zeroed (every spec, events, gaps, a cold metric)', () => {
    const history = series(500, (metric, h) => (metric === 'network' ? Number.NaN : h % 13 === 0 ? Number.NaN : 1 + (h % 24)));
    const events = [{ kind: 'campaign' as const, start: '2024-01-21T22:00:00Z', end: '2024-01-22T09:00:00Z', uplift: 1.5 }];
    for (const featureSpec of ['v1', 'v2', 'v3'] as const) {
      for (const horizonHours of [5, 30, 168]) {
        const request = input({ history, origin: T0 + 500 * HOUR, horizonHours, featureSpec, events, accountType: 'batch', applications: ['api', 'ml'] });
        const fresh = buildFeatureRows(request);
        const used = new Float32Array(2 + fresh.rows.length).fill(Number.NaN);
        used[5] = 1;
        buildFeatureRows(request, used, 2);
        expect(Array.from(used.subarray(2))).toEqual(Array.from(fresh.rows));
      }
    }
  });
});
