/**
 * Working-day arithmetic for deadlines. Pure and deterministic (no clock, no I/O), so workflows,
 * activities and the API compute the same deadline from the same inputs.
 *
 * Two calendars, chosen explicitly in a policy:
 * - `cn`: mainland-China working days in Beijing time (UTC+8, no daylight saving): weekends are off
 *   unless they are make-up working days (调休); statutory holidays are off. Data comes from the
 *   `chinese-days` table; a year it does not cover must be supplied as an override, else a
 *   CALENDAR error names the year.
 * - `compressed`: one working day is a fixed number of seconds, for demos and tests.
 *
 * Convention: "N working days from T" ends at the close (24:00 Beijing) of the N-th working day
 * after T's day; T's own day does not count. "Same working day" (N = 0) ends at the close of T's day
 * if it is a working day, else of the next working day.
 */
import { z } from 'zod';
import { DomainError, ErrorType } from './errors.js';
import { CN_HOLIDAYS, CN_WORKDAYS, CN_YEARS } from './holidays-cn.js';
import { once } from './once.js';
import { isoDate } from './schemas.js';

/** The official table has at most 33 holiday days a year (2026); a year of mostly holidays stops every deadline. */
export const MAX_HOLIDAYS_PER_YEAR = 40;

/**
 * A year the official table (chinese-days) lacks, supplied by an organizer. A year the table covers
 * is not theirs to rewrite: an override replaces the table for its year, and a made-up year of
 * holidays would switch off every deadline that falls in it.
 */
export const yearOverrideSchema = once(() => {
  const date = isoDate('must be a real calendar date YYYY-MM-DD');
  return z
    .strictObject({
      year: z.number().int().min(2000).max(2100),
      holidays: z.array(date).max(MAX_HOLIDAYS_PER_YEAR).describe('statutory holidays of that year'),
      workdays: z
        .array(date)
        .max(MAX_HOLIDAYS_PER_YEAR)
        .describe('make-up working days (调休) of that year that fall on a weekend'),
    })
    .superRefine((o, ctx) => {
      if (coveredYears.has(o.year))
        ctx.addIssue({
          code: 'custom',
          path: ['year'],
          message: `a year the official table does not cover (it has ${Math.min(...CN_YEARS)}–${Math.max(...CN_YEARS)})`,
        });
      const holidays = new Set(o.holidays);
      for (const [field, dates] of [
        ['holidays', o.holidays],
        ['workdays', o.workdays],
      ] as const)
        dates.forEach((d, i) => {
          if (!d.startsWith(`${o.year}-`))
            ctx.addIssue({ code: 'custom', path: [field, i], message: `a date of ${o.year}` });
        });
      o.workdays.forEach((d, i) => {
        const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
        if (holidays.has(d)) ctx.addIssue({ code: 'custom', path: ['workdays', i], message: 'not also a holiday' });
        else if (weekday !== 0 && weekday !== 6)
          ctx.addIssue({
            code: 'custom',
            path: ['workdays', i],
            message: 'a Saturday or Sunday (a make-up working day)',
          });
      });
    });
});
export type YearOverride = z.infer<ReturnType<typeof yearOverrideSchema>>;

export const calendarSchema = once(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('cn'),
      overrides: z
        .array(yearOverrideSchema())
        .max(50)
        // Two overrides of one year: only the first would ever be read, the second silently ignored.
        .refine((o) => new Set(o.map((y) => y.year)).size === o.length, 'each year at most once')
        .default([]),
    }),
    z.strictObject({
      kind: z.literal('compressed'),
      secondsPerWorkingDay: z.number().min(0).max(86_400),
    }),
  ]),
);
export type CalendarSpec = z.infer<ReturnType<typeof calendarSchema>>;

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
/** No deadline is more than this many days away; guards against a calendar with no working days. */
const MAX_SCAN_DAYS = 3 * 366;

const holidaySet = new Set(CN_HOLIDAYS);
const workdaySet = new Set(CN_WORKDAYS);
const coveredYears = new Set(CN_YEARS);

