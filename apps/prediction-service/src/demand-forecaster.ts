import path from 'node:path';
import { Injectable, Logger, OnModuleDestroy, type LoggerService } from '@nestjs/common';
import type { CloneRequested, DemandPredicted } from '@clonecast/contracts';
import { ModelBackedForecaster } from '@clonecast/prediction/adapters';
import type { ForecastRequest } from '@clonecast/prediction/domain';
import type { PredictionEnv } from './prediction-env';

/** Quantiles every pipeline forecast carries (the cost optimiser picks the service level among them). */
export const FORECAST_QUANTILES = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;

const HOUR_MS = 3_600_000;

/**
 * Forecasts a clone's demand over its timeframe from the source account's history and metadata, with the
 * demand model, or with the hour-of-week baseline when the model cannot answer.
 */
@Injectable()
export class DemandForecaster implements OnModuleDestroy {
  constructor(private readonly forecaster: ModelBackedForecaster) {}

  /** Loads the model named by the environment; a missing or broken model leaves the baseline answering. */
  static async create(
    env: PredictionEnv,
    logger: Pick<LoggerService, 'log' | 'warn'> = new Logger('DemandForecaster'),
  ): Promise<DemandForecaster> {
    const modelDir = path.resolve(env.MODEL_DIR);
    const forecaster = await ModelBackedForecaster.create(modelDir, {
      intraOpNumThreads: env.MODEL_INTRA_OP_THREADS,
      onFallback: (reason) => logger.warn(`baseline answers: ${reason}`),
    });
    const { kind, modelVersion } = forecaster.status;
    logger.log(`forecasting with ${kind} ${modelVersion}${kind === 'model' ? ` from ${modelDir}` : ''}`);
    return new DemandForecaster(forecaster);
  }

  /** Throws the DomainError that makes the request unanswerable (e.g. no history and no model). */
  async forecast({ spec, profile }: CloneRequested): Promise<DemandPredicted> {
    const { forecast, predictor } = await this.forecaster.forecast(forecastRequestOf({ spec, profile }));
    return { spec, predictor, forecast };
  }

  async onModuleDestroy(): Promise<void> {
    await this.forecaster.close();
  }
}

/** The forecast grid is whole UTC hours, starting with the hour that contains activation. */
export function forecastRequestOf({ spec, profile }: CloneRequested): ForecastRequest {
  return {
    history: profile.historicalData,
    start: new Date(Math.floor(Date.parse(spec.activationAt) / HOUR_MS) * HOUR_MS).toISOString(),
    horizonHours: spec.timeframeHours,
    quantiles: FORECAST_QUANTILES,
    // the model conditions on the account the history belongs to
    accountType: profile.accountType,
    applications: profile.applications,
    events: profile.events,
  };
}
