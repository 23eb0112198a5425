/**
 * Deadlines on the working-day calendar, and what every workflow does with one: wait for the act
 * until the deadline; if it has not come, mark the step overdue (the responsible unit is chased),
 * wait on until the escalation point, then escalate to the upper level. Nothing times out silently
 * and nothing is skipped: a step escalated is still waited for.
 *
 * **When the calendar lacks a year** (the policy's calendar has no data for a year a deadline falls
 * in), one rule, everywhere:
 *
 * - a deadline the calendar cannot compute is _unknown_, never guessed: `workingDeadline` answers
 *   `{ missing }` with the reason, the step says so (`…期限无法计算：<reason>`) and is not timed.
 *   Where an organizer can supply the year (the cycle's `addCalendarYear`, which the cycle passes on
 *   to its candidates and its supervision), the deadline is computed then; the cycle holds its gate meanwhile (a
 *   `calendar` hold), since a stage cannot end on an unknown date.
 * - an escalation point the calendar cannot compute, after a deadline that is known, is the
 *   deadline itself (`escalationPoint`): an overdue step is escalated at once rather than never.
 *
 * Any other error is a bug and fails the workflow task (it is retried after a fix), never swallowed.
 */
import { condition, patched } from '@temporalio/workflow';
import { addWorkingDays, type CalendarSpec } from '../domain/calendar.js';
import { DomainError, ErrorType } from '../domain/errors.js';

export type WorkingDeadline = { at: number; missing?: undefined } | { at?: undefined; missing: string };

/** `days` working days after `from`, or why the calendar cannot say. */
export function workingDeadline(calendar: CalendarSpec, from: number, days: number): WorkingDeadline {
  try {
    return { at: addWorkingDays(calendar, from, days) };
  } catch (e) {
    return { missing: calendarGap(e) };
  }
}

/** Where an overdue step is escalated: `days` working days after its deadline, or the deadline itself. */
export function escalationPoint(calendar: CalendarSpec, deadline: number, days: number): number {
  return workingDeadline(calendar, deadline, days).at ?? deadline;
}

/** The reason of a missing calendar year; any other error is thrown on. */
export function calendarGap(e: unknown): string {
  if (e instanceof DomainError && e.type === ErrorType.Calendar) return e.message;
  throw e;
}

/**
 * The one wait for "a person acts, or the time runs out" (after the samples' `timeoutOrUserAction`):
 * `'acted'` as soon as `acted()` holds, `'timed out'` once `at` (epoch ms) has come without it. With
 * no `at` there is nothing to time: it waits for the act alone. An act already done starts no timer,
 * nor does a time already come.
 * `summary` names the timer in the Temporal UI.
 */
export async function actOrTimeout(
  acted: () => boolean,
  at?: number,
  summary?: string,
): Promise<'acted' | 'timed out'> {
  if (acted()) return 'acted';
  if (at === undefined) {
    await condition(acted);
    return 'acted';
  }
  // A time already come needs no timer (patch due-needs-no-timer): a timer would only add two events
  // and a workflow task, and let an act that came meanwhile count as in time. Asked only then, so
  // histories without such a wait are unchanged.
  if (at <= Date.now() && patched('due-needs-no-timer')) return 'timed out';
  const inTime = await condition(acted, Math.max(1, at - Date.now()), summary === undefined ? {} : { summary });
  return inTime ? 'acted' : 'timed out';
}

export interface LateSteps {
  /** The act the step waits for has come. */
  done: () => boolean;
  deadline: number;
  /** Computed once the step is overdue (see `escalationPoint`). */
  escalateAt: () => number;
  /** Timer summaries shown in the Temporal UI. */
  summaries: { deadline: string; escalation: string };
  /** Each puts the lateness on the record first, then in the state (whoever reads it late finds it recorded). */
  overdue: (at: number) => Promise<void>;
  escalated: (at: number) => Promise<void>;
}

/** Deadline → overdue → escalate: answers how far it went before the act came (or did not). */
export async function overdueThenEscalate(step: LateSteps): Promise<'on time' | 'overdue' | 'escalated'> {
  if ((await actOrTimeout(step.done, step.deadline, step.summaries.deadline)) === 'acted') return 'on time';
  await step.overdue(Date.now());
  if ((await actOrTimeout(step.done, step.escalateAt(), step.summaries.escalation)) === 'acted') return 'overdue';
  await step.escalated(Date.now());
  return 'escalated';
}
