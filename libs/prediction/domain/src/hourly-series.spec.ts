import type { UsageSample } from '@clonecast/contracts';
import { InvalidHistoryError, NoHistoryError } from './errors';
import { parseHistoryCsv } from './history-csv';
import { HourlyScratch, resampleAny, resampleHourly, resampleRegular } from './hourly-series';

const T0 = Date.parse('2024-03-04T00:00:00Z');
const MINUTE = 60_000;

function sample(offsetMinutes: number, cpu: number, memory = cpu): UsageSample {
  return { timestamp: new Date(T0 + offsetMinutes * MINUTE).toISOString(), cpu, memory, storage: cpu, network: cpu };
}

describe('resampleHourly', () => {
  it('averages 5-minute samples into whole UTC hours', () => {
    const samples = Array.from({ length: 24 }, (_, i) => sample(i * 5, i < 12 ? i : 100));

    const series = resampleHourly(samples);

    expect(series.start).toBe(T0);
    expect(series.length).toBe(2);
    expect(Array.from(series.values.cpu)).toEqual([5.5, 100]);
  });

  it('aligns to the whole hour when samples start mid-hour', () => {
    const samples = Array.from({ length: 12 }, (_, i) => sample(30 + i * 5, i < 6 ? 2 : 4));

    const series = resampleHourly(samples);

    expect(series.start).toBe(T0);
    expect(Array.from(series.values.cpu)).toEqual([2, 4]);
  });

  it('resamples a parsed 5-minute CSV', () => {
    const rows = Array.from({ length: 24 }, (_, i) => {
      const epochSeconds = T0 / 1000 + i * 300;
      return `${epochSeconds},${i < 12 ? 1 : 3},${i < 12 ? 4 : 8},0,${i}`;
    });

    const series = resampleHourly(parseHistoryCsv(['timestamp,cpu,memory,storage,network', ...rows].join('\n')));

    expect(Array.from(series.values.cpu)).toEqual([1, 3]);
    expect(Array.from(series.values.memory)).toEqual([4, 8]);
    expect(Array.from(series.values.storage)).toEqual([0, 0]);
    expect(series.values.network[0]).toBeCloseTo(5.5, 12);
    expect(series.values.network[1]).toBeCloseTo(17.5, 12);
  });

  it('marks hours without samples as NaN gaps, not zeros', () => {
    const samples = [sample(0, 1), sample(60, 2), sample(180, 4)];

    const series = resampleHourly(samples);

    expect(series.length).toBe(4);
    expect(Array.from(series.values.cpu)).toEqual([1, 2, Number.NaN, 4]);
  });

  it('spreads samples coarser than an hour over every hour they cover', () => {
    const samples = [sample(0, 1), sample(120, 3)];

    const series = resampleHourly(samples);

    expect(Array.from(series.values.cpu)).toEqual([1, 1, 3, 3]);
  });

  it('treats a single sample as covering one hour', () => {
    const series = resampleHourly([sample(10, 7)]);

    expect(series).toMatchObject({ start: T0, length: 2 });
    expect(Array.from(series.values.cpu)).toEqual([7, 7]);
  });

  it('weights a partly covered hour by the time each sample covers', () => {
    const samples = [sample(0, 0), sample(15, 0), sample(30, 0), sample(45, 8), sample(90, 8)];

    const series = resampleHourly(samples);

    expect(series.values.cpu[0]).toBe(2);
    expect(series.values.cpu[1]).toBe(8);
  });

  it('throws NoHistoryError for an empty history', () => {
    expect(() => resampleHourly([])).toThrow(NoHistoryError);
  });

  it('rejects samples out of order', () => {
    expect(() => resampleHourly([sample(60, 1), sample(0, 1)])).toThrow(
      new InvalidHistoryError('sample 1: timestamp 2024-03-04T00:00:00.000Z is not after the previous sample\'s'),
    );
  });

  it('rejects negative values', () => {
    expect(() => resampleHourly([sample(0, -1)])).toThrow('sample 0: cpu -1 is not a non-negative number');
  });
});

