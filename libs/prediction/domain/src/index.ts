export * from './errors';
export { parseHistoryCsv, HISTORY_CSV_HEADER } from './history-csv';
export { resampleHourly, type HourlySeries } from './hourly-series';
export {
  forecastHourOfWeek,
  BASELINE_MODEL_VERSION,
  DEFAULT_LOOKBACK_WEEKS,
  MAX_HORIZON_HOURS,
  type HourOfWeekForecastOptions,
} from './hour-of-week-forecaster';
export { quantile, sortedAscending } from './quantile';
export {
  buildFeatureRows,
  emptyHourlySeries,
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SPEC,
  MODEL_ACCOUNT_TYPES,
  MODEL_APPLICATIONS,
  MODEL_EVENT_KINDS,
  type FeatureEvent,
  type FeatureInput,
  type FeatureRows,
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
  modelFeatures,
  validateForecastRequest,
  validateQuantiles,
  type ForecastRequest,
} from './forecast-request';
