import type { Command } from 'commander';
import { z } from 'zod';
import { accountEventSchema, type DemandForecast } from '@clonecast/contracts';
import { DomainError, forecastHourOfWeek, parseHistoryCsv } from '@clonecast/prediction/domain';
import { UsageError } from '../cli-error';
import { parseList, parseNumberOption, printJson, readJson, readText } from '../io';

interface ForecastOptions {
  history: string;
  horizonHours: number;
  quantiles: string;
  accountType?: string;
  applications?: string[];
  events?: string;
  start?: string;
  model: string;
  json: boolean;
}

/** Quantile keys are kept exactly as the user typed them. */
function parseQuantiles(text: string): { keys: string[]; values: number[] } {
  const keys = parseList(text);
  if (keys.length === 0) throw new UsageError('--quantiles needs at least one value');
  const values = keys.map((k) => {
    const q = Number(k);
    if (!/^0?\.\d+$/.test(k) || !(q > 0 && q < 1)) throw new UsageError(`--quantiles: "${k}" is not a decimal in (0, 1) such as 0.9`);
    return q;
  });
  if (new Set(values).size !== values.length) throw new UsageError('--quantiles: values must be distinct');
  return { keys, values };
}

export function runForecast(options: ForecastOptions): DemandForecast {
  if (options.model !== 'baseline') throw new UsageError(`--model "${options.model}": only "baseline" (hour-of-week) is available`);
  const { keys, values } = parseQuantiles(options.quantiles);
  // Metadata and events are validated now; the hour-of-week baseline does not condition on them.
  if (options.events) readJson(options.events, z.array(accountEventSchema), 'events file');
  try {
    const history = parseHistoryCsv(readText(options.history, 'history'));
    const forecast = forecastHourOfWeek(history, { horizonHours: options.horizonHours, quantiles: values, ...(options.start ? { start: options.start } : {}) });
    const rekey = (series: Record<string, number[]>) => Object.fromEntries(keys.map((k, i) => [k, series[String(values[i])] ?? []]));
    return {
      ...forecast,
      metrics: {
        cpu: rekey(forecast.metrics.cpu),
        memory: rekey(forecast.metrics.memory),
        storage: rekey(forecast.metrics.storage),
        network: rekey(forecast.metrics.network),
      },
    };
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`${options.history}: ${error.message}`);
    throw error;
  }
}

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('forecast demand offline from a usage history CSV (timestamp,cpu,memory,storage,network)')
    .requiredOption('--history <file.csv>', 'usage history; ISO-8601 UTC or epoch-second timestamps, any regular interval')
    .requiredOption('--horizon-hours <n>', 'hours to forecast, 1..168', parseNumberOption('--horizon-hours', 1, 168, true))
    .option('--quantiles <list>', 'quantiles, comma-separated', '0.1,0.5,0.9')
    .option('--account-type <type>', 'account type (metadata for the model)')
    .option('--applications <list>', 'deployed applications, comma-separated', parseList)
    .option('--events <file>', 'events calendar JSON: [{name, kind, start, end, uplift?}]')
    .option('--start <iso>', 'first forecast hour (default: the hour after the last history row)')
    .option('--model <name>', 'predictor', 'baseline')
    .option('--json', 'print one JSON document', false)
    .action((options: ForecastOptions) => {
      const forecast = runForecast(options);
      if (options.json) return printJson(forecast);
      const { keys } = parseQuantiles(options.quantiles);
      process.stdout.write(`model ${forecast.modelVersion}, ${forecast.timestamps.length} hourly steps from ${forecast.start}\n`);
      for (const metric of ['cpu', 'memory', 'storage', 'network'] as const) {
        const peak = keys.map((k) => `q${k}=${Math.max(...(forecast.metrics[metric][k] ?? [0])).toFixed(3)}`).join(' ');
        process.stdout.write(`${metric.padEnd(8)} peak ${peak}\n`);
      }
    });
}
