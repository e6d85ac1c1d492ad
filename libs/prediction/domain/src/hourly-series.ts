import { METRICS, type Metric, type UsageSample } from '@clonecast/contracts';
import { InvalidHistoryError, NoHistoryError } from './errors';
import { floorToHour, MS_PER_HOUR, parseIsoInstant } from './instant';

/** Hourly means aligned to whole UTC hours; NaN marks an hour no sample covered (a gap, not zero). */
export interface HourlySeries {
  /** Epoch ms of the first hour (a whole UTC hour). */
  readonly start: number;
  /** Number of hours; every metric array has this length. */
  readonly length: number;
  readonly values: Readonly<Record<Metric, Float64Array>>;
}

/**
 * Resamples a history of any regular interval to hourly means. Each sample is a rate held over its
 * interval [t, t + interval), where the interval is the median spacing of the samples (an hour for a
 * single sample) and is cut short by the next sample; an hour's value is the time-weighted mean of
 * the samples overlapping it. Timestamps must strictly increase and values be non-negative.
 */
export function resampleHourly(samples: readonly UsageSample[]): HourlySeries {
  if (samples.length === 0) throw new NoHistoryError('the usage history is empty');
  const times = validatedTimes(samples);
  const intervalMs = medianSpacing(times) ?? MS_PER_HOUR;

  const start = floorToHour(times[0] as number);
  const lastEnd = (times[times.length - 1] as number) + intervalMs;
  const length = Math.ceil((lastEnd - start) / MS_PER_HOUR);
  const covered = new Float64Array(length);
  const values = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) values[metric] = new Float64Array(length);

  samples.forEach((sample, i) => {
    const from = times[i] as number;
    const to = Math.min(from + intervalMs, times[i + 1] ?? Number.POSITIVE_INFINITY);
    for (let hourStart = floorToHour(from); hourStart < to; hourStart += MS_PER_HOUR) {
      const overlap = Math.min(to, hourStart + MS_PER_HOUR) - Math.max(from, hourStart);
      const h = (hourStart - start) / MS_PER_HOUR;
      const total = (covered[h] as number) + overlap;
      covered[h] = total;
      // Incremental weighted mean: exact when every sample of the hour has the same value.
      for (const metric of METRICS) {
        const series = values[metric];
        const mean = series[h] as number;
        series[h] = mean + (sample[metric] - mean) * (overlap / total);
      }
    }
  });

  for (let h = 0; h < length; h++) {
    if (covered[h] === 0) for (const metric of METRICS) values[metric][h] = Number.NaN;
  }
  return { start, length, values };
}

function validatedTimes(samples: readonly UsageSample[]): number[] {
  const times: number[] = [];
  samples.forEach((sample, i) => {
    const ms = parseIsoInstant(sample.timestamp);
    if (ms === undefined) {
      throw new InvalidHistoryError(`sample ${i}: timestamp "${sample.timestamp}" is not an ISO-8601 instant with a zone`);
    }
    const previous = times[i - 1];
    if (previous !== undefined && ms <= previous) {
      throw new InvalidHistoryError(`sample ${i}: timestamp ${sample.timestamp} is not after the previous sample's`);
    }
    for (const metric of METRICS) {
      const value = sample[metric];
      if (!Number.isFinite(value) || value < 0) {
        throw new InvalidHistoryError(`sample ${i}: ${metric} ${value} is not a non-negative number`);
      }
    }
    times.push(ms);
  });
  return times;
}

/** Median gap between consecutive samples, or undefined for a single sample. */
function medianSpacing(times: readonly number[]): number | undefined {
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number)).sort((a, b) => a - b);
  if (gaps.length === 0) return undefined;
  return gaps[Math.floor((gaps.length - 1) / 2)];
}
