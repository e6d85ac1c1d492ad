import { METRICS, type AccountEvent, type Metric } from '@clonecast/contracts';
import { InvalidFeatureInputError } from './errors';
import { HourOfWeekSampler } from './hour-of-week-sample';
import type { HourlySeries } from './hourly-series';
import { HOURS_PER_DAY, HOURS_PER_WEEK, MS_PER_HOUR, parseIsoInstant } from './instant';
import { RECENT_BLOCKS, writeRecentQuantileBlocks } from './recent-quantile-blocks';

// Feature layouts of models/demand-forecaster/FEATURES.md (featureSpec v1), FEATURES-v2.md (v2 = v1 followed
// by the hour-of-week baseline's quantiles) and FEATURES-v3.md (v3 = v2 followed by three quantile blocks of the
// recent history); the order is the ONNX contract.
export const FEATURE_SPECS = ['v1', 'v2', 'v3'] as const;
export type FeatureSpec = (typeof FEATURE_SPECS)[number];
/** The v1 layout, which is also columns 0–62 of v2. */
export const FEATURE_SPEC: FeatureSpec = 'v1';
export const FEATURE_COUNT = 63;
/** Probabilities of the `hw_{m}_{q}` columns (v2), ascending; fixed by the feature spec, not the manifest. */
export const HW_QUANTILES: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
/** Weeks the `hw_*` columns draw from, as the hour-of-week baseline's default. */
export const HW_LOOKBACK_WEEKS = 4;
export const FEATURE_COUNT_V2 = FEATURE_COUNT + 4 * HW_QUANTILES.length;
/** v3: v2 followed by the `hd7_*`, `l24_*` and `l168_*` quantile blocks (4 metrics × HW_QUANTILES each). */
export const FEATURE_COUNT_V3 = FEATURE_COUNT_V2 + RECENT_BLOCKS.length * 4 * HW_QUANTILES.length;
/** Hours of history the scale, `missing` and `history` features look at: four weeks. */
export const SCALE_WINDOW_HOURS = 4 * HOURS_PER_WEEK;
/** A mean at or below this is no usable scale: the account-type prior is used instead. */
export const MIN_SCALE = 1e-6;
export const MODEL_EVENT_KINDS = ['campaign', 'launch', 'holiday', 'season'] as const;
export const MODEL_ACCOUNT_TYPES = ['business-critical', 'web', 'batch', 'database', 'fleet'] as const;
export const MODEL_APPLICATIONS = ['web', 'api', 'database', 'cache', 'batch', 'analytics', 'queue', 'ml'] as const;

const LAG_WEEKS = 4;
const COL_LAG = 0;
const COL_LASTDAY = 16;
const COL_LEVEL24 = 20;
const COL_LEVEL168 = 24;
const COL_STD168 = 28;
const COL_MISSING = 32;
const COL_HOD_SIN = 36;
const COL_HOD_COS = 37;
const COL_DOW_SIN = 38;
const COL_DOW_COS = 39;
const COL_WEEKEND = 40;
const COL_STEP = 41;
const COL_EVENT_ACTIVE = 42;
const COL_EVENT_UPLIFT = 43;
const COL_EVENT_KIND = 44;
const COL_TYPE = 48;
const COL_APP = 54;
const COL_HISTORY = 62;
const COL_HW = 63;

const MS_PER_DAY = HOURS_PER_DAY * MS_PER_HOUR;
/** 1970-01-01 was a Thursday: day 3 when Monday is 0. */
const EPOCH_DAY_OF_WEEK = 3;

export const FEATURE_NAMES: readonly string[] = [
  ...METRICS.flatMap((m) => Array.from({ length: LAG_WEEKS }, (_, w) => `lag${w + 1}_${m}`)),
  ...METRICS.map((m) => `lastday_${m}`),
  ...METRICS.map((m) => `level24_${m}`),
  ...METRICS.map((m) => `level168_${m}`),
  ...METRICS.map((m) => `std168_${m}`),
  ...METRICS.map((m) => `missing_${m}`),
  'hod_sin',
  'hod_cos',
  'dow_sin',
  'dow_cos',
  'weekend',
  'step',
  'event_active',
  'event_uplift',
  ...MODEL_EVENT_KINDS.map((k) => `event_${k}`),
  ...MODEL_ACCOUNT_TYPES.map((t) => `type_${t}`),
  'type_other',
  ...MODEL_APPLICATIONS.map((a) => `app_${a}`),
  'history',
];

