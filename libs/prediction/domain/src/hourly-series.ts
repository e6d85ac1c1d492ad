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
export function resampleHourly(samples: readonly UsageSample[], scratch?: HourlyScratch): HourlySeries {
  if (samples.length === 0) throw new NoHistoryError('the usage history is empty');
  return resampleRegular(samples, scratch) ?? resampleAny(samples);
}

/**
 * Buffers a regular history may be resampled into instead of four new Float64Arrays (~3.5 µs for four weeks, a
 * tenth of reading the history): the series returned is then a view of them, valid until their next use.
 */
export class HourlyScratch {
  private buffers: Float64Array[] = [];

  /** Four zeroed arrays of `length` values (views of buffers kept from call to call), one per metric. */
  take(length: number): [Float64Array, Float64Array, Float64Array, Float64Array] {
    if ((this.buffers[0]?.length ?? -1) < length) this.buffers = METRICS.map(() => new Float64Array(length));
    const [cpu, memory, storage, network] = this.buffers.map((buffer) => buffer.subarray(0, length).fill(0)) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    return [cpu, memory, storage, network];
  }
}

/**
 * Fast path of resampleHourly for the usual history: evenly spaced samples whose spacing divides an hour and
 * whose first timestamp is on that spacing's grid within its hour, so that every sample lies in exactly one
 * hour and no hour is a gap. The spacing is read from the first two samples; every timestamp is still parsed
 * and must be exactly the expected one, and every value valid. One pass, no intermediate arrays; the same
 * arithmetic as the general path, so the same result to the bit. Undefined (and the general path decides,
 * with its errors) as soon as anything does not fit.
 */
export function resampleRegular(samples: readonly UsageSample[], scratch?: HourlyScratch): HourlySeries | undefined {
  const count = samples.length;
  if (count < 2) return undefined;
  const first = parseIsoInstant((samples[0] as UsageSample).timestamp);
  const second = parseIsoInstant((samples[1] as UsageSample).timestamp);
  if (first === undefined || second === undefined) return undefined;
  const intervalMs = second - first;
  if (!(intervalMs > 0) || MS_PER_HOUR % intervalMs !== 0) return undefined;
  const start = floorToHour(first);
  if ((first - start) % intervalMs !== 0) return undefined;

  const lastEnd = first + (count - 1) * intervalMs + intervalMs;
  const length = Math.ceil((lastEnd - start) / MS_PER_HOUR);
  const [cpu, memory, storage, network] = scratch?.take(length) ?? [
    new Float64Array(length),
    new Float64Array(length),
    new Float64Array(length),
    new Float64Array(length),
  ];
  const perHour = MS_PER_HOUR / intervalMs;

  let h = 0;
  let slot = (first - start) / intervalMs;
  // time covered so far in hour h, as the general path's `covered[h]`
  let covered = 0;
  let expected = first;
  for (let i = 0; i < count; i++, expected += intervalMs) {
    const sample = samples[i] as UsageSample;
    if (parseIsoInstant(sample.timestamp) !== expected) return undefined;
    const c = sample.cpu;
    const m = sample.memory;
    const s = sample.storage;
    const n = sample.network;
    if (!(isDemand(c) && isDemand(m) && isDemand(s) && isDemand(n))) return undefined;
    if (slot === perHour) {
      slot = 0;
      covered = 0;
      h++;
    }
    slot++;
    covered += intervalMs;
    // the general path's incremental weighted mean, with overlap = intervalMs
    const weight = intervalMs / covered;
    cpu[h] = (cpu[h] as number) + (c - (cpu[h] as number)) * weight;
    memory[h] = (memory[h] as number) + (m - (memory[h] as number)) * weight;
    storage[h] = (storage[h] as number) + (s - (storage[h] as number)) * weight;
    network[h] = (network[h] as number) + (n - (network[h] as number)) * weight;
  }
  return { start, length, values: { cpu, memory, storage, network } };
}

