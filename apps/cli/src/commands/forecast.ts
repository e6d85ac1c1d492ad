import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { accountEventSchema, type DemandForecast } from '@clonecast/contracts';
import { DEFAULT_MODEL_DIR, ModelLoadError, OnnxDemandModel } from '@clonecast/prediction/adapters';
import {
  DomainError,
  forecastHourOfWeek,
  InvalidForecastOptionsError,
  parseHistoryCsv,
  type ForecastRequest,
} from '@clonecast/prediction/domain';
import { UsageError } from '../cli-error';
import { parseList, parseNumberOption, printJson, readJson, readText } from '../io';

export const PREDICTORS = ['model', 'baseline'] as const;
/** Not one of the model's account types, so the model treats it as "other" with the default scale prior. */
const UNKNOWN_ACCOUNT_TYPE = 'unknown';

export interface ForecastOptions {
  history: string;
  horizonHours: number;
  quantiles: string;
  accountType?: string;
  applications?: string[];
  events?: string;
  start?: string;
  model: string;
  modelDir?: string;
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

/**
 * Forecasts from a history CSV with the demand model (default) or the hour-of-week baseline. The model
 * answers the quantiles it was trained on; a quantile between two of them is interpolated linearly in q,
 * one outside their range is refused.
 */
export async function runForecast(options: ForecastOptions): Promise<DemandForecast> {
  if (!(PREDICTORS as readonly string[]).includes(options.model)) {
    throw new UsageError(`--model "${options.model}": use "model" (the demand model) or "baseline" (hour-of-week)`);
  }
  const { keys, values } = parseQuantiles(options.quantiles);
  const events = options.events ? readJson(options.events, z.array(accountEventSchema), 'events file') : [];
  let forecast: DemandForecast;
  try {
    const history = parseHistoryCsv(readText(options.history, 'history'));
    const start = options.start ? { start: options.start } : {};
    if (options.model === 'baseline') {
      forecast = forecastHourOfWeek(history, { horizonHours: options.horizonHours, quantiles: values, ...start });
    } else {
      forecast = await forecastWithModel(options.modelDir ?? DEFAULT_MODEL_DIR, {
        history,
        horizonHours: options.horizonHours,
        quantiles: values,
        accountType: options.accountType ?? UNKNOWN_ACCOUNT_TYPE,
        applications: options.applications ?? [],
        events,
        ...start,
      });
    }
  } catch (error) {
    if (error instanceof InvalidForecastOptionsError) throw new UsageError(error.message);
    if (error instanceof DomainError) throw new UsageError(`${options.history}: ${error.message}`);
    throw error;
  }
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
}

async function forecastWithModel(modelDir: string, request: ForecastRequest): Promise<DemandForecast> {
  let model: OnnxDemandModel;
  try {
    model = await OnnxDemandModel.load(path.resolve(modelDir));
  } catch (error) {
    if (error instanceof ModelLoadError) throw new UsageError(`--model-dir ${modelDir}: ${error.message} (--model baseline needs no model)`);
    throw error;
  }
  try {
    return await model.forecast(request);
  } finally {
    await model.close();
  }
}

export function registerForecast(program: Command): void {
  program
    .command('forecast')
    .description('forecast demand offline from a usage history CSV (timestamp,cpu,memory,storage,network)')
    .requiredOption('--history <file.csv>', 'usage history; ISO-8601 UTC or epoch-second timestamps, any regular interval')
    .requiredOption('--horizon-hours <n>', 'hours to forecast, 1..168', parseNumberOption('--horizon-hours', 1, 168, true))
    .option(
      '--quantiles <list>',
      "quantiles, comma-separated; the model interpolates linearly between its own (0.05 … 0.99) and refuses any outside them",
      '0.1,0.5,0.9',
    )
    .option('--account-type <type>', 'account type, a model feature (e.g. web, batch, database; default: unknown)')
    .option('--applications <list>', 'deployed applications, comma-separated (a model feature)', parseList)
    .option('--events <file>', 'events calendar JSON: [{name, kind, start, end, uplift?}]; the model raises demand by a declared uplift')
    .option('--start <iso>', 'first forecast hour (default: the hour after the last history row); the model starts at the whole hour')
    .option('--model <name>', 'predictor: model (the ONNX demand model) or baseline (hour-of-week)', 'model')
    .option('--model-dir <dir>', 'directory of the demand model (manifest.json, model.onnx)', DEFAULT_MODEL_DIR)
    .option('--json', 'print one JSON document', false)
    .action(async (options: ForecastOptions) => {
      const forecast = await runForecast(options);
      if (options.json) return printJson(forecast);
      const { keys } = parseQuantiles(options.quantiles);
      process.stdout.write(`model ${forecast.modelVersion}, ${forecast.timestamps.length} hourly steps from ${forecast.start}\n`);
      for (const metric of ['cpu', 'memory', 'storage', 'network'] as const) {
        const peak = keys.map((k) => `q${k}=${Math.max(...(forecast.metrics[metric][k] ?? [0])).toFixed(3)}`).join(' ');
        process.stdout.write(`${metric.padEnd(8)} peak ${peak}\n`);
      }
    });
}