export const FEATURE_NAMES_V2: readonly string[] = [
  ...FEATURE_NAMES,
  ...METRICS.flatMap((m) => HW_QUANTILES.map((q) => `hw_${m}_${String(q)}`)),
];

export const FEATURE_NAMES_V3: readonly string[] = [
  ...FEATURE_NAMES_V2,
  ...RECENT_BLOCKS.flatMap((block) => METRICS.flatMap((m) => HW_QUANTILES.map((q) => `${block}_${m}_${String(q)}`))),
];

/** Column names of a feature spec, in order. */
export function featureNamesOf(spec: FeatureSpec): readonly string[] {
  return spec === 'v3' ? FEATURE_NAMES_V3 : spec === 'v2' ? FEATURE_NAMES_V2 : FEATURE_NAMES;
}

/** Number of columns of a feature spec: 63 (v1), 99 (v2) or 207 (v3). */
export function featureCountOf(spec: FeatureSpec): number {
  return spec === 'v3' ? FEATURE_COUNT_V3 : spec === 'v2' ? FEATURE_COUNT_V2 : FEATURE_COUNT;
}

/** sin/cos of the hour of day and day of week, tabulated with the very expressions of the spec. */
const HOD_SIN = Float64Array.from({ length: HOURS_PER_DAY }, (_, h) => Math.sin((2 * Math.PI * h) / HOURS_PER_DAY));
const HOD_COS = Float64Array.from({ length: HOURS_PER_DAY }, (_, h) => Math.cos((2 * Math.PI * h) / HOURS_PER_DAY));
const DOW_SIN = Float64Array.from({ length: 7 }, (_, d) => Math.sin((2 * Math.PI * d) / 7));
const DOW_COS = Float64Array.from({ length: 7 }, (_, d) => Math.cos((2 * Math.PI * d) / 7));

/** Typical demand per account type (manifest `scalePriors`); `default` answers any unlisted type. */
export type ScalePriors = Readonly<Record<string, Readonly<Record<Metric, number>>>> & {
  readonly default: Readonly<Record<Metric, number>>;
};

export type FeatureEvent = Pick<AccountEvent, 'kind' | 'start' | 'end' | 'uplift'>;

export interface FeatureInput {
  /** Hourly history; hours at or after `origin` are ignored. May be empty (length 0) for a cold start. */
  readonly history: HourlySeries;
  /** First forecast hour, epoch ms of a whole UTC hour. */
  readonly origin: number;
  readonly horizonHours: number;
  readonly accountType: string;
  readonly applications: readonly string[];
  readonly events: readonly FeatureEvent[];
  readonly scalePriors: ScalePriors;
  /** Column layout; default v1. */
  readonly featureSpec?: FeatureSpec;
}

export interface FeatureRows {
  readonly origin: number;
  readonly horizonHours: number;
  readonly featureSpec: FeatureSpec;
  /** Columns per row: featureCountOf(featureSpec). */
  readonly featureCount: number;
  /** horizonHours × featureCount, row-major: the model's `features` input. */
  readonly rows: Float32Array;
  /** Per-metric scale s_m: model outputs are multiplied by it. */
  readonly scale: Record<Metric, number>;
  /** True where s_m is the account-type prior (no usable history in the last four weeks). */
  readonly missing: Record<Metric, boolean>;
  /** Per step: product of the declared uplifts of the events active then (1 when none). */
  readonly eventUplift: Float64Array;
}

/** An hour of history as epoch ms of the hour start: empty for an account without history. */
export function emptyHourlySeries(start: number): HourlySeries {
  const values = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) values[metric] = new Float64Array(0);
  return { start, length: 0, values };
}

/** Per-metric statistics over the history before the origin; everything a row needs that is not per step. */
interface MetricWindow {
  /** y / s_m, or NaN outside the history: indexed by hour offset from the series start. */
  readonly values: Float64Array;
  readonly scale: number;
  readonly missing: boolean;
  readonly level24: number;
  readonly level168: number;
  readonly std168: number;
}

