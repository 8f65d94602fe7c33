/**
 * Calendar dates as `YYYY-MM-DD` strings (the API's format), with the little arithmetic the rules
 * need. Pure integer arithmetic on the proleptic Gregorian calendar: no `Date`, so no time zone
 * can shift a day. Years 0001-9999, the range the fixed-width format can hold and compare.
 */
import { InvalidDateError } from './errors';

/** A calendar date, `YYYY-MM-DD`. A plain string, so commands and events stay JSON. */
export type IsoDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant as the API writes them: UTC (`Z`), seconds and fractions optional.
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?Z$/;

interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function partsOf(value: unknown): DateParts | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

function parse(value: IsoDate): DateParts {
  const parts = partsOf(value);
  if (!parts) throw new InvalidDateError(value);
  return parts;
}

function format({ year, month, day }: DateParts): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A real calendar date in `YYYY-MM-DD` (so not `2018-02-29`, not `2018-2-1`). */
export function isIsoDate(value: unknown): value is IsoDate {
  return partsOf(value) !== undefined;
}

/** An ISO 8601 instant in UTC (`2017-11-30T10:00:00.000Z`) whose date is a real date. */
export function isIsoInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = INSTANT.exec(value);
  return match !== null && isIsoDate(match[1]);
}

/**
 * `months` calendar months after `date` (before, when negative). A day the target month does not
 * have is clamped to its last day: 2018-01-31 + 1 month = 2018-02-28. Each call counts from
 * `date`, so clamping never accumulates (31 Jan + 2 months is 31 Mar, not 28 Mar).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = parse(date);
  if (!Number.isSafeInteger(months)) throw new InvalidDateError(date, `cannot add ${months} months to a date`);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  if (targetYear < 1 || targetYear > 9999) {
    throw new InvalidDateError(date, `${date} + ${months} months is outside the years 0001-9999`);
  }
  return format({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  // Validated fixed-width dates order as strings do.
  parse(a);
  parse(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isBefore(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) < 0;
}

export function isAfter(a: IsoDate, b: IsoDate): boolean {
  return compareDates(a, b) > 0;
}

/** The (UTC) date of an instant: `2017-11-30T23:59:59Z` is `2017-11-30`. */
export function dateOf(instant: string): IsoDate {
  const match = INSTANT.exec(instant);
  const date = match?.[1];
  if (date === undefined || !isIsoDate(date)) throw new InvalidDateError(instant, `${instant} is not an ISO 8601 instant in UTC`);
  return date;
}

/** A date given either as a date or as an instant, as a date. */
export function asDate(dateOrInstant: string): IsoDate {
  return isIsoDate(dateOrInstant) ? dateOrInstant : dateOf(dateOrInstant);
}

// ---------------------------------------------------------------------------------------------
// Instants
//
// Comparing instants (`2017-11-30T10:00:00.000Z`) and adding an interval to one, in integer
// arithmetic without `Date`, as for dates above. Milliseconds: digits past them are dropped.

const INSTANT_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z$/;
const MS_PER_DAY = 86_400_000;
/** The last instant the fixed-width format holds: later results are clamped to it. */
const LATEST_INSTANT = '9999-12-31T23:59:59.999Z';

/** Milliseconds since 1970-01-01T00:00:00Z (negative before it). */
export function instantMillis(instant: string): number {
  const match = isIsoInstant(instant) ? INSTANT_PARTS.exec(instant) : null;
  if (!match) throw new InvalidDateError(instant, `${instant} is not an ISO 8601 instant in UTC`);
  const [, year, month, day, hours, minutes, seconds, fraction] = match;
  const days = daysFromCivil(Number(year), Number(month), Number(day));
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  return days * MS_PER_DAY + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds ?? 0)) * 1000 + millis;
}

/** The instant `millis` after 1970-01-01T00:00:00Z, as `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function instantAt(millis: number): string {
  if (millis > instantMillis(LATEST_INSTANT)) return LATEST_INSTANT;
  const days = Math.floor(millis / MS_PER_DAY);
  const { year, month, day } = civilFromDays(days);
  let rest = millis - days * MS_PER_DAY;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const [hours, minutes, seconds] = [Math.floor(rest / 3600), Math.floor(rest / 60) % 60, rest % 60];
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(ms, 3)}Z`;
}

/** Whether `a` is later than `b`, whatever digits either is written with. */
export function isAfterInstant(a: string, b: string): boolean {
  return instantMillis(a) > instantMillis(b);
}

// Days since 1970-01-01 and back, on the proleptic Gregorian calendar (H. Hinnant's algorithms).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1,
  };
}
