import type { UsageSample } from '@clonecast/contracts';
import { InvalidHistoryError, NoHistoryError } from './errors';
import { parseHistoryCsv } from './history-csv';
import { resampleHourly } from './hourly-series';

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
