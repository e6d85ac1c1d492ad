import { Injectable } from '@nestjs/common';
import type { CloneRequested, DemandPredicted } from '@clonecast/contracts';
import { BASELINE_MODEL_VERSION, forecastHourOfWeek } from '@clonecast/prediction/domain';

/** Quantiles every pipeline forecast carries (the cost optimiser picks the service level among them). */
export const FORECAST_QUANTILES = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;

const HOUR_MS = 3_600_000;

/** Forecasts a clone's demand over its timeframe from the source account's history. */
@Injectable()
export class DemandForecaster {
  forecast({ spec, profile }: CloneRequested): DemandPredicted {
    // the forecast grid is whole UTC hours, starting with the hour that contains activation
    const start = new Date(Math.floor(Date.parse(spec.activationAt) / HOUR_MS) * HOUR_MS).toISOString();
    const forecast = forecastHourOfWeek(profile.historicalData, {
      start,
      horizonHours: spec.timeframeHours,
      quantiles: [...FORECAST_QUANTILES],
    });
    return { spec, predictor: { kind: 'baseline', modelVersion: BASELINE_MODEL_VERSION }, forecast };
  }
}
