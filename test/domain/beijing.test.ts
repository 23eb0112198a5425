import { describe, expect, it } from 'vitest';
import { beijingDateText, beijingDateTimeText, beijingDeadlineText } from '../../domain/beijing.js';
import { addWorkingDays } from '../../domain/eager/calendar.js';

describe('Beijing dates in Chinese text', () => {
  it('reads an instant in Beijing time, whatever the machine’s time zone', () => {
    expect(beijingDateText(Date.parse('2026-11-30T16:00:00Z'))).toBe('2026年12月1日');
    expect(beijingDateText(Date.parse('2026-11-30T15:59:59Z'))).toBe('2026年11月30日');
    expect(beijingDateTimeText(Date.parse('2026-03-01T01:30:00Z'))).toBe('2026年3月1日 09:30');
    expect(beijingDateTimeText(Date.parse('2026-03-01T01:30:07Z'))).toBe('2026年3月1日 09:30:07');
  });

  it('says a working-day deadline (Beijing midnight) as the whole last day', () => {
    expect(beijingDeadlineText(Date.parse('2026-11-30T16:00:00.000Z'))).toBe('2026年11月30日（北京时间当日24时）');
    // Five working days from Monday 23 November 2026, counted from the next day: to the end of Monday 30th.
    const due = addWorkingDays({ kind: 'cn', overrides: [] }, Date.parse('2026-11-23T02:00:00Z'), 5);
    expect(beijingDeadlineText(due)).toBe('2026年11月30日（北京时间当日24时）');
    expect(beijingDeadlineText(Date.parse('2026-11-30T06:15:00Z'))).toBe('2026年11月30日 14:15（北京时间）');
  });
});