/** The general path of resampleHourly: any spacing, gaps, and the errors of an invalid history. */
export function resampleAny(samples: readonly UsageSample[]): HourlySeries {
  if (samples.length === 0) throw new NoHistoryError('the usage history is empty');
  const times = validatedTimes(samples);
  const intervalMs = medianSpacing(times) ?? MS_PER_HOUR;

  const count = samples.length;
  const start = floorToHour(times[0] as number);
  const lastEnd = (times[count - 1] as number) + intervalMs;
  const length = Math.ceil((lastEnd - start) / MS_PER_HOUR);
  const covered = new Float64Array(length);
  // the four metrics by name, not by a looked-up key: this loop is the cost of reading a history
  const cpu = new Float64Array(length);
  const memory = new Float64Array(length);
  const storage = new Float64Array(length);
  const network = new Float64Array(length);

  for (let i = 0; i < count; i++) {
    const sample = samples[i] as UsageSample;
    const from = times[i] as number;
    const to = i + 1 < count ? Math.min(from + intervalMs, times[i + 1] as number) : from + intervalMs;
    for (let hourStart = floorToHour(from); hourStart < to; hourStart += MS_PER_HOUR) {
      const overlap = Math.min(to, hourStart + MS_PER_HOUR) - Math.max(from, hourStart);
      const h = (hourStart - start) / MS_PER_HOUR;
      const total = (covered[h] as number) + overlap;
      covered[h] = total;
      // Incremental weighted mean: exact when every sample of the hour has the same value.
      const weight = overlap / total;
      cpu[h] = (cpu[h] as number) + (sample.cpu - (cpu[h] as number)) * weight;
      memory[h] = (memory[h] as number) + (sample.memory - (memory[h] as number)) * weight;
      storage[h] = (storage[h] as number) + (sample.storage - (storage[h] as number)) * weight;
      network[h] = (network[h] as number) + (sample.network - (network[h] as number)) * weight;
    }
  }

  for (let h = 0; h < length; h++) {
    if (covered[h] === 0) {
      cpu[h] = Number.NaN;
      memory[h] = Number.NaN;
      storage[h] = Number.NaN;
      network[h] = Number.NaN;
    }
  }
  return { start, length, values: { cpu, memory, storage, network } };
}

function validatedTimes(samples: readonly UsageSample[]): Float64Array {
  const times = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as UsageSample;
    const ms = parseIsoInstant(sample.timestamp);
    if (ms === undefined) {
      throw new InvalidHistoryError(`sample ${i}: timestamp "${sample.timestamp}" is not an ISO-8601 instant with a zone`);
    }
    if (i > 0 && ms <= (times[i - 1] as number)) {
      throw new InvalidHistoryError(`sample ${i}: timestamp ${sample.timestamp} is not after the previous sample's`);
    }
    if (!(isDemand(sample.cpu) && isDemand(sample.memory) && isDemand(sample.storage) && isDemand(sample.network))) {
      for (const metric of METRICS) {
        const value = sample[metric];
        if (!isDemand(value)) throw new InvalidHistoryError(`sample ${i}: ${metric} ${value} is not a non-negative number`);
      }
    }
    times[i] = ms;
  }
  return times;
}

/** A finite, non-negative number. */
function isDemand(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/** Median gap between consecutive samples, or undefined for a single sample. */
function medianSpacing(times: Float64Array): number | undefined {
  if (times.length < 2) return undefined;
  // a regular history (the usual case) needs no sort
  const first = (times[1] as number) - (times[0] as number);
  let regular = true;
  for (let i = 2; i < times.length && regular; i++) regular = (times[i] as number) - (times[i - 1] as number) === first;
  if (regular) return first;
  const gaps = new Float64Array(times.length - 1);
  for (let i = 1; i < times.length; i++) gaps[i - 1] = (times[i] as number) - (times[i - 1] as number);
  gaps.sort();
  return gaps[Math.floor((gaps.length - 1) / 2)];
}
