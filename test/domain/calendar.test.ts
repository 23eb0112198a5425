import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  assertCalendarCovers,
  beijingDate,
  isWorkingDay,
  yearOverrideSchema,
  type CalendarSpec,
} from '../../domain/eager/calendar.js';
import { DomainError } from '../../domain/errors.js';
import { CN_HOLIDAYS, CN_WORKDAYS, CN_YEARS } from '../../domain/holidays-cn.js';
import { loadChineseDays } from '../../scripts/gen-holidays.js';

const cn: CalendarSpec = { kind: 'cn', overrides: [] };
/** An instant at a Beijing wall-clock time. */
const bj = (iso: string) => Date.parse(`${iso}+08:00`);
/** The Beijing date on which a deadline (an end-of-day instant) closes. */
const closesOn = (ms: number) => beijingDate(ms - 1);

describe('mainland-China working-day calendar', () => {
  it('matches the installed chinese-days data (regenerate domain/holidays-cn.ts when it does not)', () => {
    const data = loadChineseDays();
    expect(CN_YEARS).toEqual(data.years);
    expect(CN_HOLIDAYS).toEqual(data.holidays);
    expect(CN_WORKDAYS).toEqual(data.workdays);
  });

  it('counts weekends off, statutory holidays off and make-up days (调休) on', () => {
    expect(isWorkingDay(cn, bj('2026-09-29T10:00:00'))).toBe(true); // Tuesday
    expect(isWorkingDay(cn, bj('2026-10-03T10:00:00'))).toBe(false); // National Day, Saturday
    expect(isWorkingDay(cn, bj('2026-10-05T10:00:00'))).toBe(false); // National Day holiday on a Monday
    expect(isWorkingDay(cn, bj('2026-10-10T10:00:00'))).toBe(true); // Saturday, make-up working day
    expect(isWorkingDay(cn, bj('2026-09-20T10:00:00'))).toBe(true); // Sunday, make-up working day
    expect(isWorkingDay(cn, bj('2026-11-21T10:00:00'))).toBe(false); // ordinary Saturday
  });

  it('runs a 5-working-day publicity period across National Day 2026 with its make-up Saturday', () => {
    // Published Tue 29 Sep: counts 30 Sep (1), skips 1–7 Oct, 8 Oct (2), 9 Oct (3), Sat 10 Oct make-up (4), skips Sun 11, Mon 12 Oct (5).
    const end = addWorkingDays(cn, bj('2026-09-29T15:00:00'), 5);
    expect(closesOn(end)).toBe('2026-10-12');
    expect(new Date(end).toISOString()).toBe('2026-10-12T16:00:00.000Z'); // 24:00 Beijing
  });

  it('does not count the day of publication, even when published at 00:01', () => {
    expect(closesOn(addWorkingDays(cn, bj('2026-11-23T00:01:00'), 1))).toBe('2026-11-24');
    expect(closesOn(addWorkingDays(cn, bj('2026-11-20T23:59:00'), 1))).toBe('2026-11-23'); // Friday → Monday
  });

  it('uses Beijing dates, not UTC ones', () => {
    // 2026-11-20T17:00Z is already Saturday 01:00 in Beijing.
    expect(isWorkingDay(cn, Date.parse('2026-11-20T17:00:00Z'))).toBe(false);
  });

  it('gives "same working day" as the close of today, or of the next working day on a day off', () => {
    expect(closesOn(addWorkingDays(cn, bj('2026-11-23T09:00:00'), 0))).toBe('2026-11-23');
    expect(closesOn(addWorkingDays(cn, bj('2026-10-01T09:00:00'), 0))).toBe('2026-10-08');
  });

  it('refuses a year the data does not cover, naming the year and the fix', () => {
    const christmas2026 = bj('2026-12-24T10:00:00');
    const err = (() => {
      try {
        addWorkingDays(cn, christmas2026, 10);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).type).toBe('CALENDAR');
    expect((err as DomainError).message).toMatch(/no data for 2027.*policy\.calendar\.overrides/);
    expect(() => assertCalendarCovers(cn, bj('2027-03-01T10:00:00'))).toThrow(/2027/);
    expect(() => assertCalendarCovers(cn, bj('2026-03-01T10:00:00'))).not.toThrow();
  });

  it('uses a supplied override for an uncovered year', () => {
    const with2027: CalendarSpec = { kind: 'cn', overrides: [{ year: 2027, holidays: ['2027-01-01'], workdays: [] }] };
    // Thu 24 Dec 2026 + 6 working days: 25, 28, 29, 30, 31 Dec, then 1 Jan 2027 is a holiday → Mon 4 Jan.
    expect(closesOn(addWorkingDays(with2027, bj('2026-12-24T10:00:00'), 6))).toBe('2027-01-04');
  });

  it('counts calendar days for "within 10 days"', () => {
    expect(closesOn(addCalendarDays(cn, bj('2026-09-29T15:00:00'), 10))).toBe('2026-10-09');
  });

  it('compresses a working day into seconds when the policy says so, zero included', () => {
    const fast: CalendarSpec = { kind: 'compressed', secondsPerWorkingDay: 2 };
    expect(addWorkingDays(fast, 1000, 5)).toBe(11_000);
    expect(addWorkingDays({ kind: 'compressed', secondsPerWorkingDay: 0 }, 1000, 5)).toBe(1000);
  });
});

describe('end of the working day', () => {
  it("is today's close on the real calendar and one compressed day on a compressed one", async () => {
    const { endOfWorkingDay } = await import('../../domain/calendar.js');
    expect(closesOn(endOfWorkingDay(cn, bj('2026-09-30T16:00:00')))).toBe('2026-09-30');
    expect(closesOn(endOfWorkingDay(cn, bj('2026-10-03T16:00:00')))).toBe('2026-10-08');
    expect(endOfWorkingDay({ kind: 'compressed', secondsPerWorkingDay: 2 }, 1000)).toBe(3000);
  });
});

describe('a supplied calendar year', () => {
  const issues = (o: unknown) =>
    (yearOverrideSchema.safeParse(o).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('is only a year the official table lacks: 2026 cannot be rewritten (it would switch deadlines off)', () => {
    expect(
      issues({
        year: 2026,
        holidays: Array.from({ length: 29 }, (_, i) => `2026-12-${String(i + 3).padStart(2, '0')}`),
        workdays: [],
      }),
    ).toEqual(['year: a year the official table does not cover (it has 2004–2026)']);
    expect(issues({ year: 2027, holidays: ['2027-01-01'], workdays: [] })).toEqual([]);
  });

  it('names a day that is both a holiday and a working day, a make-up day on a weekday, a date of another year', () => {
    expect(issues({ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-01'] })).toEqual([
      'workdays.0: not also a holiday',
    ]);
    // 2027-01-04 is a Monday; 2027-01-09 a Saturday.
    expect(issues({ year: 2027, holidays: [], workdays: ['2027-01-04', '2027-01-09'] })).toEqual([
      'workdays.0: a Saturday or Sunday (a make-up working day)',
    ]);
    expect(issues({ year: 2027, holidays: ['2028-01-01'], workdays: [] })).toEqual(['holidays.0: a date of 2027']);
  });

  it('holds at most 40 holidays, more than any year of the official table', () => {
    const days = (n: number) =>
      Array.from({ length: n }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10));
    expect(issues({ year: 2027, holidays: days(40), workdays: [] })).toEqual([]);
    expect(issues({ year: 2027, holidays: days(41), workdays: [] })).toHaveLength(1);
  });
});
