// Forecast throughput and latency of the ONNX demand model against the hour-of-week baseline, on one core.
//   taskset -c 1 bash scripts/node.sh node tools/run-ts.mjs bench/forecast/throughput.ts [--model-dir DIR] [--horizon H] [--seconds S] [--rounds R]
// Two paths, each measured against the baseline on the same path in the same run:
//   (a) end to end: a four-week history of UsageSample rows with ISO timestamps in (read, validated and
//       resampled per forecast), a DemandForecast out;
//   (b) from an already-hourly series (resampled once, outside the timing): the model's own work, features +
//       ONNX + assembly; the baseline from the same series.
// A forecast is 4 metrics × `horizon` hourly steps × the model's quantiles (all of them, as the target
// counts). onnxruntime runs with one intra-op thread on the Node main thread. Every case is measured in each of
// R rounds, baseline and model interleaved so that they share the machine's conditions; the median round is
// reported, after one unreported warm-up pass. Latency: single forecasts (batch of one), p50/p99 over all rounds.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { UsageSample } from '@clonecast/contracts';
import { DEFAULT_MODEL_DIR, OnnxDemandModel } from '@clonecast/prediction/adapters';
import {
  forecastHourOfWeek,
  forecastHourOfWeekFromSeries,
  resampleHourly,
  type ForecastRequest,
  type HourlyForecastRequest,
} from '@clonecast/prediction/domain';

const BATCH_SIZES = [1, 16, 64, 256];
const HISTORY_HOURS = 28 * 24;
const HOUR_MS = 3_600_000;
const ORIGIN = Date.parse('2025-10-29T00:00:00Z');
const ACCOUNT_TYPES = ['web', 'batch', 'database', 'business-critical', 'fleet', 'production'];
const LATENCY_SAMPLES = 400;
const POOL = 512;

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
function request(i: number, quantiles: readonly number[]): ForecastRequest {
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
    quantiles,
    accountType: ACCOUNT_TYPES[i % ACCOUNT_TYPES.length] as string,
    applications: ['web', 'api'],
    events: [],
  };
}

type Run<T> = (batch: T[]) => Promise<unknown> | unknown;

/** Runs batches of `batchSize` from `pool` over and over for about `seconds`; forecasts per second. */
async function throughput<T>(pool: readonly T[], batchSize: number, run: Run<T>): Promise<number> {
  const batches = Array.from({ length: 8 }, (_, b) => pool.slice((b * batchSize) % POOL, ((b * batchSize) % POOL) + batchSize));
  for (const batch of batches.slice(0, 2)) await run(batch); // warm-up
  let forecasts = 0;
  const started = performance.now();
  for (let k = 0; performance.now() - started < secondsPerCase * 1000; k++) {
    const batch = batches[k % batches.length] as T[];
    await run(batch);
    forecasts += batch.length;
  }
  return forecasts / ((performance.now() - started) / 1000);
}

/** Single-forecast latencies in ms, appended to `samples`. */
async function latency<T>(pool: readonly T[], run: Run<T>, samples: number[]): Promise<void> {
  for (let i = 0; i < 20; i++) await run([pool[i] as T]);
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const item = pool[i % POOL] as T;
    const started = performance.now();
    await run([item]);
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

interface Path<T> {
  readonly label: string;
  readonly pool: readonly T[];
  readonly baseline: Run<T>;
  readonly model: Run<T>;
}

interface Measured {
  readonly baselineRates: number[];
  readonly modelRates: Map<number, number[]>;
  readonly baselineLatencies: number[];
  readonly modelLatencies: number[];
}

async function measureRound<T>(p: Path<T>, into: Measured): Promise<void> {
  into.baselineRates.push(await throughput(p.pool, 1, p.baseline));
  for (const size of BATCH_SIZES) into.modelRates.get(size)?.push(await throughput(p.pool, size, p.model));
  await latency(p.pool, p.baseline, into.baselineLatencies);
  await latency(p.pool, p.model, into.modelLatencies);
}

function report(label: string, m: Measured): void {
  const baselineRate = median(m.baselineRates);
  console.log(`\n${label}`);
  console.log(`  baseline          ${baselineRate.toFixed(0).padStart(6)} forecasts/s`);
  for (const size of BATCH_SIZES) {
    const rate = median(m.modelRates.get(size) ?? []);
    console.log(`  model batch ${String(size).padStart(3)}   ${rate.toFixed(0).padStart(6)} forecasts/s  ${(rate / baselineRate).toFixed(2)}× the baseline`);
  }
  for (const [name, q] of [['p50', 0.5], ['p99', 0.99]] as const) {
    const b = percentile(m.baselineLatencies, q);
    const mm = percentile(m.modelLatencies, q);
    console.log(`  single forecast ${name}: model ${mm.toFixed(3)} ms, baseline ${b.toFixed(3)} ms  (model/baseline ${(mm / b).toFixed(2)})`);
  }
}

const measured = (): Measured => ({
  baselineRates: [],
  modelRates: new Map(BATCH_SIZES.map((size) => [size, []])),
  baselineLatencies: [],
  modelLatencies: [],
});

async function main(): Promise<void> {
  const model = await OnnxDemandModel.load(path.resolve(args['model-dir']), { intraOpNumThreads: 1 });
  try {
    const quantiles = model.manifest.quantiles;
    const raw = Array.from({ length: POOL + 256 }, (_, i) => request(i, quantiles));
    const hourly: HourlyForecastRequest[] = raw.map((r) => ({ ...r, history: resampleHourly(r.history) }));
    const rawPath: Path<ForecastRequest> = {
      label: '(a) end to end from UsageSample rows (ISO timestamps)',
      pool: raw,
      baseline: (batch) => batch.map((r) => forecastHourOfWeek(r.history, { start: r.start as string, horizonHours: r.horizonHours, quantiles: r.quantiles })),
      model: (batch) => model.forecastBatch(batch),
    };
    const hourlyPath: Path<HourlyForecastRequest> = {
      label: '(b) from an already-hourly series (features + ONNX + assembly)',
      pool: hourly,
      baseline: (batch) =>
        batch.map((r) => forecastHourOfWeekFromSeries(r.history, { start: r.start as string, horizonHours: r.horizonHours, quantiles: r.quantiles })),
      model: (batch) => model.forecastHourlyBatch(batch),
    };
    console.log(
      `demand model ${model.modelVersion} (featureSpec ${model.manifest.featureSpec}) vs hour-of-week baseline: horizon ${horizonHours} h, ` +
        `${quantiles.length} quantiles, 4 metrics, ${HISTORY_HOURS} h history, 1 onnxruntime thread; median of ${rounds} rounds of ${secondsPerCase} s per case`,
    );
    // warm-up, not reported: every function of both paths compiled before the first measured case
    for (const p of [rawPath, hourlyPath] as Path<ForecastRequest | HourlyForecastRequest>[]) {
      await throughput(p.pool, 1, p.baseline);
      for (const size of BATCH_SIZES) await throughput(p.pool, size, p.model);
    }
    const a = measured();
    const b = measured();
    for (let round = 0; round < rounds; round++) {
      await measureRound(rawPath, a);
      await measureRound(hourlyPath, b);
    }
    report(rawPath.label, a);
    report(hourlyPath.label, b);
  } finally {
    await model.close();
  }
}

void main();
