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
