import type { DemandForecast, DemandPredicted } from '@clonecast/contracts';
import {
  BASELINE_MODEL_VERSION,
  DomainError,
  forecastHourOfWeek,
  quantilesOutsideModel,
  validateForecastRequest,
  type FeatureRows,
  type ForecastRequest,
} from '@clonecast/prediction/domain';
import { ModelInferenceError, ModelLoadError } from './errors';
import { OnnxDemandModel, type OnnxDemandModelOptions } from './onnx-demand-model';

export type Predictor = DemandPredicted['predictor'];

/** A forecast and the predictor that made it. */
export interface Prediction {
  readonly forecast: DemandForecast;
  readonly predictor: Predictor;
}

/** Per request of a batch: a prediction, or the domain error that makes the request unanswerable. */
export type PredictionOutcome = { readonly ok: true; readonly prediction: Prediction } | { readonly ok: false; readonly error: DomainError };

/** Why the baseline answered: the first word is machine-readable, the rest says what happened. */
export type FallbackReasonCode = 'model-missing' | 'model-load-error' | 'inference-error' | 'horizon-exceeds-model' | 'quantiles-outside-model';

export interface ModelBackedForecasterOptions extends OnnxDemandModelOptions {
  /** Told why the model could not be loaded or could not answer (e.g. a logger). */
  readonly onFallback?: (reason: string) => void;
}

/**
 * Answers with the ONNX demand model and falls back to the hour-of-week baseline when the model cannot
 * serve a request: its files are missing, it failed to load, inference failed, or the request asks for
 * more than the model offers (horizon, quantile range). Each prediction names its predictor and why.
 */
export class ModelBackedForecaster {
  private constructor(
    private readonly model: OnnxDemandModel | undefined,
    /** Set when `model` is undefined: why it is unavailable. */
    private readonly unavailableReason: string | undefined,
    private readonly onFallback: (reason: string) => void = () => undefined,
  ) {}

  /** Loads the model from `modelDir`; a missing or broken model leaves the baseline answering. */
  static async create(modelDir: string, options: ModelBackedForecasterOptions = {}): Promise<ModelBackedForecaster> {
    try {
      const model = await OnnxDemandModel.load(modelDir, options);
      return new ModelBackedForecaster(model, undefined, options.onFallback);
    } catch (error) {
      if (!(error instanceof ModelLoadError)) throw error;
      const reason = fallbackReason(error.code === 'MODEL_MISSING' ? 'model-missing' : 'model-load-error', error.message);
      options.onFallback?.(reason);
      return new ModelBackedForecaster(undefined, reason, options.onFallback);
    }
  }

  /** Which predictor answers requests the model can serve. */
  get status(): Predictor {
    if (this.model) return { kind: 'model', modelVersion: this.model.modelVersion };
    return { kind: 'baseline', modelVersion: BASELINE_MODEL_VERSION, ...(this.unavailableReason ? { fallbackReason: this.unavailableReason } : {}) };
  }

  /** The model for every request it can serve, one run per chunk (OnnxDemandModel.chunks); the baseline answers the rest. In request order. */
  async forecastBatch(requests: readonly ForecastRequest[]): Promise<PredictionOutcome[]> {
    const outcomes: (PredictionOutcome | undefined)[] = requests.map(() => undefined);
    const servable: number[] = [];
    requests.forEach((request, index) => {
      try {
        validateForecastRequest(request);
        const reason = this.cannotServe(request);
        if (reason !== undefined || !this.model) outcomes[index] = this.baseline(request, reason);
        else servable.push(index);
      } catch (error) {
        // one unanswerable request (bad options, unreadable history) does not fail the batch
        if (!(error instanceof DomainError)) throw error;
        outcomes[index] = { ok: false, error };
      }
    });

    if (this.model && servable.length > 0) {
      const model = this.model;
      // chunk by chunk (model.chunks): the features of a chunk go straight into one input tensor, one model run
      const chunks = model.chunks(servable.map((index) => ({ index, horizonHours: (requests[index] as ForecastRequest).horizonHours })));
      for (const chunk of chunks) {
        const targets = model.batchInput(chunk.map((c) => c.horizonHours));
        const forModel: { index: number; features: FeatureRows; quantiles: readonly number[] }[] = [];
        chunk.forEach(({ index }, k) => {
          const request = requests[index] as ForecastRequest;
          try {
            // validated above: options, start, and what the model offers (cannotServe)
            forModel.push({ index, features: model.features(request, targets[k], true), quantiles: request.quantiles });
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            outcomes[index] = { ok: false, error };
          }
        });
        if (forModel.length === 0) continue;
        try {
          const forecasts = await model.forecastFeatures(forModel, true);
          forecasts.forEach((forecast, k) => {
            const { index } = forModel[k] as { index: number };
            outcomes[index] = { ok: true, prediction: { forecast, predictor: { kind: 'model', modelVersion: model.modelVersion } } };
          });
        } catch (error) {
          if (!(error instanceof ModelInferenceError)) throw error;
          const reason = fallbackReason('inference-error', error.message);
          for (const { index } of forModel) outcomes[index] = this.baseline(requests[index] as ForecastRequest, reason);
        }
      }
    }
    return outcomes as PredictionOutcome[];
  }

  /** Forecasts one request; throws the DomainError that makes it unanswerable. */
  async forecast(request: ForecastRequest): Promise<Prediction> {
    const [outcome] = await this.forecastBatch([request]);
    if (!outcome?.ok) throw (outcome as { error: DomainError }).error;
    return outcome.prediction;
  }

  async close(): Promise<void> {
    await this.model?.close();
  }

  private cannotServe(request: ForecastRequest): string | undefined {
    if (!this.model) return this.unavailableReason;
    const { maxHorizon, quantiles } = this.model.manifest;
    if (request.horizonHours > maxHorizon) {
      return fallbackReason('horizon-exceeds-model', `${request.horizonHours} h > ${maxHorizon} h`);
    }
    const outside = quantilesOutsideModel(request.quantiles, quantiles);
    if (outside.length > 0) {
      return fallbackReason('quantiles-outside-model', `${outside.join(', ')} not in ${quantiles[0]}..${quantiles[quantiles.length - 1]}`);
    }
    return undefined;
  }

  private baseline(request: ForecastRequest, reason: string | undefined): PredictionOutcome {
    if (this.model && reason) this.onFallback(reason);
    try {
      const forecast = forecastHourOfWeek(request.history, {
        horizonHours: request.horizonHours,
        quantiles: request.quantiles,
        ...(request.start === undefined ? {} : { start: request.start }),
      });
      const predictor: Predictor = { kind: 'baseline', modelVersion: BASELINE_MODEL_VERSION };
      return { ok: true, prediction: { forecast, predictor: reason ? { ...predictor, fallbackReason: reason } : predictor } };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return { ok: false, error };
    }
  }
}

function fallbackReason(code: FallbackReasonCode, detail: string): string {
  return `${code}: ${detail}`;
}