/**
 * Builds the model's feature rows for one forecast exactly as FEATURES.md (v1), FEATURES-v2.md (v2) or
 * FEATURES-v3.md (v3) defines them. Pure and allocation-light: per-metric work done once, nothing allocated per row. The rows
 * go to `into` at `offset` when given (e.g. a batch's input tensor; every value there is overwritten, so it
 * need not be zero), else to a new Float32Array.
 */
export function buildFeatureRows(input: FeatureInput, into?: Float32Array, offset = 0): FeatureRows {
  const { history, origin, horizonHours } = input;
  const featureSpec = input.featureSpec ?? FEATURE_SPEC;
  validateInput(input);
  const stride = featureCountOf(featureSpec);
  const size = horizonHours * stride;
  if (into !== undefined && (offset < 0 || offset + size > into.length)) {
    throw new InvalidFeatureInputError(`${size} feature values do not fit into ${into.length} at ${offset}`);
  }
  const rows = into === undefined ? new Float32Array(size) : into.subarray(offset, offset + size);
  const scale = {} as Record<Metric, number>;
  const missing = {} as Record<Metric, boolean>;
  const prior = input.scalePriors[input.accountType] ?? input.scalePriors.default;
  // Hour offset of the origin from the series start; history hours with index < originIndex are usable.
  const originIndex = (origin - history.start) / MS_PER_HOUR;

  const windows = METRICS.map((metric, mi) => {
    const window = metricWindow(history.values[metric], originIndex, prior[metric], mi);
    scale[metric] = window.scale;
    missing[metric] = window.missing;
    return window;
  });
  const historyShare = Math.min(1, finiteHoursOfAnyMetric(history, originIndex) / SCALE_WINDOW_HOURS);

  const events = input.events.map((e) => {
    const start = parseIsoInstant(e.start);
    const end = parseIsoInstant(e.end);
    if (start === undefined || end === undefined) {
      throw new InvalidFeatureInputError(`event ${e.kind} ${e.start}..${e.end} has an unreadable instant`);
    }
    return { kindColumn: (MODEL_EVENT_KINDS as readonly string[]).indexOf(e.kind), start, end, uplift: e.uplift };
  });
  const typeIndex = (MODEL_ACCOUNT_TYPES as readonly string[]).indexOf(input.accountType);
  const appColumns = new Set<number>();
  for (const app of input.applications) {
    const index = (MODEL_APPLICATIONS as readonly string[]).indexOf(app.toLowerCase());
    if (index >= 0) appColumns.add(COL_APP + index);
  }
  // a typed array, not the Set, in the per-row loop
  const appColumnList = Int32Array.from(appColumns);
  const eventUplift = new Float64Array(horizonHours);
  // hour of day and day of week of row h, counted up from the origin's (a whole hour) instead of divided out per row
  let hourOfDay = modulo(Math.floor(origin / MS_PER_HOUR), HOURS_PER_DAY);
  let dayOfWeek = modulo(Math.floor(origin / MS_PER_DAY) + EPOCH_DAY_OF_WEEK, 7);

  for (let h = 0; h < horizonHours; h++, hourOfDay++) {
    if (hourOfDay === HOURS_PER_DAY) {
      hourOfDay = 0;
      dayOfWeek = dayOfWeek === 6 ? 0 : dayOfWeek + 1;
    }
    const row = h * stride;
    const t = origin + h * MS_PER_HOUR;
    // the columns written only where they are 1 (event, type, application): zero first, so that `into` need
    // not be; every other column of every row is written below, whatever the spec
    for (let c = COL_EVENT_ACTIVE; c < COL_HISTORY; c++) rows[row + c] = 0;
    const tIndex = originIndex + h;
    // the smallest k >= 1 with t - 24k h < o
    const lastdayIndex = tIndex - HOURS_PER_DAY * (Math.floor(h / HOURS_PER_DAY) + 1);

    for (let mi = 0; mi < windows.length; mi++) {
      const w = windows[mi] as MetricWindow;
      const values = w.values;
      // the four lags (LAG_WEEKS) in locals, not a scratch array; summed in the same order, week 1 first
      const v1 = valueBefore(values, tIndex - HOURS_PER_WEEK);
      const v2 = valueBefore(values, tIndex - 2 * HOURS_PER_WEEK);
      const v3 = valueBefore(values, tIndex - 3 * HOURS_PER_WEEK);
      const v4 = valueBefore(values, tIndex - 4 * HOURS_PER_WEEK);
      let lagSum = 0;
      let lagCount = 0;
      if (!Number.isNaN(v1)) {
        lagSum += v1;
        lagCount++;
      }
      if (!Number.isNaN(v2)) {
        lagSum += v2;
        lagCount++;
      }
      if (!Number.isNaN(v3)) {
        lagSum += v3;
        lagCount++;
      }
      if (!Number.isNaN(v4)) {
        lagSum += v4;
        lagCount++;
      }
      const lagFill = lagCount > 0 ? lagSum / lagCount : Number.isNaN(w.level168) ? 1 : w.level168;
      const lag = row + COL_LAG + LAG_WEEKS * mi;
      rows[lag] = Number.isNaN(v1) ? lagFill : v1;
      rows[lag + 1] = Number.isNaN(v2) ? lagFill : v2;
      rows[lag + 2] = Number.isNaN(v3) ? lagFill : v3;
      rows[lag + 3] = Number.isNaN(v4) ? lagFill : v4;
      const lastday = valueBefore(values, lastdayIndex);
      rows[row + COL_LASTDAY + mi] = Number.isNaN(lastday) ? lagFill : lastday;
      rows[row + COL_LEVEL24 + mi] = Number.isNaN(w.level24) ? (Number.isNaN(w.level168) ? 1 : w.level168) : w.level24;
      rows[row + COL_LEVEL168 + mi] = Number.isNaN(w.level168) ? 1 : w.level168;
      rows[row + COL_STD168 + mi] = w.std168;
      rows[row + COL_MISSING + mi] = w.missing ? 1 : 0;
    }

    rows[row + COL_HOD_SIN] = HOD_SIN[hourOfDay] as number;
    rows[row + COL_HOD_COS] = HOD_COS[hourOfDay] as number;
    rows[row + COL_DOW_SIN] = DOW_SIN[dayOfWeek] as number;
    rows[row + COL_DOW_COS] = DOW_COS[dayOfWeek] as number;
    rows[row + COL_WEEKEND] = dayOfWeek >= 5 ? 1 : 0;
    rows[row + COL_STEP] = h / HOURS_PER_WEEK;

    let uplift = 1;
    for (const event of events) {
      if (event.start > t || t >= event.end) continue;
      rows[row + COL_EVENT_ACTIVE] = 1;
      if (event.uplift !== undefined) uplift *= event.uplift;
      if (event.kindColumn >= 0) rows[row + COL_EVENT_KIND + event.kindColumn] = 1;
    }
    rows[row + COL_EVENT_UPLIFT] = uplift;
    eventUplift[h] = uplift;

    rows[row + COL_TYPE + (typeIndex >= 0 ? typeIndex : MODEL_ACCOUNT_TYPES.length)] = 1;
    for (let a = 0; a < appColumnList.length; a++) rows[row + (appColumnList[a] as number)] = 1;
    rows[row + COL_HISTORY] = historyShare;
  }

  if (featureSpec !== 'v1') writeHourOfWeekColumns(rows, stride, input, originIndex, scale);
  if (featureSpec === 'v3') {
    writeRecentQuantileBlocks(rows, stride, FEATURE_COUNT_V2, COL_HW, HW_QUANTILES, {
      history,
      origin,
      horizonHours,
      originIndex,
      scale,
    });
  }

  return { origin, horizonHours, featureSpec, featureCount: stride, rows, scale, missing, eventUplift };
}

