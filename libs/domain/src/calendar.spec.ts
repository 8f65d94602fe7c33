import fc from 'fast-check';
import {
  addMonths,
  instantAt,
  instantMillis,
  isAfterInstant,
  asDate,
  compareDates,
  dateOf,
  daysInMonth,
  isAfter,
  isBefore,
  isIsoDate,
  isIsoInstant,
} from './calendar';
import { InvalidDateError } from './errors';

const parts = (date: string): [number, number, number] => {
  const [year, month, day] = date.split('-').map(Number);
  return [year!, month!, day!];
};
const monthIndex = (date: string): number => {
  const [year, month] = parts(date);
  return year * 12 + month - 1;
};
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Any date of years 0001-9999, with month ends (where clamping bites) drawn often. */
const anyDate = fc.oneof(
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  fc
    .record({ year: fc.integer({ min: 1, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
    .map(({ year, month }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(daysInMonth(year, month), 2)}`),
);

describe('calendar', () => {
  describe('addMonths', () => {
    it.each([
      ['2018-01-31', 1, '2018-02-28'],
      ['2020-01-31', 1, '2020-02-29'],
      ['2018-01-31', 2, '2018-03-31'],
      ['2018-08-31', 1, '2018-09-30'],
      ['2017-10-24', 0, '2017-10-24'],
      ['2017-10-24', 3, '2018-01-24'],
      ['2017-10-24', 6, '2018-04-24'],
      ['2017-10-24', 12, '2018-10-24'],
      ['2017-08-31', 6, '2018-02-28'],
      ['2016-02-29', 12, '2017-02-28'],
      ['2016-02-29', 48, '2020-02-29'],
      ['2018-03-31', -1, '2018-02-28'],
      ['2018-01-15', -1, '2017-12-15'],
      ['1899-12-31', 2, '1900-02-28'],
      ['1999-12-31', 2, '2000-02-29'],
    ])('%s + %i months = %s', (date, months, expected) => {
      expect(addMonths(date, months)).toBe(expected);
    });

    it('refuses what is not a date, and months that are not a whole number', () => {
      for (const bad of ['2018-02-29', '2018-2-1', '2018-13-01', '2018-00-10', '0000-01-01', '18-01-01', '2018-01-01T00:00:00Z', '']) {
        expect(() => addMonths(bad, 1)).toThrow(InvalidDateError);
      }
      expect(() => addMonths('2018-01-01', 1.5)).toThrow(InvalidDateError);
      expect(() => addMonths('9999-12-01', 1)).toThrow(InvalidDateError);
      expect(() => addMonths('0001-01-01', -1)).toThrow(InvalidDateError);
    });

    it('moves the month index by exactly n, keeping the day or clamping it to the month end', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: -1200, max: 1200 }), (date, months) => {
          const index = monthIndex(date) + months;
          fc.pre(index >= 12 && index < 10000 * 12);
          const result = addMonths(date, months);
          const [, , day] = parts(date);
          const [year, month, resultDay] = parts(result);
          expect(isIsoDate(result)).toBe(true);
          expect(monthIndex(result)).toBe(index);
          expect(resultDay).toBeLessThanOrEqual(day);
          expect(resultDay).toBe(Math.min(day, daysInMonth(year, month)));
          expect(compareDates(result, date)).toBe(Math.sign(months));
        }),
      );
    });

    it('comes back to the same date, or to an earlier day of it when the day was clamped on the way', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: 0, max: 240 }), (date, months) => {
          fc.pre(monthIndex(date) + months < 10000 * 12);
          const back = addMonths(addMonths(date, months), -months);
          expect(monthIndex(back)).toBe(monthIndex(date));
          expect(compareDates(back, date)).toBeLessThanOrEqual(0);
          if (parts(date)[2] <= 28) expect(back).toBe(date);
        }),
      );
    });
  });

  describe('isIsoDate', () => {
    it('agrees with the JavaScript calendar on which YYYY-MM-DD strings are real dates', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (year, month, day) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          const parsed = new Date(`${text}T00:00:00Z`);
          const real = !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
          expect(isIsoDate(text)).toBe(real);
        }),
      );
    });

    it('accepts only the fixed-width form', () => {
      expect(isIsoDate('2017-10-24')).toBe(true);
      for (const bad of ['2017-1-24', '2017/10/24', ' 2017-10-24', '2017-10-24 ', '20171024', 20171024, null, undefined]) {
        expect(isIsoDate(bad)).toBe(false);
      }
    });
  });

  describe('comparing', () => {
    it('orders dates by the calendar', () => {
      expect(compareDates('2017-10-24', '2018-04-24')).toBe(-1);
      expect(compareDates('2018-04-24', '2018-04-24')).toBe(0);
      expect(compareDates('2018-04-25', '2018-04-24')).toBe(1);
      expect(isBefore('2017-12-31', '2018-01-01')).toBe(true);
      expect(isAfter('2017-12-31', '2018-01-01')).toBe(false);
      expect(() => compareDates('2018-02-30', '2018-03-01')).toThrow(InvalidDateError);
    });

    it('agrees with the order of the days they name', () => {
      fc.assert(
        fc.property(anyDate, anyDate, (a, b) => {
          const days = (date: string): number => Date.parse(`${date}T00:00:00Z`);
          expect(compareDates(a, b)).toBe(Math.sign(days(a) - days(b)));
        }),
      );
    });
  });

  describe('dateOf', () => {
    it('takes the UTC date of an instant', () => {
      expect(dateOf('2017-11-30T10:00:00.000Z')).toBe('2017-11-30');
      expect(dateOf('2017-11-30T23:59:59.999999Z')).toBe('2017-11-30');
      expect(dateOf('2017-11-30T00:00Z')).toBe('2017-11-30');
      expect(isIsoInstant('2017-11-30T10:00:00Z')).toBe(true);
    });

    it('refuses what is not an instant in UTC', () => {
      for (const bad of ['2017-11-30', '2017-11-30T10:00:00+01:00', '2017-11-30T24:00:00Z', '2017-02-30T10:00:00Z', '2017-11-30t10:00:00z']) {
        expect(() => dateOf(bad)).toThrow(InvalidDateError);
        expect(isIsoInstant(bad)).toBe(false);
      }
    });

    it('asDate takes a date as it is and an instant by its date', () => {
      expect(asDate('2018-04-24')).toBe('2018-04-24');
      expect(asDate('2018-04-24T23:00:00Z')).toBe('2018-04-24');
      expect(() => asDate('24/04/2018')).toThrow(InvalidDateError);
    });
  });
});

describe('instants', () => {
  it('instant arithmetic agrees with Date in UTC, across formats, leap days and centuries', () => {
    for (const instant of [
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2017-11-30T10:00Z',
      '2016-02-29T23:59:59.5Z',
      '2000-02-29T12:00:00.123456789Z',
      '1900-03-01T00:00:00Z',
      '2026-01-19T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
    ]) {
      const millis = Date.parse(instant.replace(/\.(\d{3})\d+Z$/, '.$1Z'));
      expect(instantMillis(instant)).toBe(millis);
      expect(instantAt(millis)).toBe(new Date(millis).toISOString());
    }
  });

  it('compares instants, not their spelling', () => {
    expect(isAfterInstant('2017-12-14T17:00Z', '2017-12-14T16:59:59.999Z')).toBe(true);
    expect(isAfterInstant('2017-12-14T17:00Z', '2017-12-14T17:00:00.000Z')).toBe(false);
    expect(() => instantMillis('2017-02-29T10:00:00Z')).toThrow(InvalidDateError);
  });
});
