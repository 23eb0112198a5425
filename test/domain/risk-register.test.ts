import { describe, expect, it } from 'vitest';
import type { CalendarSpec } from '../../domain/eager/calendar.js';
import { DomainError } from '../../domain/errors.js';
import { CN_YEARS } from '../../domain/holidays-cn.js';
import { riskDeadline } from '../../domain/risk-register.js';

const cn: CalendarSpec = { kind: 'cn', overrides: [] };
const lastYear = CN_YEARS.at(-1)!;
/** 15 December of the last year the table covers, 10:00 Beijing: 12 working days are left in it. */
const lateInTheYear = Date.parse(`${lastYear}-12-15T10:00:00+08:00`);

describe('a high risk’s deadline', () => {
  it('runs on working days, and only a high risk has one', () => {
    expect(riskDeadline({ level: 'medium', deadlineWorkingDays: 10 }, cn, lateInTheYear)).toBeNull();
    expect(riskDeadline({ level: 'high', deadlineWorkingDays: 5 }, cn, lateInTheYear)).toBeGreaterThan(lateInTheYear);
  });

  it('running into a year the calendar lacks, is refused naming deadlineWorkingDays and how far it can reach', () => {
    let err: unknown;
    try {
      riskDeadline({ level: 'high', deadlineWorkingDays: 60 }, cn, lateInTheYear);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).type).toBe('CALENDAR');
    expect((err as DomainError).message).toMatch(new RegExp(`${lastYear + 1}`));
    const working = [16, 17, 18, 21, 22, 23, 24, 25, 28, 29, 30, 31].filter((d) => {
      const day = new Date(Date.UTC(lastYear, 11, d)).getUTCDay();
      return day !== 0 && day !== 6;
    }).length;
    expect((err as DomainError).details).toEqual([
      { path: 'deadlineWorkingDays', rule: expect.stringContaining(`at most ${working} working days`) },
    ]);
    // With the next year supplied, the same deadline is counted.
    const supplied: CalendarSpec = { kind: 'cn', overrides: [{ year: lastYear + 1, holidays: [], workdays: [] }] };
    expect(riskDeadline({ level: 'high', deadlineWorkingDays: 60 }, supplied, lateInTheYear)).toBeGreaterThan(
      lateInTheYear,
    );
  });
});