describe('resampleHourly fast path for regularly spaced samples', () => {
  const HOUR = 60;

  function history(offsetsMinutes: readonly number[], iso: (ms: number) => string = (ms) => new Date(ms).toISOString()): UsageSample[] {
    return offsetsMinutes.map((offset, i) => {
      const level = ((i * 7) % 13) / 3 + (i % 2 === 0 ? 0.1 : 0);
      return { timestamp: iso(T0 + offset * MINUTE), cpu: level, memory: 2 * level + 1 / 3, storage: level / 7, network: i === 3 ? 0 : level * 1.1 };
    });
  }

  function regular(count: number, stepMinutes: number, firstMinute = 0): number[] {
    return Array.from({ length: count }, (_, i) => firstMinute + i * stepMinutes);
  }

  /** Both series as plain arrays, so that toEqual compares every value with Object.is (NaN, ±0 included). */
  function plain(series: ReturnType<typeof resampleAny>) {
    return {
      start: series.start,
      length: series.length,
      cpu: Array.from(series.values.cpu),
      memory: Array.from(series.values.memory),
      storage: Array.from(series.values.storage),
      network: Array.from(series.values.network),
    };
  }

  const regularCases: [string, UsageSample[]][] = [
    ['hourly, on the hour', history(regular(672, HOUR))],
    ['hourly, without milliseconds', history(regular(50, HOUR), (ms) => new Date(ms).toISOString().replace('.000Z', 'Z'))],
    ['5-minute, on the hour', history(regular(300, 5))],
    ['15-minute, starting mid-hour', history(regular(97, 15, 45))],
    ['20-minute, starting at :40', history(regular(31, 20, 40))],
    ['1-minute across midnight and a month end', history(regular(200, 1, 23 * HOUR))],
    ['hourly with "+02:00" offsets (non-canonical, full parser)', history(regular(40, HOUR), (ms) => isoWithOffset(ms, 120))],
    ['two samples', history([0, 30])],
    ['30 ms spacing', history([0, 0.0005, 0.001, 0.0015])],
  ];

  it.each(regularCases)('takes the fast path and matches the general path: %s', (_, samples) => {
    const fast = resampleRegular(samples);

    expect(fast).toBeDefined();
    expect(plain(fast as ReturnType<typeof resampleAny>)).toEqual(plain(resampleAny(samples)));
    expect(plain(resampleHourly(samples))).toEqual(plain(resampleAny(samples)));
  });

  const otherCases: [string, UsageSample[]][] = [
    ['irregular spacing', history([0, 5, 12, 20, 25, 30, 37, 45, 50, 55, 61])],
    ['a gap', history([...regular(10, HOUR), ...regular(10, HOUR, 12 * HOUR)])],
    ['a missing 5-minute sample', history(regular(30, 5).filter((m) => m !== 55))],
    ['a spacing that does not divide an hour (7 min)', history(regular(30, 7))],
    ['a spacing longer than an hour (2 h)', history(regular(10, 2 * HOUR))],
    ['hourly samples off the hour (:10)', history(regular(10, HOUR, 10))],
    ['5-minute samples off the 5-minute grid (:02)', history(regular(30, 5, 2))],
    ['a single sample', history([10])],
  ];

  it.each(otherCases)('falls back to the general path with the same result: %s', (_, samples) => {
    expect(resampleRegular(samples)).toBeUndefined();
    expect(plain(resampleHourly(samples))).toEqual(plain(resampleAny(samples)));
  });

  const invalidCases: [string, UsageSample[]][] = [
    ['a duplicated timestamp', history([0, 60, 120, 120, 180])],
    ['duplicated first timestamps', history([0, 0, 60])],
    ['timestamps going back', history([0, 60, 120, 60, 180])],
    ['an unreadable timestamp', history(regular(5, HOUR)).map((s, i) => (i === 3 ? { ...s, timestamp: '2024-03-04T03:00:00' } : s))],
    ['an impossible date', history(regular(5, HOUR)).map((s, i) => (i === 2 ? { ...s, timestamp: '2024-02-30T02:00:00.000Z' } : s))],
    ['a negative value', history(regular(5, HOUR)).map((s, i) => (i === 4 ? { ...s, memory: -1 } : s))],
    ['a NaN value', history(regular(5, HOUR)).map((s, i) => (i === 1 ? { ...s, network: Number.NaN } : s))],
  ];

  it.each(invalidCases)('throws what the general path throws: %s', (_, samples) => {
    expect(resampleRegular(samples)).toBeUndefined();
    let expected: unknown;
    try {
      resampleAny(samples);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(InvalidHistoryError);
    expect(() => resampleHourly(samples)).toThrow(expected as Error);
  });

  it('matches the general path on random regular, gapped and perturbed histories', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const steps = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 7, 90, 120];
    for (let trial = 0; trial < 300; trial++) {
      const step = steps[Math.floor(next() * steps.length)] as number;
      const offsets = regular(2 + Math.floor(next() * 200), step, Math.floor(next() * 60));
      const kind = next();
      if (kind < 0.2 && offsets.length > 3) offsets.splice(1 + Math.floor(next() * (offsets.length - 2)), 1); // a gap
      else if (kind < 0.3) offsets[offsets.length - 1] = (offsets[offsets.length - 1] as number) + 1; // last one late
      const samples = history(offsets);
      expect(plain(resampleHourly(samples))).toEqual(plain(resampleAny(samples)));
    }
  });
});

/** `ms` written with a "+hh:mm" offset of `offsetMinutes`, e.g. 2024-03-04T02:00:00+02:00. */
function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 19);
  const hh = String(Math.floor(offsetMinutes / 60)).padStart(2, '0');
  const mm = String(offsetMinutes % 60).padStart(2, '0');
  return `${local}+${hh}:${mm}`;
}

describe('resampleHourly into an HourlyScratch', () => {
  it('gives the series it gives without, also after the buffers held a longer history', () => {
    const scratch = new HourlyScratch();
    const long = Array.from({ length: 24 * 12 }, (_, i) => sample(i * 5, (i * 7) % 13, i % 5));
    const short = Array.from({ length: 30 }, (_, i) => sample(i * 15, (i * 3) % 11));
    for (const samples of [long, short, long]) {
      const fresh = resampleHourly(samples);
      const reused = resampleHourly(samples, scratch);
      expect(reused.start).toBe(fresh.start);
      expect(reused.length).toBe(fresh.length);
      for (const metric of ['cpu', 'memory', 'storage', 'network'] as const) {
        expect(Array.from(reused.values[metric])).toEqual(Array.from(fresh.values[metric]));
      }
    }
  });
});
