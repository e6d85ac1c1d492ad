import type { AccountEvent, UsageSample } from '@clonecast/contracts';
import { InvalidForecastOptionsError, NoHistoryError } from './errors';
import { buildFeatureRows, emptyHourlySeries, type FeatureRows, type FeatureSpec, type ScalePriors } from './features';
import { MAX_HORIZON_HOURS } from './hour-of-week-forecaster';
import { HourlyScratch, resampleHourly, type HourlySeries } from './hourly-series';
import { floorToHour, MS_PER_HOUR, parseIsoInstant } from './instant';

/** String(q) must satisfy the contract's quantile-key pattern, so exponent forms such as 1e-7 are refused. */
const QUANTILE_KEY = /^0\.\d+$/;

/** One forecast asked of a predictor: the account's history and metadata, and what to forecast. */
export interface ForecastRequest {
  /** Usage history, any regular interval, oldest first; may be empty (cold start) when `start` is given. */
  readonly history: readonly UsageSample[];
  /**
   * First forecast hour, ISO-8601; default: the hour after the last history row. The model forecasts
   * whole UTC hours, so a start inside an hour is moved to the beginning of that hour.
   */
  readonly start?: string;
  /** Number of hourly steps, 1..168. */
  readonly horizonHours: number;
  /** Probabilities in (0, 1); the forecast keys each series by String(q). */
  readonly quantiles: readonly number[];
  readonly accountType: string;
  readonly applications: readonly string[];
  readonly events: readonly AccountEvent[];
}

/**
 * A ForecastRequest whose history is already hourly (e.g. kept resampled by the caller): what the model
 * itself does, without reading timestamps. `start` defaults to the hour after the series' last hour.
 */
export type HourlyForecastRequest = Omit<ForecastRequest, 'history'> & { readonly history: HourlySeries };

/** Which features a model takes: its manifest's priors and feature spec. */
export interface FeatureContract {
  readonly scalePriors: ScalePriors;
  readonly featureSpec: FeatureSpec;
}

/** Where buildFeatureRows writes (a batch's input tensor, overwritten whatever it held), instead of a new array. */
export interface FeatureTarget {
  readonly into: Float32Array;
  readonly offset: number;
}

/** Distinct decimals strictly between 0 and 1 whose String() is a contract quantile key. */
export function validateQuantiles(quantiles: readonly number[]): void {
  if (quantiles.length === 0) throw new InvalidForecastOptionsError('at least one quantile is required');
  for (const q of quantiles) {
    if (!(q > 0 && q < 1) || !QUANTILE_KEY.test(String(q))) {
      throw new InvalidForecastOptionsError(`quantile ${q} must be a decimal strictly between 0 and 1, e.g. 0.5`);
    }
  }
  if (new Set(quantiles).size !== quantiles.length) {
    throw new InvalidForecastOptionsError(`quantiles must be distinct, got [${quantiles.join(', ')}]`);
  }
}

/** Checks what every predictor needs of a request: horizon, quantiles and a determinable start. */
export function validateForecastRequest(request: ForecastRequest): void {
  validateForecastOptions(request);
  forecastOrigin(request);
}

/** validateForecastRequest for a request whose history is already hourly. */
export function validateHourlyForecastRequest(request: HourlyForecastRequest): void {
  validateForecastOptions(request);
  hourlyForecastOrigin(request);
}

function validateForecastOptions(request: Pick<ForecastRequest, 'horizonHours' | 'quantiles'>): void {
  const { horizonHours } = request;
  if (!Number.isInteger(horizonHours) || horizonHours < 1 || horizonHours > MAX_HORIZON_HOURS) {
    throw new InvalidForecastOptionsError(`horizonHours must be an integer in 1..${MAX_HORIZON_HOURS}, got ${horizonHours}`);
  }
  validateQuantiles(request.quantiles);
}

/** The first forecast hour: `start` floored to its UTC hour, or the hour after the last history row. */
export function forecastOrigin(request: Pick<ForecastRequest, 'history' | 'start'>): number {
  if (request.start !== undefined) {
    const ms = parseIsoInstant(request.start);
    if (ms === undefined) throw new InvalidForecastOptionsError(`start "${request.start}" is not an ISO-8601 instant with a zone`);
    return floorToHour(ms);
  }
  const last = request.history[request.history.length - 1];
  if (last === undefined) throw new NoHistoryError('the usage history is empty and no forecast start was given');
  const lastMs = parseIsoInstant(last.timestamp);
  if (lastMs === undefined) throw new InvalidForecastOptionsError(`history timestamp "${last.timestamp}" is not an ISO-8601 instant`);
  return floorToHour(lastMs) + MS_PER_HOUR;
}

/** modelFeatures' resampled history: read only while its feature rows are built, so its buffers are reused. */
const historyScratch = new HourlyScratch();

/** The model's feature rows for a request (an empty history is a cold start, not an error). */
export function modelFeatures(request: ForecastRequest, contract: FeatureContract, target?: FeatureTarget): FeatureRows {
  const origin = forecastOrigin(request);
  const history = request.history.length === 0 ? emptyHourlySeries(origin) : resampleHourly(request.history, historyScratch);
  return featuresOf(request, history, origin, contract, target);
}

/** The first forecast hour of an hourly request: `start` floored to its hour, or the hour after the series. */
export function hourlyForecastOrigin(request: Pick<HourlyForecastRequest, 'history' | 'start'>): number {
  if (request.start !== undefined) return forecastOrigin({ history: [], start: request.start });
  if (request.history.length === 0) throw new NoHistoryError('the usage history is empty and no forecast start was given');
  return request.history.start + request.history.length * MS_PER_HOUR;
}

/** modelFeatures for a request whose history is already hourly. */
export function hourlyModelFeatures(request: HourlyForecastRequest, contract: FeatureContract, target?: FeatureTarget): FeatureRows {
  return featuresOf(request, request.history, hourlyForecastOrigin(request), contract, target);
}

function featuresOf(
  request: Omit<ForecastRequest, 'history'>,
  history: HourlySeries,
  origin: number,
  contract: FeatureContract,
  target: FeatureTarget | undefined,
): FeatureRows {
  return buildFeatureRows(
    {
      history,
      origin,
      horizonHours: request.horizonHours,
      accountType: request.accountType,
      applications: request.applications,
      events: request.events,
      scalePriors: contract.scalePriors,
      featureSpec: contract.featureSpec,
    },
    target?.into,
    target?.offset,
  );
}
