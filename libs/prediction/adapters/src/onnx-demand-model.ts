import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { METRICS, type DemandForecast } from '@clonecast/contracts';
import {
  assembleForecast,
  featureCountOf,
  hourlyModelFeatures,
  InvalidForecastOptionsError,
  modelFeatures,
  parseModelManifest,
  validateForecastRequest,
  validateHourlyForecastRequest,
  validateRequestedQuantiles,
  type FeatureRows,
  type FeatureTarget,
  type ForecastRequest,
  type HourlyForecastRequest,
  type ModelManifest,
} from '@clonecast/prediction/domain';
import { ModelInferenceError, ModelLoadError } from './errors';
import { Float32Pool } from './float32-pool';

/** The released model, relative to the repository root (where services and the CLI run). */
export const DEFAULT_MODEL_DIR = 'models/demand-forecaster/v4';
export const MODEL_INPUT = 'features';
export const MODEL_OUTPUT = 'quantiles';

/**
 * Feature rows per model run in a batch (8 forecasts of 168 h): a larger batch goes through features → model →
 * assembly in chunks of about this many rows, reusing the same input and output buffers, which stay in cache.
 */
export const DEFAULT_CHUNK_ROWS = 8 * 168;

export interface OnnxDemandModelOptions {
  /** Threads onnxruntime may use inside one operator; 1 keeps a forecast on one core. */
  readonly intraOpNumThreads?: number;
  /** Feature rows per model run of a batch (DEFAULT_CHUNK_ROWS); Infinity: the whole batch in one run. */
  readonly chunkRows?: number;
}

/** The demand-forecaster ONNX model with its manifest: features in, DemandForecast out. */
export class OnnxDemandModel {
  /** Recorded in forecasts and in demand.predicted's predictor. */
  readonly modelVersion: string;
  /** Columns of one feature row (63 for featureSpec v1, 99 for v2, 207 for v3). */
  readonly featureCount: number;
  /** Input and output tensors of batched runs, reused from batch to batch. */
  private readonly inputs = new Float32Pool();
  private readonly outputs = new Float32Pool();

