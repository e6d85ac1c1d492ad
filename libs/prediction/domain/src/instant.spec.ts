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

describe('parseIsoInstant fast path (YYYY-MM-DDTHH:MM:SS, optional .sss, then Z or ±hh:mm)', () => {
  it('reads offsets of either sign, with and without milliseconds', () => {
    expect(parseIsoInstant('2024-03-04T12:00:00+02:00')).toBe(Date.UTC(2024, 2, 4, 10));
    expect(parseIsoInstant('2024-03-04T12:00:00.250-05:30')).toBe(Date.UTC(2024, 2, 4, 17, 30, 0, 250));
    expect(parseIsoInstant('2024-03-04T00:15:00+23:59')).toBe(Date.UTC(2024, 2, 3, 0, 16));
    expect(parseIsoInstant('2024-03-04T12:00:00-00:00')).toBe(Date.UTC(2024, 2, 4, 12));
    // the same local date read again (its day number is kept) with another offset
    expect(parseIsoInstant('2024-03-04T13:00:00+01:00')).toBe(Date.UTC(2024, 2, 4, 12));
  });

  it('knows leap years: every 4th, not every 100th, every 400th', () => {
    expect(parseIsoInstant('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseIsoInstant('2024-02-29T23:00:00.000+01:00')).toBe(Date.UTC(2024, 1, 29, 22));
    for (const text of ['1900-02-29T00:00:00Z', '2100-02-29T00:00:00.000Z', '2023-02-29T00:00:00+01:00']) {
      expect(parseIsoInstant(text)).toBeUndefined();
    }
    expect(parseIsoInstant('2100-03-01T00:00:00Z')! - parseIsoInstant('2100-02-28T00:00:00Z')!).toBe(24 * 3_600_000);
  });

  it('refuses out-of-range fields, also after the same date was read', () => {
    expect(parseIsoInstant('2024-05-31T00:00:00Z')).toBe(Date.UTC(2024, 4, 31));
    for (const text of [
      '2024-00-10T00:00:00Z',
      '2024-13-10T00:00:00Z',
      '2024-05-00T00:00:00Z',
      '2024-05-32T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-05-31T24:00:00Z',
      '2024-05-31T23:60:00Z',
      '2024-05-31T23:59:60Z',
      '2024-05-31T12:00:00+24:00',
      '2024-05-31T12:00:00+05:60',
      '2024-05-31T12:00:00.000-24:00',
    ]) {
      expect(parseIsoInstant(text)).toBeUndefined();
    }
  });

  it('refuses malformed zones and fractions, and leaves other fraction lengths to the general parser', () => {
    for (const text of [
      '2024-05-31T12:00:00+0200',
      '2024-05-31T12:00:00 02:00',
      '2024-05-31T12:00:00+02-00',
      '2024-05-31T12:00:00+a2:00',
      '2024-05-31T12:00:00z',
      '2024-05-31T12:00:00,000Z',
      '2024-05-31T12:00:00.0a0Z',
    ]) {
      expect(parseIsoInstant(text)).toBeUndefined();
    }
    expect(parseIsoInstant('2024-05-31T12:00:00.1+01:00')).toBe(Date.UTC(2024, 4, 31, 11, 0, 0, 100));
    expect(parseIsoInstant('2024-05-31T12:00:00.123456Z')).toBe(Date.UTC(2024, 4, 31, 12, 0, 0, 123));
  });

  it('gives what Date reads for random instants and offsets', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pad = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Date.UTC(100, 0, 1) + next() * (Date.UTC(9999, 11, 30) - Date.UTC(100, 0, 1)));
      const offset = (next() < 0.5 ? -1 : 1) * Math.floor(next() * (24 * 60));
      const local = new Date(ms + offset * 60_000).toISOString();
      const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
      const text = (i % 2 === 0 ? local.slice(0, 23) : local.slice(0, 19)) + zone;
      expect(parseIsoInstant(text)).toBe(i % 2 === 0 ? ms : Math.floor((ms + offset * 60_000) / 1000) * 1000 - offset * 60_000);
      expect(parseIsoInstant(text)).toBe(Date.parse(text));
    }
  });
});
