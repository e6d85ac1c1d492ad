import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { METRICS, type DemandForecast } from '@clonecast/contracts';
import {
  assembleForecast,
  FEATURE_COUNT,
  InvalidForecastOptionsError,
  modelFeatures,
  parseModelManifest,
  validateForecastRequest,
  validateRequestedQuantiles,
  type FeatureRows,
  type ForecastRequest,
  type ModelManifest,
} from '@clonecast/prediction/domain';
import { ModelInferenceError, ModelLoadError } from './errors';

/** The released model, relative to the repository root (where services and the CLI run). */
export const DEFAULT_MODEL_DIR = 'models/demand-forecaster/v1';
export const MODEL_INPUT = 'features';
export const MODEL_OUTPUT = 'quantiles';

export interface OnnxDemandModelOptions {
  /** Threads onnxruntime may use inside one operator; 1 keeps a forecast on one core. */
  readonly intraOpNumThreads?: number;
}

/** The demand-forecaster ONNX model with its manifest: features in, DemandForecast out. */
export class OnnxDemandModel {
  /** Recorded in forecasts and in demand.predicted's predictor. */
  readonly modelVersion: string;

  private constructor(
    readonly manifest: ModelManifest,
    private readonly session: InferenceSession,
  ) {
    this.modelVersion = `demand-forecaster@${manifest.version}`;
  }

  /** Loads `<dir>/manifest.json` and the model it names, refusing a model whose sha256 differs from the manifest's. */
  static async load(modelDir: string, options: OnnxDemandModelOptions = {}): Promise<OnnxDemandModel> {
    const manifestFile = path.join(modelDir, 'manifest.json');
    let manifest: ModelManifest;
    try {
      manifest = parseModelManifest(JSON.parse(await readModelFile(manifestFile, 'utf8')));
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      throw new ModelLoadError('MODEL_LOAD_ERROR', `${manifestFile}: ${(error as Error).message}`);
    }
    const modelFile = path.join(modelDir, manifest.onnx);
    const bytes = await readModelFile(modelFile);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== manifest.sha256) {
      throw new ModelLoadError('MODEL_LOAD_ERROR', `${modelFile}: sha256 ${sha256} differs from the manifest's ${manifest.sha256}`);
    }
    let session: InferenceSession;
    try {
      // Loaded from the verified bytes, so the file cannot change between the check and the load.
      session = await InferenceSession.create(bytes, {
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
    } catch (error) {
      throw new ModelLoadError('MODEL_LOAD_ERROR', `${modelFile}: onnxruntime cannot load it: ${(error as Error).message}`);
    }
    if (!session.inputNames.includes(MODEL_INPUT) || !session.outputNames.includes(MODEL_OUTPUT)) {
      await session.release();
      throw new ModelLoadError(
        'MODEL_LOAD_ERROR',
        `${modelFile}: expected input "${MODEL_INPUT}" and output "${MODEL_OUTPUT}", got [${session.inputNames.join(', ')}] → [${session.outputNames.join(', ')}]`,
      );
    }
    return new OnnxDemandModel(manifest, session);
  }

  /** Throws InvalidForecastOptionsError for a request this model cannot answer (horizon, quantiles, start). */
  validate(request: ForecastRequest): void {
    validateForecastRequest(request);
    if (request.horizonHours > this.manifest.maxHorizon) {
      throw new InvalidForecastOptionsError(`horizonHours ${request.horizonHours} exceeds the model's maxHorizon ${this.manifest.maxHorizon}`);
    }
    validateRequestedQuantiles(request.quantiles, this.manifest.quantiles);
  }

  /** The request's feature rows; throws the DomainError that makes the request unanswerable by this model. */
  features(request: ForecastRequest): FeatureRows {
    this.validate(request);
    return modelFeatures(request, this.manifest.scalePriors);
  }

  /** Forecasts many requests with one model run; the forecasts come back in request order. */
  async forecastBatch(requests: readonly ForecastRequest[]): Promise<DemandForecast[]> {
    return this.forecastFeatures(requests.map((request) => ({ features: this.features(request), quantiles: request.quantiles })));
  }

  /** One model run over the rows of every item (from `features`); each item keeps its requested quantiles. */
  async forecastFeatures(items: readonly { features: FeatureRows; quantiles: readonly number[] }[]): Promise<DemandForecast[]> {
    if (items.length === 0) return [];
    const outputs = await this.infer(concatRows(items.map((item) => item.features)));
    const perStep = METRICS.length * this.manifest.quantiles.length;
    let offset = 0;
    return items.map(({ features, quantiles }) => {
      const size = features.horizonHours * perStep;
      const forecast = assembleForecast({
        outputs: outputs.subarray(offset, offset + size),
        features,
        model: this.manifest,
        modelVersion: this.modelVersion,
        quantiles,
      });
      offset += size;
      return forecast;
    });
  }

  async forecast(request: ForecastRequest): Promise<DemandForecast> {
    const [forecast] = await this.forecastBatch([request]);
    return forecast as DemandForecast;
  }

  /** Runs the graph on N feature rows (N × 63, row-major) and returns its N × 4 × Q normalised quantiles. */
  async infer(rows: Float32Array): Promise<Float32Array> {
    const n = rows.length / FEATURE_COUNT;
    const expected = n * METRICS.length * this.manifest.quantiles.length;
    const output = new Float32Array(expected);
    try {
      // onnxruntime fills a pre-allocated output in place, which saves copying it out of the result.
      await this.session.run(
        { [MODEL_INPUT]: new Tensor('float32', rows, [n, FEATURE_COUNT]) },
        { [MODEL_OUTPUT]: new Tensor('float32', output, [n, METRICS.length, this.manifest.quantiles.length]) },
      );
    } catch (error) {
      throw new ModelInferenceError(`onnxruntime failed on ${n} rows: ${(error as Error).message}`);
    }
    return output;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function readModelFile(file: string): Promise<Buffer>;
function readModelFile(file: string, encoding: 'utf8'): Promise<string>;
async function readModelFile(file: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding ? await readFile(file, encoding) : await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelLoadError('MODEL_MISSING', `${file} does not exist`);
    throw new ModelLoadError('MODEL_LOAD_ERROR', `cannot read ${file}: ${code ?? (error as Error).message}`);
  }
}

function concatRows(features: readonly FeatureRows[]): Float32Array {
  if (features.length === 1) return (features[0] as FeatureRows).rows;
  const all = new Float32Array(features.reduce((sum, f) => sum + f.rows.length, 0));
  let offset = 0;
  for (const f of features) {
    all.set(f.rows, offset);
    offset += f.rows.length;
  }
  return all;
}
