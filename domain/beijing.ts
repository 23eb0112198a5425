/**
 * Instants as Chinese text, in Beijing time (Asia/Shanghai, UTC+8 all year: China has no daylight
 * saving since 1991). Plain arithmetic on the instant, no Intl or time-zone data, so workflow code can
 * use it and replays give the same text.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

const two = (n: number) => String(n).padStart(2, '0');

function parts(ms: number) {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`,
    time: `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`,
    seconds: d.getUTCSeconds(),
    midnight:
      d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0,
  };
}

/** "2026年11月30日": the Beijing date of an instant. */
export const beijingDateText = (ms: number) => parts(ms).date;

/** "2026年11月30日 09:30" (seconds only when they are not zero). */
export function beijingDateTimeText(ms: number): string {
  const p = parts(ms);
  return `${p.date} ${p.time}${p.seconds ? `:${two(p.seconds)}` : ''}`;
}

/**
 * A deadline as people say it. Working-day deadlines end at Beijing midnight: that instant is the
 * end of the day before, so 2026-11-30T16:00:00Z reads "2026年11月30日" (the whole of 30 November).
 * Any other instant (a compressed calendar, a same-day deadline) keeps its time.
 */
export function beijingDeadlineText(ms: number): string {
  return parts(ms).midnight
    ? `${parts(ms - DAY_MS).date}（北京时间当日24时）`
    : `${beijingDateTimeText(ms)}（北京时间）`;
}

/**
 * The working-day convention, for every OpenAPI description of a deadline (the README says the same).
 * It is what domain/calendar.ts `addWorkingDays` computes.
 */
export const WORKING_DAYS_RULE =
  'Mainland-China working days (weekends, statutory holidays and 调休 make-up working days counted as the State Council publishes them), counted from the day after the start: N working days end at 24:00 Beijing time (UTC+8) of the N-th working day after the day the period starts; 0 means the end of that same working day (or of the next one if it is not a working day). On a compressed calendar N × secondsPerWorkingDay from the start.';
export const CALENDAR_DAYS_RULE =
  'Calendar days counted from the day after the start: N days end at 24:00 Beijing time (UTC+8) of the N-th day after the day the period starts.';