/** writeHourOfWeekColumns' scratch for the steps whose window is not full (written before it is read). */
const hwScratch = new Float64Array(HW_QUANTILES.length);

/**
 * Columns 63–98 of v2: per metric, the hour-of-week baseline's quantiles HW_QUANTILES for each step, divided
 * by s_m; 1.0 (the cold-start value) for a metric without a finite value before the origin.
 */
function writeHourOfWeekColumns(
  rows: Float32Array,
  stride: number,
  { history, origin, horizonHours }: FeatureInput,
  originIndex: number,
  scale: Record<Metric, number>,
): void {
  const usableHours = Math.max(0, Math.min(history.length, originIndex));
  const q = HW_QUANTILES.length;
  const values = hwScratch;
  METRICS.forEach((metric, mi) => {
    const column = COL_HW + q * mi;
    const sampler = new HourOfWeekSampler(history.values[metric], history.start, usableHours, HW_LOOKBACK_WEEKS);
    if (!sampler.hasHistory) {
      for (let h = 0; h < horizonHours; h++) rows.fill(1, h * stride + column, h * stride + column + q);
      return;
    }
    sampler.writeScaledQuantiles(origin, horizonHours, HW_QUANTILES, scale[metric], rows, column, stride, values);
  });
}

function validateInput({ history, origin, horizonHours }: FeatureInput): void {
  if (!Number.isInteger(horizonHours) || horizonHours < 1) {
    throw new InvalidFeatureInputError(`horizonHours must be a positive integer, got ${horizonHours}`);
  }
  if (!Number.isFinite(origin) || origin % MS_PER_HOUR !== 0) {
    throw new InvalidFeatureInputError(`origin ${origin} is not a whole UTC hour`);
  }
  if (history.start % MS_PER_HOUR !== 0) {
    throw new InvalidFeatureInputError(`history start ${history.start} is not a whole UTC hour`);
  }
}

