export * from './errors';
export * from './control-law';
export { forecastMedianAt } from './forecast-median';
