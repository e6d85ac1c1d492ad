import { parseIsoInstant } from './instant';

describe('parseIsoInstant', () => {
  it('reads the toISOString form with and without milliseconds', () => {
    expect(parseIsoInstant('2024-02-29T23:59:59.123Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 123));
    expect(parseIsoInstant('2025-10-29T06:00:00Z')).toBe(Date.UTC(2025, 9, 29, 6));
  });

  it('reads offsets, minute precision and longer fractions', () => {
    expect(parseIsoInstant('2024-03-04T12:00:00+02:00')).toBe(Date.UTC(2024, 2, 4, 10));
    expect(parseIsoInstant('2024-03-04T12:00Z')).toBe(Date.UTC(2024, 2, 4, 12));
    expect(parseIsoInstant('2024-03-04T12:00:00.5Z')).toBe(Date.UTC(2024, 2, 4, 12, 0, 0, 500));
  });

  it('refuses impossible dates and times instead of rolling them over', () => {
    for (const text of ['2023-02-29T00:00:00.000Z', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00.000Z', '2024-01-01T00:60:00Z']) {
      expect(parseIsoInstant(text)).toBeUndefined();
    }
  });

  it('refuses text that only looks like an instant', () => {
    for (const text of ['2024-01-01T00:00:00', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00.12aZ', '2024-0a-01T00:00:00Z']) {
      expect(parseIsoInstant(text)).toBeUndefined();
    }
  });

  it('reads the toISOString form exactly as Date does, across centuries, leap days and milliseconds', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const instants = [Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2000, 1, 29), Date.UTC(1900, 2, 1), Date.UTC(100, 0, 1), Date.UTC(1969, 11, 31, 23)];
    for (let i = 0; i < 2000; i++) instants.push(Math.floor(Date.UTC(100, 0, 1) + next() * (Date.UTC(9999, 11, 31) - Date.UTC(100, 0, 1))));
    for (const ms of instants) {
      const iso = new Date(ms).toISOString();
      expect(parseIsoInstant(iso)).toBe(ms);
      expect(parseIsoInstant(iso.replace(/\.\d{3}Z$/, 'Z'))).toBe(Math.floor(ms / 1000) * 1000);
    }
  });
});
