/**
 * Keeps a workflow's HuanjieDeadline and HuanjieOverdue true to its state, so `HuanjieOverdue = true`
 * lists every late item of every kind, and its one-line current details (in Chinese) in step.
 *
 * Each workflow gives a function that reads its state: the deadline it waits on (none once nothing
 * is due), whether it is done, and optionally its own notion of "overdue" (otherwise: the deadline
 * has passed and it is not done). A watcher recomputes whenever the state changes and wakes at the
 * deadline itself, so an item goes overdue on time even if nothing else happens; a finished workflow
 * clears its deadline and overdue flag (call `settle()` just before returning).
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { SA } from '../temporal/search-attributes.js';
import { actOrTimeout } from './deadlines.js';

export interface DeadlineView {
  /** The earliest deadline the workflow now waits on (epoch ms); undefined when none is due. */
  deadline?: number | undefined;
  done: boolean;
  /** Overrides "deadline passed and not done" (e.g. only silent departments make a review late). */
  overdue?: boolean | undefined;
  /** One line for the UI's current details. */
  details?: string | undefined;
}

export interface DeadlineAttributes {
  /** Writes the current view at once (before the workflow returns or continues as new). */
  settle(): void;
}

export function keepDeadlineAttributes(view: () => DeadlineView): DeadlineAttributes {
  let written = '';
  let shown = '';
  const apply = () => {
    const v = view();
    const overdue = !v.done && (v.overdue ?? (v.deadline !== undefined && Date.now() >= v.deadline));
    const deadline = v.done ? undefined : v.deadline;
    if (v.details !== undefined && v.details !== shown) {
      shown = v.details;
      setCurrentDetails(v.details);
    }
    const key = `${deadline ?? ''}|${overdue}`;
    if (key !== written) {
      written = key;
      upsertSearchAttributes([
        { key: SA.overdue, value: overdue },
        { key: SA.deadline, value: deadline === undefined ? null : new Date(deadline) },
      ]);
    }
    return { v, overdue, deadline };
  };
  const fingerprint = () => {
    const v = view();
    return `${v.deadline ?? ''}|${v.done}|${v.overdue ?? ''}|${v.details ?? ''}`;
  };
  // A cancelled workflow (an aborted cycle stops its candidates) cancels this wait too; the watcher
  // then just stops. Left unhandled, the rejection would fail every workflow task of the execution.
  void (async () => {
    for (;;) {
      const { v, overdue, deadline } = apply();
      const before = fingerprint();
      // Wakes when the state changes, and at a deadline still ahead to flip overdue on time (past it,
      // an item is overdue already, or becomes so by a change of state, as escalation is). A view that
      // says itself when it is overdue flips with the workflow's own state (its own timer marks the
      // lateness), so a second timer at the same instant would only add history events.
      const ahead =
        v.overdue === undefined && !overdue && deadline !== undefined && deadline > Date.now() ? deadline : undefined;
      await actOrTimeout(() => fingerprint() !== before, ahead);
    }
  })().catch(() => undefined);
  return { settle: () => void apply() };
}

/** A time in Beijing, minutes precision, for current details ("11月23日 14:30"). */
export function beijingTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
