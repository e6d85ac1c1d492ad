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
});