/** The Beijing calendar date (YYYY-MM-DD) of an instant. */
export function beijingDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant 00:00 Beijing time of a Beijing date. */
function beijingMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`) - BEIJING_OFFSET_MS;
}

function isWorkingDayCn(date: string, overrides: readonly YearOverride[]): boolean {
  const year = Number(date.slice(0, 4));
  const override = overrides.find((o) => o.year === year);
  if (!override && !coveredYears.has(year)) {
    throw new DomainError(
      ErrorType.Calendar,
      `the working-day calendar has no data for ${year}; supply policy.calendar.overrides for ${year} (holidays and make-up days) or upgrade chinese-days`,
      [{ path: 'policy.calendar.overrides', rule: `year ${year} not covered` }],
    );
  }
  const holidays = override ? override.holidays : holidaySet;
  const workdays = override ? override.workdays : workdaySet;
  const has = (s: ReadonlySet<string> | readonly string[], d: string) =>
    s instanceof Set ? s.has(d) : (s as readonly string[]).includes(d);
  if (has(workdays, date)) return true;
  if (has(holidays, date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

export function isWorkingDay(spec: CalendarSpec, ms: number): boolean {
  if (spec.kind === 'compressed') return true;
  return isWorkingDayCn(beijingDate(ms), spec.overrides);
}

/** The deadline N working days after `fromMs` (see the convention above). */
export function addWorkingDays(spec: CalendarSpec, fromMs: number, days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${days}`);
  if (spec.kind === 'compressed') return fromMs + Math.round(days * spec.secondsPerWorkingDay * 1000);
  let date = beijingDate(fromMs);
  let counted = 0;
  const countToday = days === 0;
  for (let i = 0; i <= MAX_SCAN_DAYS; i++) {
    if (i > 0 || countToday) {
      if (isWorkingDayCn(date, spec.overrides)) {
        if (countToday || ++counted === days) return beijingMidnight(date) + DAY_MS;
      }
    }
    date = beijingDate(beijingMidnight(date) + DAY_MS);
  }
  throw new DomainError(
    ErrorType.Calendar,
    `no ${days} working days found within ${MAX_SCAN_DAYS} days of ${beijingDate(fromMs)}`,
  );
}

/**
 * How many working days after `fromMs` the calendar can count before it meets a year it has no data
 * for, up to `upTo` (a compressed calendar counts any number); `lacks` is that year, when met.
 */
export function workingDaysCovered(spec: CalendarSpec, fromMs: number, upTo: number): { days: number; lacks?: number } {
  if (spec.kind === 'compressed') return { days: upTo };
  let date = beijingDate(fromMs);
  let days = 0;
  while (days < upTo) {
    date = beijingDate(beijingMidnight(date) + DAY_MS);
    const year = Number(date.slice(0, 4));
    if (!coveredYears.has(year) && !spec.overrides.some((o) => o.year === year)) return { days, lacks: year };
    if (isWorkingDayCn(date, spec.overrides)) days++;
  }
  return { days };
}

/** The close of the working day that `fromMs` falls in (or the next one); on a compressed calendar, one working day on. */
export function endOfWorkingDay(spec: CalendarSpec, fromMs: number): number {
  if (spec.kind === 'compressed') return fromMs + Math.round(spec.secondsPerWorkingDay * 1000);
  return addWorkingDays(spec, fromMs, 0);
}

/** Calendar days (not working days) as a deadline: used where a rule says "within 10 days". */
export function addCalendarDays(spec: CalendarSpec, fromMs: number, days: number): number {
  if (spec.kind === 'compressed') return fromMs + Math.round(days * spec.secondsPerWorkingDay * 1000);
  return beijingMidnight(beijingDate(fromMs)) + (days + 1) * DAY_MS;
}

/** Throws a CALENDAR error now, rather than months later, if the calendar cannot answer for this instant's year. */
export function assertCalendarCovers(spec: CalendarSpec, ms: number): void {
  if (spec.kind === 'cn') isWorkingDayCn(beijingDate(ms), spec.overrides);
}
