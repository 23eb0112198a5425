/** The one rule for a deadline the working-day calendar cannot compute (workflows/deadlines.ts). */
import { describe, expect, it } from 'vitest';
import type { CalendarSpec } from '../../domain/eager/calendar.js';
import { calendarGap, escalationPoint, workingDeadline } from '../../workflows/deadlines.js';

const cn: CalendarSpec = { kind: 'cn', overrides: [] };
const bj = (s: string) => Date.parse(`${s}+08:00`);

describe('deadlines when the calendar lacks a year', () => {
  it('a deadline it cannot compute is unknown, with the reason, never guessed', () => {
    expect(workingDeadline(cn, bj('2026-03-02T10:00:00'), 5).at).toBeGreaterThan(bj('2026-03-02T10:00:00'));
    const gap = workingDeadline(cn, bj('2026-12-24T10:00:00'), 10);
    expect(gap.at).toBeUndefined();
    expect(gap.missing).toMatch(/no data for 2027.*policy\.calendar\.overrides/);
  });

  it('an escalation point it cannot compute is the deadline itself: escalated at once, not never', () => {
    const deadline = bj('2026-12-30T17:00:00');
    expect(escalationPoint(cn, deadline, 5)).toBe(deadline);
    const earlier = bj('2026-03-02T10:00:00');
    expect(escalationPoint(cn, earlier, 1)).toBeGreaterThan(earlier);
  });

  it('any other error is thrown on, not taken for a missing year', () => {
    expect(() => calendarGap(new TypeError('a bug'))).toThrow('a bug');
  });
});
