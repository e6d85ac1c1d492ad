// Forecast throughput and latency of the ONNX demand model against the hour-of-week baseline, on one core.
//   bash scripts/node.sh node tools/run-ts.mjs bench/forecast/throughput.ts [--model-dir DIR] [--horizon H] [--seconds S] [--rounds R]
// (prefix `taskset -c 0` to pin the process to one core). Each forecast is end to end: a four-week hourly
// history (UsageSample[]) in, a DemandForecast with eight quantiles out. onnxruntime runs with one intra-op
// thread on the Node main thread. Every case is measured in each of R rounds, baseline and model
// interleaved so that they share the machine's conditions; the median round is reported.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { UsageSample } from '@clonecast/contracts';
import { DEFAULT_MODEL_DIR, OnnxDemandModel } from '@clonecast/prediction/adapters';
import { forecastHourOfWeek, type ForecastRequest } from '@clonecast/prediction/domain';

const QUANTILES = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
const BATCH_SIZES = [1, 16, 64, 256];
const HISTORY_HOURS = 28 * 24;
const HOUR_MS = 3_600_000;
const ORIGIN = Date.parse('2025-10-29T00:00:00Z');
const ACCOUNT_TYPES = ['web', 'batch', 'database', 'business-critical', 'fleet', 'production'];
const LATENCY_SAMPLES = 400;

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: DEFAULT_MODEL_DIR },
    horizon: { type: 'string', default: '168' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
});
const horizonHours = Number(args.horizon);
const secondsPerCase = Number(args.seconds);
const rounds = Number(args.rounds);

/** Distinct accounts: a daily cycle with its own peak, phase and noise, so no two requests are alike. */
function request(i: number): ForecastRequest {
  let seed = i + 1;
  const noise = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const peak = 4 + (i % 37);
  const history: UsageSample[] = Array.from({ length: HISTORY_HOURS }, (_, h) => {
    const t = ORIGIN - (HISTORY_HOURS - h) * HOUR_MS;
    const shape = (1 - Math.cos((2 * Math.PI * (((t / HOUR_MS) % 24) - (i % 5))) / 24)) / 2;
    const level = peak * (0.4 + 0.6 * shape) * (1 + 0.1 * noise());
    return { timestamp: new Date(t).toISOString(), cpu: level, memory: 4 * level, storage: 20 + level, network: 50 * level };
  });
  return {
    history,
    start: new Date(ORIGIN).toISOString(),
    horizonHours,
    quantiles: QUANTILES,
    accountType: ACCOUNT_TYPES[i % ACCOUNT_TYPES.length] as string,
    applications: ['web', 'api'],
    events: [],
  };
}

/** Runs `batch` over and over for about `seconds`; forecasts per second. */
async function throughput(batchSize: number, run: (requests: ForecastRequest[]) => Promise<unknown> | unknown): Promise<number> {
  const batches = Array.from({ length: 8 }, (_, b) => requests.slice((b * batchSize) % POOL, ((b * batchSize) % POOL) + batchSize));
  for (const batch of batches.slice(0, 2)) await run(batch); // warm-up
  let forecasts = 0;
  const started = performance.now();
  for (let k = 0; performance.now() - started < secondsPerCase * 1000; k++) {
    const batch = batches[k % batches.length] as ForecastRequest[];
    await run(batch);
    forecasts += batch.length;
  }
  return forecasts / ((performance.now() - started) / 1000);
}

/** Single-forecast latencies in ms, appended to `samples`. */
async function latency(run: (request: ForecastRequest) => Promise<unknown> | unknown, samples: number[]): Promise<void> {
  for (let i = 0; i < 20; i++) await run(requests[i] as ForecastRequest);
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const started = performance.now();
    await run(requests[i % POOL] as ForecastRequest);
    samples.push(performance.now() - started);
  }
}

function percentile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

function baseline(r: ForecastRequest) {
  return forecastHourOfWeek(r.history, { start: r.start as string, horizonHours: r.horizonHours, quantiles: r.quantiles });
}

const POOL = 512;
const requests = Array.from({ length: POOL + 256 }, (_, i) => request(i));

async function main(): Promise<void> {
  const model = await OnnxDemandModel.load(path.resolve(args['model-dir']), { intraOpNumThreads: 1 });
  try {
    console.log(
      `demand model ${model.modelVersion} vs hour-of-week baseline: horizon ${horizonHours} h, ${QUANTILES.length} quantiles, ` +
        `4 metrics, ${HISTORY_HOURS} h history, 1 onnxruntime thread; median of ${rounds} rounds of ${secondsPerCase} s per case`,
    );
    const baselineRates: number[] = [];
    const modelRates = new Map<number, number[]>(BATCH_SIZES.map((size) => [size, []]));
    const baselineLatencies: number[] = [];
    const modelLatencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      baselineRates.push(await throughput(1, (batch) => batch.map(baseline)));
      for (const size of BATCH_SIZES) modelRates.get(size)?.push(await throughput(size, (batch) => model.forecastBatch(batch)));
      await latency(baseline, baselineLatencies);
      await latency((r) => model.forecast(r), modelLatencies);
    }
    const baselineRate = median(baselineRates);
    console.log(`baseline        ${baselineRate.toFixed(0).padStart(6)} forecasts/s`);
    for (const size of BATCH_SIZES) {
      const rate = median(modelRates.get(size) ?? []);
      console.log(`model batch ${String(size).padStart(3)} ${rate.toFixed(0).padStart(6)} forecasts/s  ${(rate / baselineRate).toFixed(2)}× the baseline's throughput`);
    }
    for (const [label, q] of [['p50', 0.5], ['p99', 0.99]] as const) {
      const b = percentile(baselineLatencies, q);
      const m = percentile(modelLatencies, q);
      console.log(`single forecast ${label}: model ${m.toFixed(3)} ms, baseline ${b.toFixed(3)} ms  (model/baseline ${(m / b).toFixed(2)})`);
    }
  } finally {
    await model.close();
  }
}

void main();
