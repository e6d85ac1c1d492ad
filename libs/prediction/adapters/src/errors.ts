/** Why the ONNX model cannot be loaded: its files are absent, or present but unusable. */
export class ModelLoadError extends Error {
  constructor(
    readonly code: 'MODEL_MISSING' | 'MODEL_LOAD_ERROR',
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** onnxruntime failed to run the model, or returned something other than the declared output. */
export class ModelInferenceError extends Error {
  readonly code = 'MODEL_INFERENCE_ERROR';

  constructor(message: string) {
    super(message);
    this.name = 'ModelInferenceError';
  }
}
