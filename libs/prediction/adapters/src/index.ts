export { ModelInferenceError, ModelLoadError } from './errors';
export { OnnxDemandModel, DEFAULT_MODEL_DIR, MODEL_INPUT, MODEL_OUTPUT, type OnnxDemandModelOptions } from './onnx-demand-model';
export {
  ModelBackedForecaster,
  type FallbackReasonCode,
  type ModelBackedForecasterOptions,
  type Prediction,
  type PredictionOutcome,
  type Predictor,
} from './model-backed-forecaster';