/** Remainder in [0, n), also for instants before 1970. */
function modulo(value: number, n: number): number {
  return ((value % n) + n) % n;
}

/**
 * z at a history index, NaN when it is not before the origin, outside the history, or a gap. `values` (from
 * metricWindow) ends at the origin, so its length bounds both.
 */
function valueBefore(values: Float64Array, index: number): number {
  return index >= 0 && index < values.length ? (values[index] as number) : Number.NaN;
}

/**
 * metricWindow's normalised values, one buffer per metric (by index) reused from forecast to forecast: they
 * are read only while buildFeatureRows runs, and a fresh Float64Array of four weeks cost ~1-2 µs per metric.
 */
const normalisedScratch: Float64Array[] = METRICS.map(() => new Float64Array(0));

function metricWindow(raw: Float64Array, originIndex: number, prior: number, metricIndex: number): MetricWindow {
  const scaleWindow = windowStats(raw, originIndex, SCALE_WINDOW_HOURS);
  const missing = scaleWindow.count === 0 || !(scaleWindow.mean > MIN_SCALE);
  const scale = missing ? prior : scaleWindow.mean;
  // Only indices before the origin are ever read, so only those are normalised.
  const end = Math.max(0, Math.min(raw.length, originIndex));
  let buffer = normalisedScratch[metricIndex] as Float64Array;
  if (buffer.length < end) {
    buffer = new Float64Array(end);
    normalisedScratch[metricIndex] = buffer;
  }
  const values = buffer.subarray(0, end);
  for (let i = 0; i < end; i++) values[i] = (raw[i] as number) / scale;
  const week = windowStats(values, originIndex, HOURS_PER_WEEK, true);
  const day = windowStats(values, originIndex, HOURS_PER_DAY);
  return {
    values,
    scale,
    missing,
    level24: day.mean,
    level168: week.mean,
    std168: week.count < 2 ? 0 : week.std,
  };
}

/**
 * Mean and (`withStd`) population std of the finite values in [originIndex - hours, originIndex); mean NaN
 * when none, std NaN when none or not asked for (only std168 is a feature: no pass over the values for others).
 */
function windowStats(
  values: Float64Array,
  originIndex: number,
  hours: number,
  withStd = false,
): { mean: number; count: number; std: number } {
  const from = Math.max(0, originIndex - hours);
  const to = Math.min(values.length, originIndex);
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : Number.NaN;
  if (!withStd) return { mean, count, std: Number.NaN };
  let squares = 0;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) squares += (v - mean) * (v - mean);
  }
  return { mean, count, std: count > 0 ? Math.sqrt(squares / count) : Number.NaN };
}

function finiteHoursOfAnyMetric(history: HourlySeries, originIndex: number): number {
  const from = Math.max(0, originIndex - SCALE_WINDOW_HOURS);
  const to = Math.min(history.length, originIndex);
  let hours = 0;
  const series = METRICS.map((metric) => history.values[metric]);
  for (let i = from; i < to; i++) {
    for (const values of series) {
      if (Number.isFinite(values[i] as number)) {
        hours++;
        break;
      }
    }
  }
  return hours;
}
