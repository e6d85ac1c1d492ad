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
  const canonical = parseCanonical(text);
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

/**
 * Fast path for the forms histories arrive in: "YYYY-MM-DDTHH:MM:SS" and an optional ".sss", then "Z" (what
 * toISOString writes) or "±hh:mm". The regular expression made parsing them the largest cost of a forecast;
 * this reads character codes and does integer calendar arithmetic only (no Date). Anything else, including
 * out-of-range fields: undefined, and the general parser decides (it refuses what this refuses).
 */
function parseCanonical(text: string): number | undefined {
  const length = text.length;
  // the zone: "Z", or "±hh:mm" (offsetMinutes, subtracted from the local time as in parseIsoInstant)
  let zone = length - 1;
  let offsetMinutes = 0;
  if (text.charCodeAt(zone) !== 90 /* Z */) {
    zone = length - 6;
    const sign = text.charCodeAt(zone);
    if ((sign !== 43 && sign !== 45) /* + or - */ || text.charCodeAt(length - 3) !== 58 /* : */) return undefined;
    const offsetHours = twoDigits(text, zone + 1);
    const offsetMins = twoDigits(text, length - 2);
    if (offsetHours < 0 || offsetMins < 0 || offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  if (zone !== 19 && zone !== 23) return undefined;
  if (
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if ((century | yearOfCentury | month | day | hour | minute | second) < 0) return undefined;
  let millis = 0;
  if (zone === 23) {
    if (text.charCodeAt(19) !== 46 /* . */) return undefined;
    const hundreds = text.charCodeAt(20) - 48;
    const tens = twoDigits(text, 21);
    if (hundreds < 0 || hundreds > 9 || tens < 0) return undefined;
    millis = hundreds * 100 + tens;
  }
  const year = century * 100 + yearOfCentury;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMinutes * MS_PER_MINUTE;
  // a history's timestamps share their date 24 times or more in a row: its day number is kept
  const date = (year * 100 + month) * 100 + day;
  if (date === lastDate) return (((lastDays * 24 + hour) * 60 + minute) * 60 + second) * 1000 + millis - offset;
  // out-of-range fields are left to the general parser, which refuses them
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Date.UTC reads years 0-99 as 1900-1999; keep that quirk rather than reimplement it
  if (year < 100) return Date.UTC(year, month - 1, day, hour, minute, second) + millis - offset;
  lastDate = date;
  lastDays = daysFromCivil(year, month, day);
  return (((lastDays * 24 + hour) * 60 + minute) * 60 + second) * 1000 + millis - offset;
}

/** The date (yyyymmdd) parseCanonical read last, years from 100 on, and its days from 1970-01-01. */
let lastDate = -1;
let lastDays = 0;

/** The two-digit number at text[at..at+2), or -1 when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
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

/** The last timestamps made: a batch's forecasts usually share origin and horizon. */
let lastTimestamps: { origin: number; count: number; timestamps: readonly string[] } | undefined;

/**
 * ISO-8601 strings of `count` whole hours from `origin`, exactly as toISOString writes them; one Date per
 * day instead of one per hour, since formatting was a third of assembling a forecast. A fresh array each
 * call (copied from the last one when origin and count repeat).
 */
export function hourlyTimestamps(origin: number, count: number): string[] {
  if (lastTimestamps !== undefined && lastTimestamps.origin === origin && lastTimestamps.count === count) {
    return lastTimestamps.timestamps.slice();
  }
  const timestamps = new Array<string>(count);
  let day = Number.NaN;
  let dayPrefix = '';
  // a day of a year outside 0000–9999, which toISOString writes as ±YYYYYY: every hour of it by toIso
  let expandedYear = false;
  for (let h = 0; h < count; h++) {
    const hours = Math.floor((origin + h * MS_PER_HOUR) / MS_PER_HOUR);
    const hourOfDay = ((hours % HOURS_PER_DAY) + HOURS_PER_DAY) % HOURS_PER_DAY;
    const hourDay = (hours - hourOfDay) / HOURS_PER_DAY;
    if (hourDay !== day) {
      day = hourDay;
      const dayIso = toIso(day * HOURS_PER_DAY * MS_PER_HOUR);
      expandedYear = dayIso.length !== 24;
      dayPrefix = dayIso.slice(0, 11);
    }
    timestamps[h] = expandedYear ? toIso(hours * MS_PER_HOUR) : `${dayPrefix}${hourOfDay < 10 ? '0' : ''}${hourOfDay}:00:00.000Z`;
  }
  lastTimestamps = { origin, count, timestamps };
  return timestamps.slice();
}
