export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const HOURS_PER_DAY = 24;
export const HOURS_PER_WEEK = 168;

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an ISO-8601 instant with an explicit zone ("Z" or "±hh:mm") to epoch milliseconds, or returns
 * undefined. Computed from range-checked fields because Date.parse silently rolls "02-30" into March.
 */
export function parseIsoInstant(text: string): number | undefined {
  const canonical = parseCanonicalUtc(text);
  if (canonical !== undefined) return canonical;
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6] ?? 0);
  const fraction = Number(match[7] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (match[8] === undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(fraction * 1000);
  return local - offsetMinutes * MS_PER_MINUTE;
}

/** Offsets of the digits of "YYYY-MM-DDTHH:MM:SS" and of its separators. */
const CANONICAL_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const CANONICAL_SEPARATORS: readonly [number, string][] = [[4, '-'], [7, '-'], [10, 'T'], [13, ':'], [16, ':']];

/**
 * Fast path for the form toISOString writes, "YYYY-MM-DDTHH:MM:SSZ" or with ".sss": histories arrive in it,
 * and the regular expression made parsing them the largest cost of a forecast. Anything else: undefined.
 */
function parseCanonicalUtc(text: string): number | undefined {
  if (text.length !== 20 && text.length !== 24) return undefined;
  if (text.charCodeAt(text.length - 1) !== 90 /* Z */) return undefined;
  for (const [at, separator] of CANONICAL_SEPARATORS) if (text[at] !== separator) return undefined;
  for (const at of CANONICAL_DIGITS) if (!isDigit(text.charCodeAt(at))) return undefined;
  let millis = 0;
  if (text.length === 24) {
    if (text[19] !== '.' || !isDigit(text.charCodeAt(20)) || !isDigit(text.charCodeAt(21)) || !isDigit(text.charCodeAt(22))) return undefined;
    millis = digits(text, 20, 3);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // out-of-range fields are left to the general parser, which refuses them
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + millis;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12), by arithmetic: a Date per call made history parsing the hot spot of a forecast. */
function daysInMonth(year: number, month: number): number {
  // Date.UTC reads years 0-99 as 1900-1999, so the leap rule must too
  const y = year < 100 ? year + 1900 : year;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/** Start of the UTC hour containing `ms`. */
export function floorToHour(ms: number): number {
  return Math.floor(ms / MS_PER_HOUR) * MS_PER_HOUR;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