  private constructor(
    readonly manifest: ModelManifest,
    private readonly session: InferenceSession,
    /** Feature rows per model run of a batch (see chunks). */
    readonly chunkRows: number = DEFAULT_CHUNK_ROWS,
  ) {
    this.modelVersion = `demand-forecaster@${manifest.version}`;
    this.featureCount = featureCountOf(manifest.featureSpec);
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
    return new OnnxDemandModel(manifest, session, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  }

  /** Throws InvalidForecastOptionsError for a request this model cannot answer (horizon, quantiles, start). */
  validate(request: ForecastRequest): void {
    validateForecastRequest(request);
    this.validateAgainstModel(request);
  }

  /** validate() for a request whose history is already hourly. */
  validateHourly(request: HourlyForecastRequest): void {
    validateHourlyForecastRequest(request);
    this.validateAgainstModel(request);
  }

  private validateAgainstModel(request: Pick<ForecastRequest, 'horizonHours' | 'quantiles'>): void {
    if (request.horizonHours > this.manifest.maxHorizon) {
      throw new InvalidForecastOptionsError(`horizonHours ${request.horizonHours} exceeds the model's maxHorizon ${this.manifest.maxHorizon}`);
    }
    validateRequestedQuantiles(request.quantiles, this.manifest.quantiles);
  }

  /**
   * The request's feature rows, written to `target` when given (see batchInput); throws the DomainError that
   * makes the request unanswerable by this model. `validated`: the caller has already run `validate`.
   */
  features(request: ForecastRequest, target?: FeatureTarget, validated = false): FeatureRows {
    if (!validated) this.validate(request);
    return modelFeatures(request, this.manifest, target);
  }

  /** features() for a request whose history is already hourly. */
  hourlyFeatures(request: HourlyForecastRequest, target?: FeatureTarget, validated = false): FeatureRows {
    if (!validated) this.validateHourly(request);
    return hourlyModelFeatures(request, this.manifest, target);
  }

  /**
   * An input tensor for requests of these horizons, and where each one's rows go: building the features of
   * a batch straight into it saves copying them together before the model run. Not zeroed: buildFeatureRows
   * writes every value of its rows. The tensor is reused for a later batch once forecastFeatures has run on
   * it, so its FeatureRows are not to be kept.
   */
  batchInput(horizons: readonly number[]): FeatureTarget[] {
    const into = this.inputs.take(horizons.reduce((sum, h) => sum + h, 0) * this.featureCount, false);
    let offset = 0;
    return horizons.map((h) => {
      const target = { into, offset };
      offset += h * this.featureCount;
      return target;
    });
  }

  /**
   * The batch's consecutive chunks of at most `chunkRows` feature rows (a request longer than that is a chunk
   * alone), each forecast with one model run: features → model → assembly per chunk.
   */
  chunks<T extends { readonly horizonHours: number }>(requests: readonly T[]): T[][] {
    const chunks: T[][] = [];
    let chunk: T[] = [];
    let rows = 0;
    for (const request of requests) {
      if (chunk.length > 0 && rows + request.horizonHours > this.chunkRows) {
        chunks.push(chunk);
        chunk = [];
        rows = 0;
      }
      chunk.push(request);
      rows += request.horizonHours;
    }
    if (chunk.length > 0) chunks.push(chunk);
    return chunks;
  }

  /** Forecasts many requests, one model run per chunk (see chunks); the forecasts come back in request order. */
  async forecastBatch(requests: readonly ForecastRequest[]): Promise<DemandForecast[]> {
    for (const request of requests) this.validate(request);
    return this.forecastChunks(requests, (request, target) => this.features(request, target, true));
  }

  /** forecastBatch for requests whose histories are already hourly (no timestamps to read). */
  async forecastHourlyBatch(requests: readonly HourlyForecastRequest[]): Promise<DemandForecast[]> {
    for (const request of requests) this.validateHourly(request);
    return this.forecastChunks(requests, (request, target) => this.hourlyFeatures(request, target, true));
  }

  private async forecastChunks<T extends ForecastRequest | HourlyForecastRequest>(
    requests: readonly T[],
    features: (request: T, target: FeatureTarget) => FeatureRows,
  ): Promise<DemandForecast[]> {
    const forecasts: DemandForecast[] = [];
    for (const chunk of this.chunks(requests)) {
      // the chunk's features straight into one input tensor, given back by forecastFeatures for the next chunk
      const targets = this.batchInput(chunk.map((r) => r.horizonHours));
      const items = chunk.map((request, i) => ({ features: features(request, targets[i] as FeatureTarget), quantiles: request.quantiles }));
      for (const forecast of await this.forecastFeatures(items, true)) forecasts.push(forecast);
    }
    return forecasts;
  }

  /**
   * One model run over the rows of every item (from `features`); each item keeps its requested quantiles.
   * `validated`: the quantiles have been checked against the model's (by `validate`).
   */
  async forecastFeatures(
    items: readonly { features: FeatureRows; quantiles: readonly number[] }[],
    validated = false,
  ): Promise<DemandForecast[]> {
    if (items.length === 0) return [];
    for (const { features } of items) {
      if (features.featureCount !== this.featureCount) {
        throw new ModelInferenceError(`feature rows of spec ${features.featureSpec} given to a model of spec ${this.manifest.featureSpec}`);
      }
    }
    const rows = concatRows(items.map((item) => item.features));
    // not zeroed: onnxruntime writes every value of the output
    const outputs = await this.run(rows, this.outputs.take((rows.length / this.featureCount) * METRICS.length * this.manifest.quantiles.length, false));
    const perStep = METRICS.length * this.manifest.quantiles.length;
    let offset = 0;
    const forecasts = items.map(({ features, quantiles }) => {
      const size = features.horizonHours * perStep;
      const forecast = assembleForecast({
        outputs: outputs.subarray(offset, offset + size),
        features,
        model: this.manifest,
        modelVersion: this.modelVersion,
        quantiles,
        validated,
      });
      offset += size;
      return forecast;
    });
    // the forecasts hold plain arrays, nothing of these: both go back for the next batch
    this.outputs.give(outputs);
    this.inputs.give(rows);
    return forecasts;
  }

  async forecast(request: ForecastRequest): Promise<DemandForecast> {
    const [forecast] = await this.forecastBatch([request]);
    return forecast as DemandForecast;
  }

  /** Runs the graph on N feature rows (N × featureCount, row-major) and returns its N × 4 × Q normalised quantiles. */
  async infer(rows: Float32Array): Promise<Float32Array> {
    return this.run(rows, new Float32Array((rows.length / this.featureCount) * METRICS.length * this.manifest.quantiles.length));
  }

  private async run(rows: Float32Array, output: Float32Array): Promise<Float32Array> {
    const n = rows.length / this.featureCount;
    if (!Number.isInteger(n)) throw new ModelInferenceError(`${rows.length} feature values are not rows of ${this.featureCount}`);
    try {
      // onnxruntime fills a pre-allocated output in place, which saves copying it out of the result.
      await this.session.run(
        { [MODEL_INPUT]: new Tensor('float32', rows, [n, this.featureCount]) },
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

/** The rows of every item as one array: a view when they lie back to back in one buffer (batchInput), else a copy. */
function concatRows(features: readonly FeatureRows[]): Float32Array {
  const first = (features[0] as FeatureRows).rows;
  if (features.length === 1) return first;
  let end = first.byteOffset;
  let contiguous = true;
  for (const { rows } of features) {
    if (rows.buffer !== first.buffer || rows.byteOffset !== end) {
      contiguous = false;
      break;
    }
    end += rows.byteLength;
  }
  if (contiguous) return new Float32Array(first.buffer, first.byteOffset, (end - first.byteOffset) / Float32Array.BYTES_PER_ELEMENT);
  const all = new Float32Array(features.reduce((sum, f) => sum + f.rows.length, 0));
  let offset = 0;
  for (const f of features) {
    all.set(f.rows, offset);
    offset += f.rows.length;
  }
  return all;
}
