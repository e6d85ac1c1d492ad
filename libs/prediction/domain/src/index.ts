export * from './errors';
export { parseHistoryCsv, HISTORY_CSV_HEADER } from './history-csv';
export { resampleHourly, type HourlySeries } from './hourly-series';
export {
  forecastHourOfWeek,
  forecastHourOfWeekFromSeries,
  BASELINE_MODEL_VERSION,
  DEFAULT_LOOKBACK_WEEKS,
  MAX_HORIZON_HOURS,
  type HourOfWeekForecastOptions,
} from './hour-of-week-forecaster';
export { quantile, quantileOfSorted, sortedAscending } from './quantile';
export { HourOfWeekSampler } from './hour-of-week-sample';
export { RECENT_BLOCKS } from './recent-quantile-blocks';
export {
  buildFeatureRows,
  emptyHourlySeries,
  FEATURE_COUNT,
  FEATURE_COUNT_V2,
  FEATURE_COUNT_V3,
  FEATURE_NAMES,
  FEATURE_NAMES_V2,
  FEATURE_NAMES_V3,
  FEATURE_SPEC,
  FEATURE_SPECS,
  featureCountOf,
  featureNamesOf,
  HW_LOOKBACK_WEEKS,
  HW_QUANTILES,
  MODEL_ACCOUNT_TYPES,
  MODEL_APPLICATIONS,
  MODEL_EVENT_KINDS,
  type FeatureEvent,
  type FeatureInput,
  type FeatureRows,
  type FeatureSpec,
  type ScalePriors,
} from './features';
export { modelManifestSchema, parseModelManifest, type ModelManifest } from './model-manifest';
export {
  assembleForecast,
  quantilesOutsideModel,
  validateRequestedQuantiles,
  type AssembleForecastInput,
  type ModelOutputContract,
} from './assemble-forecast';
export { floorToHour, MS_PER_HOUR, parseIsoInstant, toIso } from './instant';
export {
  forecastOrigin,
  hourlyForecastOrigin,
  hourlyModelFeatures,
  modelFeatures,
  validateForecastRequest,
  validateHourlyForecastRequest,
  validateQuantiles,
  type FeatureContract,
  type FeatureTarget,
  type ForecastRequest,
  type HourlyForecastRequest,
} from './forecast-request';
