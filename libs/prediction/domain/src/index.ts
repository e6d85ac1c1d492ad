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
